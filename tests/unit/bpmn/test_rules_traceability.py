"""docs/rules.md traces every rule to where it lives and the test that proves it: every test it
names exists, every diagram element it names (`#ElementId`) exists in a diagram, every file it
names exists, and every channel of domain.md has its section."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
RULES = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
CHANNELS = ("hotline-ticket", "online-message", "deputy-suggestion", "forum-post", "periodic-report")


def defined_tests() -> set[str]:
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                names.add(node.name)
    return names


def element_ids() -> set[str]:
    return {
        element.get("id", "")
        for diagram in (ROOT / "bpmn").glob("*.bpmn")
        for element in ET.parse(diagram).getroot().iter()
    }


def table_rows() -> list[str]:
    return [line for line in RULES.splitlines() if line.startswith("| ") and not line.startswith("| rule ")]


def test_every_test_the_table_names_exists() -> None:
    # Test functions, not the modules (`test_forum_post_rules.py`) that hold them.
    named = set(re.findall(r"\b(test_\w+)\b(?!\.py)", RULES))
    missing = sorted(named - defined_tests())
    assert not missing, f"docs/rules.md names tests that do not exist: {missing}"


def test_every_element_the_table_names_exists_in_a_diagram() -> None:
    named = set(re.findall(r"#([A-Z]\w+)", RULES))
    # `workers/ids.py#DeputySuggestion` names a class of constants, not an element.
    missing = sorted(named - element_ids() - {"DeputySuggestion", "ElementId"})
    assert not missing, f"docs/rules.md names diagram elements that do not exist: {missing}"


def test_every_file_the_table_names_exists() -> None:
    named = set(re.findall(r"\b((?:bpmn|forms|config|workers|tests)/[\w./-]+\.(?:bpmn|form|toml|py))", RULES))
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing, f"docs/rules.md names files that do not exist: {missing}"


def test_every_channel_has_its_section_and_every_rule_a_test() -> None:
    for channel in CHANNELS:
        assert f"### {channel}" in RULES, f"docs/rules.md has no section for {channel}"
    untested = [row[:80] for row in table_rows() if row.strip() != "|---|---|---|---|" and "test_" not in row]
    assert not untested, f"rules without a test: {untested}"
