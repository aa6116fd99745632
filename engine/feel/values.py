"""FEEL values: what each type is in Python, and how values are compared.

Variables arrive as ``json.loads`` produces them. Converting a whole variable map up front would
cost more than most expressions do, so numbers are turned into ``Decimal`` only where a value is
read (:func:`feel_value`); lists and dicts keep raw elements until they are read in turn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Context, Decimal
from typing import TYPE_CHECKING, Any

from .temporal import FeelTime, YearMonthDuration, duration_micros

if TYPE_CHECKING:
    from .scope import Run

# IEEE 754 decimal128, the number type FEEL prescribes (Java's MathContext.DECIMAL128).
NUMBERS = Context(prec=34, Emax=999_999_999, Emin=-999_999_999)


def feel_value(value: Any) -> Any:
    """A FEEL value for a raw JSON value; containers stay lazy, their elements convert on read."""
    kind = type(value)
    if kind is int:
        return Decimal(value)
    if kind is float:
        if math.isfinite(value):
            return Decimal(repr(value))
        return None
    return value


def type_name(value: Any) -> str:
    """The FEEL type name of a value, as used in ``instance of`` and in warnings."""
    kind = type(value)
    if value is None:
        return "null"
    if kind is bool:
        return "boolean"
    if kind in (Decimal, int, float):
        return "number"
    if kind is str:
        return "string"
    if kind is list:
        return "list"
    if isinstance(value, Mapping):
        return "context"
    if kind is datetime:
        return "date and time"
    if kind is date:
        return "date"
    if kind is FeelTime:
        return "time"
    if kind is timedelta:
        return "days and time duration"
    if kind is YearMonthDuration:
        return "years and months duration"
    if kind is Range:
        return "range"
    if isinstance(value, FeelFunction):
        return "function"
    return kind.__name__


class FeelFunction:
    """A function value: a built-in or a function defined in FEEL."""

    __slots__ = ()

    @property
    def parameters(self) -> tuple[str, ...]:
        raise NotImplementedError

    def invoke(self, run: Run, positional: list[Any] | None, named: dict[str, Any] | None) -> Any:
        """Call with either positional or named arguments; problems become null plus a warning."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Range:
    """An interval; a missing bound (``None``) makes it open on that side, as ``< 10`` is."""

    start: Any
    start_included: bool
    end: Any
    end_included: bool

    def contains(self, value: Any) -> bool | None:
        if value is None:
            return None
        if self.start is not None:
            order = compare(self.start, value)
            if order is None:
                return None
            if order > 0 or (order == 0 and not self.start_included):
                return False
        if self.end is not None:
            order = compare(value, self.end)
            if order is None:
                return None
            if order > 0 or (order == 0 and not self.end_included):
                return False
        return True


def equal(left: Any, right: Any) -> bool | None:
    """FEEL ``=``: ``None`` when the two values cannot be compared (different types)."""
    left, right = feel_value(left), feel_value(right)
    if left is None or right is None:
        return left is None and right is None
    left_kind, right_kind = type(left), type(right)
    if left_kind is Decimal or left_kind is str or left_kind is bool:
        return left == right if left_kind is right_kind else None
    if left_kind is list:
        if right_kind is not list:
            return None
        return _sequences_equal(left, right)
    if isinstance(left, Mapping):
        if not isinstance(right, Mapping):
            return None
        if left.keys() != right.keys():
            return False
        return _sequences_equal([left[k] for k in left], [right[k] for k in left])
    if left_kind is datetime:
        if right_kind is not datetime or (left.tzinfo is None) != (right.tzinfo is None):
            return None
        return bool(left == right)
    if left_kind is FeelTime:
        if right_kind is not FeelTime or (left.zone is None) != (right.zone is None):
            return None
        return compare(left, right) == 0
    if left_kind is Range:
        if right_kind is not Range:
            return None
        return (
            left.start_included == right.start_included
            and left.end_included == right.end_included
            and equal(left.start, right.start) is True
            and equal(left.end, right.end) is True
        )
    if left_kind is not right_kind:
        return None
    return bool(left == right)


def _sequences_equal(left: list[Any], right: list[Any]) -> bool | None:
    if len(left) != len(right):
        return False
    result: bool | None = True
    for a, b in zip(left, right, strict=True):
        same = equal(a, b)
        if same is False:
            return False
        if same is None:
            result = None
    return result


def compare(left: Any, right: Any) -> int | None:
    """FEEL ordering: negative, zero or positive; ``None`` when the values have no common order."""
    left, right = feel_value(left), feel_value(right)
    left_kind = type(left)
    if left_kind is not type(right) or left is None:
        return None
    if left_kind is Decimal or left_kind is str or left_kind is date or left_kind is YearMonthDuration:
        return int(left > right) - int(left < right)
    if left_kind is datetime:
        if (left.tzinfo is None) != (right.tzinfo is None):
            return None
        return int(left > right) - int(left < right)
    if left_kind is timedelta:
        a, b = duration_micros(left), duration_micros(right)
        return int(a > b) - int(a < b)
    if left_kind is FeelTime:
        if (left.zone is None) != (right.zone is None):
            return None
        a, b = left.utc_seconds(), right.utc_seconds()
        return int(a > b) - int(a < b)
    return None


def from_json(value: Any) -> Any:
    """Convert a whole JSON value into FEEL values eagerly (numbers become ``Decimal``)."""
    kind = type(value)
    if kind is list:
        return [from_json(item) for item in value]
    if kind is dict:
        return {key: from_json(item) for key, item in value.items()}
    return feel_value(value)
