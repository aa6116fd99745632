"""``instance of``: checking a value against a FEEL type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .nodes import TypeSpec
from .scope import Run
from .values import FeelFunction, Range, feel_value, type_name

_SIMPLE = frozenset(
    {
        "number",
        "string",
        "boolean",
        "date",
        "time",
        "date and time",
        "days and time duration",
        "years and months duration",
        "list",
        "context",
        "range",
        "function",
    }
)


def instance_of(run: Run, value: Any, spec: TypeSpec) -> bool | None:
    name = spec.name
    if name == "Any":
        return value is not None
    if name == "Null":
        return value is None
    if name not in _SIMPLE:
        run.warn(f"unknown type '{name}'")
        return None
    if type_name(value) != name:
        return False
    if name == "list" and spec.parameters:
        element = spec.parameters[0]
        return all(instance_of(run, feel_value(item), element) is True for item in value)
    if name == "context" and spec.entries:
        assert isinstance(value, Mapping)
        return all(
            key in value and instance_of(run, feel_value(value[key]), entry) is True
            for key, entry in spec.entries
        )
    if name == "range" and spec.parameters:
        assert isinstance(value, Range)
        bounds = [bound for bound in (value.start, value.end) if bound is not None]
        return all(instance_of(run, bound, spec.parameters[0]) is True for bound in bounds)
    if name == "function" and spec.parameters:
        assert isinstance(value, FeelFunction)
        return len(value.parameters) == len(spec.parameters) - 1
    return True
