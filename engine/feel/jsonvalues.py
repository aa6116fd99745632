"""Turning FEEL results into JSON-ready Python values, as Zeebe stores variables."""

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
from .values import FeelFunction, Range

_MAX_INTEGER_DIGITS = 4000


def to_json(value: Any) -> Any:
    """A value ``json.dumps`` accepts: whole numbers become ``int``, temporals ISO-8601 strings."""
    kind = type(value)
    if value is None or kind is str or kind is bool or kind is int:
        return value
    if kind is Decimal:
        # An integer of thousands of digits (`10 ** n`) would take long to build and could not be
        # written as JSON text (Python's int-to-str limit): beyond that it is a float, or infinity.
        if (
            value.is_finite()
            and value.adjusted() < _MAX_INTEGER_DIGITS
            and value == value.to_integral_value()
        ):
            return int(value)
        return float(value)
    if kind is float:
        return value
    if kind is list:
        return [to_json(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if kind is datetime:
        return format_date_time(value, zone_style="json")
    if kind is date:
        return format_date(value)
    if kind is FeelTime:
        return format_time(value)
    if kind is timedelta:
        return format_day_time_duration(value)
    if kind is YearMonthDuration:
        return format_year_month_duration(value)
    if kind is Range:
        return {
            "start": to_json(value.start),
            "end": to_json(value.end),
            "start included": value.start_included,
            "end included": value.end_included,
        }
    if isinstance(value, FeelFunction):
        # Functions cannot be stored as variables; Zeebe writes null for them as well.
        return None
    return str(value)
