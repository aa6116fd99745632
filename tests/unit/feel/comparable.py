"""Normalising this package's results to the JSON form the feelin server answers in."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from engine.feel.formatting import to_string
from engine.feel.temporal import FeelTime, YearMonthDuration
from engine.feel.values import FeelFunction, Range


def comparable(value: Any) -> Any:
    """Numbers as floats, temporals as their FEEL text, functions as a marker."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime, FeelTime, timedelta, YearMonthDuration)):
        return to_string(value)
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, Mapping):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, Range):
        return {
            "start": comparable(value.start),
            "end": comparable(value.end),
            "start included": value.start_included,
            "end included": value.end_included,
        }
    if isinstance(value, FeelFunction):
        return "<function>"
    return value


def same(left: Any, right: Any) -> bool:
    """Deep equality that tells booleans from numbers (Python's ``True == 1`` would not)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[key], right[key]) for key in left)
    return bool(left == right)
