"""Numeric functions. ``sqrt``, ``log`` and ``exp`` use binary floating point as Camunda does."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    InvalidOperation,
)
from typing import Any

from ..scope import Run
from ..temporal import YearMonthDuration
from ..values import NUMBERS
from .registry import builtin

# Rounding to a scale is exact in Java (no precision limit); a wide context reproduces that.
_SCALING = Context(prec=10_000, Emax=999_999_999, Emin=-999_999_999)
_MAX_SCALE = 5_000


def _round(run: Run, number: Decimal, scale: Decimal, mode: str) -> Decimal | None:
    if scale != scale.to_integral_value() or abs(scale) > _MAX_SCALE:
        run.warn(f"can't round to scale {scale}")
        return None
    try:
        return number.quantize(Decimal(1).scaleb(-int(scale)), rounding=mode, context=_SCALING)
    except InvalidOperation:
        run.warn(f"can't round {number} to scale {scale}")
        return None


def _rounding(name: str, mode: str, optional_scale: bool) -> None:
    scale = "scale?: number" if optional_scale else "scale: number"

    @builtin(f"{name}(n: number, {scale})")
    def rounding(run: Run, number: Decimal, places: Decimal | None = None) -> Decimal | None:
        return _round(run, number, places if places is not None else Decimal(0), mode)


_rounding("decimal", ROUND_HALF_EVEN, optional_scale=False)
_rounding("floor", ROUND_FLOOR, optional_scale=True)
_rounding("ceiling", ROUND_CEILING, optional_scale=True)
_rounding("round up", ROUND_UP, optional_scale=False)
_rounding("round down", ROUND_DOWN, optional_scale=False)
_rounding("round half up", ROUND_HALF_UP, optional_scale=False)
_rounding("round half down", ROUND_HALF_DOWN, optional_scale=False)


@builtin("abs(n: number|days and time duration|years and months duration)")
def absolute(run: Run, value: Any) -> Any:
    if type(value) is Decimal:
        return NUMBERS.abs(value)
    if type(value) is timedelta:
        return abs(value)
    return YearMonthDuration(abs(value.months))


@builtin("modulo(dividend: number, divisor: number)")
def modulo(run: Run, dividend: Decimal, divisor: Decimal) -> Decimal | None:
    if not divisor:
        run.warn("modulo() by zero")
        return None
    # The result takes the sign of the divisor (floored modulo), unlike Python's Decimal "%".
    remainder = NUMBERS.remainder(dividend, divisor)
    return NUMBERS.remainder(NUMBERS.add(remainder, divisor), divisor)


def _from_float(run: Run, function: str, result: float) -> Decimal | None:
    if not math.isfinite(result):
        run.warn(f"{function}() has no finite result for this argument")
        return None
    return Decimal(repr(result))


@builtin("sqrt(number: number)")
def square_root(run: Run, number: Decimal) -> Decimal | None:
    if number < 0:
        run.warn("sqrt() of a negative number")
        return None
    return _from_float(run, "sqrt", math.sqrt(float(number)))


@builtin("log(number: number)")
def logarithm(run: Run, number: Decimal) -> Decimal | None:
    if number <= 0:
        run.warn("log() of a number that is not positive")
        return None
    return _from_float(run, "log", math.log(float(number)))


@builtin("exp(number: number)")
def exponential(run: Run, number: Decimal) -> Decimal | None:
    try:
        return _from_float(run, "exp", math.exp(float(number)))
    except OverflowError:
        run.warn("exp() overflows")
        return None


@builtin("odd(number: number)")
def odd(run: Run, number: Decimal) -> bool:
    return NUMBERS.remainder(NUMBERS.abs(number), Decimal(2)) == 1


@builtin("even(number: number)")
def even(run: Run, number: Decimal) -> bool:
    return NUMBERS.remainder(number, Decimal(2)) == 0
