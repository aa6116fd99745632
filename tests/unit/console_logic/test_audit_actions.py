"""The audit log names each action in Chinese: every action the console writes has a label (an
unlabelled one showed to the admin as `intake`, `import`...)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from console.routes.admin import AUDIT_ACTIONS

CONSOLE = Path(__file__).resolve().parents[3] / "console"


def written_actions() -> dict[str, str]:
    """Each action passed to `audit(console, request, user, action, ...)`, with where it is written."""
    found: dict[str, str] = {}
    for path in sorted(CONSOLE.rglob("*.py")):
        module = ".".join(path.relative_to(CONSOLE.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id
            if called != "audit":
                continue
            assert isinstance(node, ast.Call)
            action = node.args[3] if len(node.args) > 3 else None
            where = f"{path.name}:{node.lineno}"
            if isinstance(action, ast.Constant) and isinstance(action.value, str):
                found[action.value] = where
            elif isinstance(action, ast.Name):
                found[getattr(importlib.import_module(module), action.id)] = where
            elif isinstance(action, ast.IfExp):
                for branch in (action.body, action.orelse):
                    assert isinstance(branch, ast.Constant), f"{where}: an action the test cannot read"
                    found[branch.value] = where
            else:
                raise AssertionError(f"{where}: an action the test cannot read: {ast.dump(action or node)}")
    return found


def test_every_action_the_console_audits_has_a_chinese_name() -> None:
    written = written_actions()
    assert {"intake", "view-appellant", "add-user"} <= written.keys(), f"the scan missed actions: {written}"
    unnamed = {action: where for action, where in written.items() if action not in AUDIT_ACTIONS}
    assert not unnamed, f"the audit log would show these actions as written, not in Chinese: {unnamed}"
