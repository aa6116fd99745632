"""Every diagram in bpmn/ passes bpmnlint's recommended rules and Camunda 8.8's compatibility rules."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def lint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(ROOT / "scripts" / "lint-bpmn.mjs"), *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_diagrams_are_lint_clean() -> None:
    result = lint()
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linter_names_file_element_and_rule(tmp_path: Path) -> None:
    diagram = (ROOT / "bpmn" / "hotline-ticket.bpmn").read_text(encoding="utf-8")
    broken = tmp_path / "broken.bpmn"
    broken.write_text(
        diagram.replace('<zeebe:taskDefinition type="minsheng.dispatch-ticket" retries="3" />', "")
    )
    result = lint(broken)
    assert result.returncode == 1
    assert "broken.bpmn: DispatchTicketTask: camunda-compat/implementation (error)" in result.stdout


def test_a_diagram_for_an_older_camunda_is_refused_by_name(tmp_path: Path) -> None:
    diagram = (ROOT / "bpmn" / "hotline-ticket.bpmn").read_text(encoding="utf-8")
    old = tmp_path / "old.bpmn"
    old.write_text(diagram.replace('executionPlatformVersion="8.8.0"', 'executionPlatformVersion="8.6.0"'))
    result = lint(old)
    assert result.returncode == 1
    assert "old.bpmn: HotlineTicketDefinitions: execution-platform (error): declares Camunda 8.6.0" in (
        result.stdout
    )
