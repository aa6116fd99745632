"""The public API: clock injection, JSON conversion, warnings, caching."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

import engine.feel as feel


@pytest.fixture
def fixed_clock() -> Iterator[datetime]:
    instant = datetime(2026, 10, 1, 2, 30, tzinfo=UTC)
    feel.set_clock(lambda: instant)
    yield instant
    feel.set_clock(None)


def test_now_reads_the_installed_clock(fixed_clock: datetime) -> None:
    assert feel.evaluate("now()") == fixed_clock
    assert feel.evaluate("today()") == date(2026, 10, 1)


def test_now_argument_wins_over_the_clock(fixed_clock: datetime) -> None:
    later = fixed_clock + timedelta(days=3)
    assert feel.evaluate("today()", {}, now=later) == date(2026, 10, 4)
    assert feel.evaluate_unary_tests("< today()", "2026-10-03", {}, now=later) is False
    assert feel.evaluate_unary_tests("< today()", date(2026, 10, 3), {}, now=later) is True


def test_to_json_produces_json_ready_values() -> None:
    value = feel.evaluate(
        '{n: 2, f: 2.5, d: @"2026-10-01", dt: @"2026-10-01T10:00:00+08:00", p: @"P7D", h: @"PT2H",'
        ' ym: @"P1Y2M", l: [1, null], t: @"10:00:00"}'
    )
    converted = feel.to_json(value)
    assert converted == {
        "n": 2,
        "f": 2.5,
        "d": "2026-10-01",
        "dt": "2026-10-01T10:00:00+08:00",
        "p": "P7D",
        "h": "PT2H",
        "ym": "P1Y2M",
        "l": [1, None],
        "t": "10:00:00",
    }
    json.dumps(converted)
    assert type(converted["n"]) is int


def test_from_json_converts_numbers_eagerly() -> None:
    assert feel.from_json({"a": [1, 2.5], "b": True}) == {"a": [Decimal(1), Decimal("2.5")], "b": True}


def test_results_are_feel_values_even_for_raw_variables() -> None:
    assert feel.evaluate("xs", {"xs": [1, {"a": 0.5}]}) == [Decimal(1), {"a": Decimal("0.5")}]


def test_evaluate_detailed_reports_warnings_without_raising() -> None:
    evaluation = feel.compile("upper case(x) + y").evaluate_detailed({"x": 1})
    assert evaluation.value is None
    assert evaluation.warnings == [
        "expected string but found number for parameter 'string' of function 'upper case'",
        "no variable found for name 'y'",
    ]


def test_compile_is_cached() -> None:
    assert feel.compile("1 + 1") is feel.compile("1 + 1")


def test_unbounded_recursion_yields_null() -> None:
    evaluation = feel.compile("{f: function(n) f(n + 1), r: f(1)}.r").evaluate_detailed({})
    assert evaluation.value is None
    assert evaluation.warnings


def test_odd_variable_values_do_not_crash() -> None:
    variables = {"x": float("nan"), "y": float("inf"), "z": object(), "w": (1, 2)}
    for source in ("x + 1", "y > 2", "z = 1", "string(z)", "count(w)", "z.a", "w[1]"):
        feel.compile(source).evaluate_detailed(variables)
