"""The forms in forms/ render in form-js as Tasklist and the console render them, carry Chinese
labels, refuse an empty submission where a field is required, and are the forms the diagrams'
user tasks link; every user task has one."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
FORMS = sorted((ROOT / "forms").glob("*.form"))
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "zeebe": "http://camunda.org/schema/zeebe/1.0"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Components that hold a value a person enters, and so need a label saying what it is.
INPUTS = {
    *("textfield", "textarea", "number", "select", "radio"),
    *("checkbox", "checklist", "datetime", "taglist"),
}


def check_forms(*files: Path) -> tuple[int, list[dict[str, Any]]]:
    result = subprocess.run(
        ["node", str(ROOT / "scripts" / "check-forms.mjs"), *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout or result.returncode == 0, result.stderr
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines()]


@cache
def rendered() -> dict[str, dict[str, Any]]:
    _, results = check_forms(*FORMS)
    return {Path(result["file"]).name: result for result in results}


def components(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for component in node.get("components", []):
        found.append(component)
        found.extend(components(component))
    return found


def user_task_forms() -> dict[str, str | None]:
    """Each user task of every diagram (as `file#id`) and the form id it links."""
    linked: dict[str, str | None] = {}
    for diagram in sorted((ROOT / "bpmn").glob("*.bpmn")):
        for task in ET.parse(diagram).getroot().iterfind(".//bpmn:userTask", NS):
            definition = task.find("bpmn:extensionElements/zeebe:formDefinition", NS)
            form = None if definition is None else definition.get("formId")
            linked[f"{diagram.name}#{task.get('id')}"] = form
    return linked


@pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])
def test_the_form_renders_in_form_js_without_warnings(form: Path) -> None:
    result = rendered()[form.name]
    assert "error" not in result, f"{form.name}: {result.get('error')}"
    assert result["warnings"] == [], f"{form.name}: form-js warns: {result['warnings']}"
    assert result["id"] == form.stem, f"{form.name}: its id is {result['id']!r}, not the file's name"
    assert result["type"] == "default"
    version = tuple(int(part) for part in str(result["executionPlatformVersion"]).split(".")[:2])
    assert version >= (8, 8), f"{form.name}: declares Camunda {result['executionPlatformVersion']}"


@pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])
def test_every_input_has_a_chinese_label_and_a_unique_key(form: Path) -> None:
    schema = json.loads(form.read_text(encoding="utf-8"))
    inputs = [component for component in components(schema) if component["type"] in INPUTS]
    unlabelled = [c.get("key") for c in inputs if not CHINESE.search(str(c.get("label", "")))]
    assert not unlabelled, f"{form.name}: inputs without a Chinese label: {unlabelled}"
    keys = [component["key"] for component in inputs]
    assert len(keys) == len(set(keys)), f"{form.name}: keys used twice: {keys}"
    options = [
        c.get("key") for c in inputs if any(not CHINESE.search(v["label"]) for v in c.get("values", []))
    ]
    assert not options, f"{form.name}: choices without a Chinese label: {options}"


@pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])
def test_an_empty_submission_is_refused_for_every_required_field(form: Path) -> None:
    schema = json.loads(form.read_text(encoding="utf-8"))
    required = {
        component["key"]
        for component in components(schema)
        if component.get("validate", {}).get("required") and "conditional" not in component
    }
    refused = set(rendered()[form.name]["requiredWhenEmpty"])
    assert required <= refused, f"{form.name}: required but accepted empty: {sorted(required - refused)}"


def test_every_user_task_links_a_form_that_exists() -> None:
    existing = {form.stem for form in FORMS}
    linked = user_task_forms()
    without = sorted(task for task, form in linked.items() if form is None)
    assert not without, f"user tasks without a form: {without}"
    missing = sorted(f"{task} → {form}" for task, form in linked.items() if form not in existing)
    assert not missing, f"user tasks whose form is not in forms/: {missing}"


def start_forms() -> set[str | None]:
    """The forms of start events (a process started from the task list or the console)."""
    return {
        definition.get("formId")
        for diagram in sorted((ROOT / "bpmn").glob("*.bpmn"))
        for definition in ET.parse(diagram)
        .getroot()
        .iterfind(".//bpmn:startEvent/bpmn:extensionElements/zeebe:formDefinition", NS)
    }


def test_every_form_is_used_by_a_diagram() -> None:
    unused = sorted({form.stem for form in FORMS} - set(user_task_forms().values()) - start_forms())
    assert not unused, f"forms no user task links: {unused}"


def test_a_broken_form_is_named_with_its_problem(tmp_path: Path) -> None:
    broken = tmp_path / "broken.form"
    broken.write_text(json.dumps({"type": "default", "id": "broken", "components": [{"type": "bogus"}]}))
    code, [result] = check_forms(broken)
    assert code == 1
    assert result["file"].endswith("broken.form")
    assert "bogus" in result["error"]
