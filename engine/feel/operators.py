"""Arithmetic on FEEL values, including the temporal combinations the spec defines.

Every function returns null (``None``) and records a warning for operand types that FEEL does not
combine, instead of raising.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

from .scope import Run
from .temporal import (
    FeelTime,
    YearMonthDuration,
    add_months,
    add_to_date_time,
    duration_micros,
    micros_duration,
    time_plus,
)
from .values import NUMBERS, type_name


def _mismatch(run: Run, operator: str, left: Any, right: Any) -> None:
    if left is None or right is None:
        # The missing operand was already reported where it went missing (or is a plain null).
        return
    run.warn(f"can't apply operator '{operator}' to {type_name(left)} and {type_name(right)}")


def add(run: Run, left: Any, right: Any) -> Any:
    left_kind, right_kind = type(left), type(right)
    if left_kind is Decimal and right_kind is Decimal:
        return NUMBERS.add(left, right)
    if left_kind is str and right_kind is str:
        return left + right
    result = _add_temporal(left, right)
    if result is None:
        result = _add_temporal(right, left)
    if result is None:
        if left_kind is Decimal or right_kind is Decimal:
            other = right if left_kind is Decimal else left
            if other is not None:
                run.warn(f"expected number but found {type_name(other)} for operator '+'")
                return None
        _mismatch(run, "+", left, right)
    return result


def _add_temporal(left: Any, right: Any) -> Any:
    left_kind, right_kind = type(left), type(right)
    if right_kind is timedelta:
        if left_kind is timedelta:
            return left + right
        if left_kind is datetime:
            return add_to_date_time(left, right)
        if left_kind is date:
            return (datetime.combine(left, datetime.min.time()) + right).date()
        if left_kind is FeelTime:
            return time_plus(left, right)
    elif right_kind is YearMonthDuration:
        if left_kind is YearMonthDuration:
            return YearMonthDuration(left.months + right.months)
        if left_kind is datetime or left_kind is date:
            return add_months(left, right.months)
    return None


def subtract(run: Run, left: Any, right: Any) -> Any:
    left_kind, right_kind = type(left), type(right)
    if left_kind is Decimal and right_kind is Decimal:
        return NUMBERS.subtract(left, right)
    if right_kind is timedelta or right_kind is YearMonthDuration:
        result = _add_temporal(left, negate_duration(right))
        if result is not None:
            return result
    elif left_kind is right_kind:
        if left_kind is datetime:
            if (left.tzinfo is None) == (right.tzinfo is None):
                return left - right
        elif left_kind is date:
            return timedelta(days=(left - right).days)
        elif left_kind is FeelTime and (left.zone is None) == (right.zone is None):
            seconds = left.seconds_since_midnight() - right.seconds_since_midnight()
            if left.zone is not None:
                seconds -= Decimal(
                    ((left.offset() or timedelta(0)) - (right.offset() or timedelta(0))).total_seconds()
                )
            return micros_duration(int(seconds * 1_000_000))
    _mismatch(run, "-", left, right)
    return None


def negate_duration(value: timedelta | YearMonthDuration) -> timedelta | YearMonthDuration:
    if type(value) is timedelta:
        return -value
    return YearMonthDuration(-value.months)  # type: ignore[union-attr]


def multiply(run: Run, left: Any, right: Any) -> Any:
    left_kind, right_kind = type(left), type(right)
    if left_kind is Decimal and right_kind is Decimal:
        return NUMBERS.multiply(left, right)
    if left_kind is Decimal:
        left, right, left_kind, right_kind = right, left, right_kind, left_kind
    if right_kind is Decimal:
        # Camunda multiplies durations by the factor's integer part only (Java's multipliedBy(long)).
        factor = int(right)
        if left_kind is timedelta:
            return micros_duration(duration_micros(left) * factor)
        if left_kind is YearMonthDuration:
            return YearMonthDuration(left.months * factor)
    _mismatch(run, "*", left, right)
    return None


def divide(run: Run, left: Any, right: Any) -> Any:
    left_kind, right_kind = type(left), type(right)
    if right_kind is Decimal and not right and left_kind in (Decimal, timedelta, YearMonthDuration):
        run.warn("division by zero")
        return None
    if left_kind is Decimal and right_kind is Decimal:
        return NUMBERS.divide(left, right)
    if right_kind is Decimal:
        # Camunda divides durations in whole milliseconds (or months) and truncates the result.
        if left_kind is timedelta:
            millis = duration_micros(left) // 1000
            return micros_duration(int(NUMBERS.divide(Decimal(millis), right)) * 1000)
        if left_kind is YearMonthDuration:
            return YearMonthDuration(int(NUMBERS.divide(Decimal(left.months), right)))
    if left_kind is right_kind and left_kind in (timedelta, YearMonthDuration):
        if left_kind is timedelta:
            numerator, denominator = duration_micros(left) // 1000, duration_micros(right) // 1000
        else:
            numerator, denominator = left.months, right.months
        if not denominator:
            run.warn("division by zero")
            return None
        # Camunda divides two durations as whole numbers (Scala Long division), truncating.
        quotient = abs(numerator) // abs(denominator)
        return Decimal(quotient if (numerator < 0) == (denominator < 0) else -quotient)
    _mismatch(run, "/", left, right)
    return None


def power(run: Run, left: Any, right: Any) -> Any:
    if type(left) is not Decimal or type(right) is not Decimal:
        _mismatch(run, "**", left, right)
        return None
    try:
        if right == right.to_integral_value():
            if not left:
                if right < 0:
                    run.warn("division by zero")
                    return None
                # Java's BigDecimal.pow(0) is 1 for every base, zero included.
                return Decimal(1) if not right else Decimal(0)
            return NUMBERS.power(left, right)
        # Camunda computes fractional exponents in binary floating point; match its digits.
        result = math.pow(float(left), float(right))
    except (ArithmeticError, ValueError, InvalidOperation, DivisionByZero):
        run.warn(f"can't raise {left} to the power of {right}")
        return None
    return Decimal(repr(result)) if math.isfinite(result) else None


def negate(run: Run, value: Any) -> Any:
    # Camunda negates numbers only; "-duration" is null there, write "duration * -1" instead.
    if type(value) is Decimal:
        return NUMBERS.minus(value)
    if value is not None:
        run.warn(f"expected number but found {type_name(value)} for operator '-'")
    return None
