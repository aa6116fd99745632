"""A feelin (the reference JS FEEL interpreter) process that answers one expression at a time."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[3]
SERVER = Path(__file__).with_name("feelin_server.mjs")
INSTALL_HINT = "run `npm ci` in the repository root to install node tooling (feelin)"


class Feelin:
    """One node process per test session; expressions go in and answers come out as JSON lines."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError(f"node is not installed; install Node.js 20 and {INSTALL_HINT}")
        if not (REPOSITORY / "node_modules" / "feelin" / "package.json").exists():
            raise RuntimeError(f"feelin is missing from node_modules: {INSTALL_HINT}")
        self._process = subprocess.Popen(
            [node, str(SERVER)],
            cwd=REPOSITORY,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._next_id = 0

    def evaluate(self, expression: str, variables: dict[str, Any]) -> dict[str, Any]:
        """``{"value": ...}`` or ``{"error": message}`` for a syntax error."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._next_id += 1
        request = {"id": self._next_id, "expression": expression, "variables": variables}
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(
                f"feelin stopped answering (exit code {self._process.poll()}): {INSTALL_HINT}?"
            )
        answer: dict[str, Any] = json.loads(line)
        if answer.get("id") != self._next_id:
            raise RuntimeError(f"feelin answered out of order: {answer}")
        return answer

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=10)
