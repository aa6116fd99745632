"""Shared helpers for the FEEL unit tests."""

from __future__ import annotations

from typing import Any

from engine.feel import compile as compile_feel
from engine.feel import to_json


def run(source: str, variables: dict[str, Any] | None = None) -> Any:
    """Evaluate and return the JSON form, which keeps expected values short to write."""
    return to_json(compile_feel(source).evaluate(variables or {}))


def warnings_of(source: str, variables: dict[str, Any] | None = None) -> list[str]:
    return compile_feel(source).evaluate_detailed(variables or {}).warnings
