"""Numeric built-ins."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.feel import evaluate

from .helpers import run


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("decimal(1 / 3, 2)", 0.33),
        ("decimal(2.5, 0)", 2),
        ("decimal(3.5, 0)", 4),
        ("floor(-1.5)", -2),
        ("floor(1.56, 1)", 1.5),
        ("ceiling(-1.5)", -1),
        ("ceiling(1.51, 1)", 1.6),
        ("round up(-5.5, 0)", -6),
        ("round down(-5.5, 0)", -5),
        ("round half up(-5.5, 0)", -6),
        ("round half down(-5.5, 0)", -5),
        ("round half up(1.125, 2)", 1.13),
        ("abs(-1.5)", 1.5),
        ('abs(@"-P1D")', "P1D"),
        ("modulo(12, 5)", 2),
        ("modulo(-12, 5)", 3),
        ("modulo(12, -5)", -3),
        ("modulo(10.1, 4.5)", 1.1),
        ("modulo(5, 0)", None),
        ("sqrt(16)", 4),
        ("sqrt(-1)", None),
        ("log(1)", 0),
        ("log(0)", None),
        ("exp(0)", 1),
        ("odd(5)", True),
        ("odd(4)", False),
        ("even(0)", True),
        ("even(-2)", True),
        ("floor(n: 2.7)", 2),
        ("decimal(n: 1.25, scale: 1)", 1.2),
    ],
)
def test_numeric_functions(source: str, expected: object) -> None:
    assert run(source) == expected


def test_results_keep_decimal_precision() -> None:
    assert evaluate("decimal(1 / 3, 30)") == Decimal("0.333333333333333333333333333333")
    assert evaluate("sqrt(2)") == Decimal("1.4142135623730951")
