"""The text FEEL's ``string()`` gives for a value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from .temporal import (
    FeelTime,
    YearMonthDuration,
    format_date,
    format_date_time,
    format_day_time_duration,
    format_time,
    format_year_month_duration,
)
from .values import FeelFunction, Range, feel_value


def format_number(value: Decimal) -> str:
    # Python's str(Decimal) follows the same rules as Java's BigDecimal.toString, which Camunda
    # uses: the scale is kept ("1.50"); Java has no negative zero.
    return str(value.copy_abs() if value.is_zero() else value)


def to_string(value: Any) -> str:
    value = feel_value(value)
    kind = type(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is Decimal:
        return format_number(value)
    if kind is datetime:
        return format_date_time(value)
    if kind is date:
        return format_date(value)
    if kind is FeelTime:
        return format_time(value)
    if kind is timedelta:
        return format_day_time_duration(value)
    if kind is YearMonthDuration:
        return format_year_month_duration(value)
    if kind is list:
        return "[" + ", ".join(_nested(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}:{_nested(item)}" for key, item in value.items()) + "}"
    if kind is Range:
        opening = "[" if value.start_included else "("
        closing = "]" if value.end_included else ")"
        return f"{opening}{_nested(value.start)}..{_nested(value.end)}{closing}"
    if isinstance(value, FeelFunction):
        return f"function({', '.join(value.parameters)})"
    return str(value)


def _nested(value: Any) -> str:
    value = feel_value(value)
    if type(value) is str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return to_string(value)
