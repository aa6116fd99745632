"""Property-based tests of FEEL against hostile input: compiling raises nothing but `FeelError`
(syntax errors), evaluating raises nothing at all, deep nesting never blows the Python stack, and
a client's variables cannot make one evaluation run without bound.

`test_properties.py` covers well-formed expressions; this file is about the bad ones and bad data.
"""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.feel import FeelError, compile_unary_tests, to_json
from engine.feel import compile as compile_feel
from engine.feel.compiler import MAX_ITERATIONS

_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PIECES = [
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "..",
    "+",
    "-",
    "*",
    "/",
    "**",
    "=",
    "!=",
    "<",
    ">=",
    "and",
    "or",
    "not(",
    "if",
    "then",
    "else",
    "for",
    "in",
    "return",
    "some",
    "every",
    "satisfies",
    "between",
    "instance of",
    "function(a)",
    "x",
    "x.a",
    "xs[1]",
    "xs[-1]",
    "xs[item > 1]",
    '"s"',
    '"\\u0000"',
    '"\\ud800"',
    "1",
    "1e400",
    "-0",
    "99999999999999999999999999999999999999",
    "0.000000000000000000000000000001",
    "null",
    "true",
    "@",
    '@"P1D"',
    '@"2026-13-45"',
    '@"P999999999Y"',
    "1..2",
    "?",
    "`",
    '"',
    "/*",
    "//",
    "\\",
    "\x00",
    "\ud800",
    "民声",
    'date("9999-12-31")',
    'date and time("2026-01-01T00:00:00@Asia/Shanghai")',
    'duration("P1Y")',
    "sum(",
    "string(",
    "count(",
    "substring(",
    "matches(",
    "replace(",
    "split(",
    "sublist(",
    "decimal(",
    "floor(",
    "sort(",
    "context put(",
    "get value(",
    "string join(",
    "now()",
    "today()",
]

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["", "2026-10-01", "P1D", "10:00:00", "x" * 10_000]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "b", "x", "", " ", "民"]), children, max_size=4)
    ),
    max_leaves=10,
)
_VARIABLES = st.fixed_dictionaries({"x": _JSON, "xs": st.lists(_JSON, max_size=4), "y": _JSON})

_SOUP = st.lists(st.sampled_from(_PIECES), max_size=16).map(" ".join)


def _compile_or_refuse(source: str) -> Any:
    try:
        return compile_feel(source)
    except FeelError as error:
        assert str(error), "a syntax error says where and what"
        return None


def _evaluate(expression: Any, variables: dict[str, Any]) -> None:
    if expression is None:
        return
    evaluation = expression.evaluate_detailed(variables)
    # What an expression gives goes into the variables: it must serialise.
    json.dumps(to_json(evaluation.value))
    assert all(isinstance(warning, str) for warning in evaluation.warnings)


@_SETTINGS
@given(source=st.text(max_size=200))
def test_any_text_compiles_or_is_a_feel_error(source: str) -> None:
    _compile_or_refuse(source)
    with contextlib.suppress(FeelError):
        compile_unary_tests(source)


@_SETTINGS
@given(source=_SOUP, variables=_VARIABLES)
def test_token_soup_compiles_or_is_refused_and_never_raises_when_evaluated(
    source: str, variables: dict[str, Any]
) -> None:
    _evaluate(_compile_or_refuse(source), variables)


_CALLS = [
    "string",
    "number",
    "count",
    "sum",
    "mean",
    "max",
    "flatten",
    "distinct values",
    "sort",
    "reverse",
    "upper case",
    "string length",
    "is defined",
    "get entries",
    "context merge",
    "abs",
    "floor",
    "date",
    "duration",
    "date and time",
    "list contains",
    "append",
    "concatenate",
]


@_SETTINGS
@given(call=st.sampled_from(_CALLS), arguments=st.lists(st.sampled_from(["x", "xs", "y"]), max_size=3))
def test_builtins_on_hostile_variables_never_raise(call: str, arguments: list[str]) -> None:
    expression = _compile_or_refuse(f"{call}({', '.join(arguments)})")
    hostile: list[dict[str, Any]] = [
        {"x": math.nan, "xs": [math.inf, -math.inf, math.nan], "y": 2**100},
        {"x": "\ud800", "xs": ["\x00", "\ud800x"], "y": "9" * 5000},
        {"x": [[[[[]]]]], "xs": [{"": None}], "y": {"a": {"a": {"a": [1, "2", None]}}}},
        {"x": "x" * 1_000_000, "xs": list(range(10_000)), "y": -(2**63)},
    ]
    for variables in hostile:
        _evaluate(expression, variables)


def _nested(opening: str, inner: str, closing: str, depth: int) -> str:
    return opening * depth + inner + closing * depth


_DEEP = {
    "parentheses": lambda d: _nested("(", "1", ")", d),
    "lists": lambda d: _nested("[", "1", "]", d),
    "contexts": lambda d: _nested("{a:", "1", "}", d),
    "negations": lambda d: "-" * d + "1",
    "not": lambda d: _nested("not(", "true", ")", d),
    "calls": lambda d: _nested("abs(", "1", ")", d),
    "if": lambda d: "if true then " * d + "1" + " else 0" * d,
    "for": lambda d: "for i in [1] return " * d + "i",
    "sums": lambda d: "1" + " + 1" * d,
    "paths": lambda d: "x" + ".a" * d,
    "filters": lambda d: "xs" + "[1]" * d,
    "unclosed": lambda d: "(" * d,
    "functions": lambda d: "function(a) " * d + "1",
}


@pytest.mark.parametrize("depth", [100, 5_000])
@pytest.mark.parametrize("case", list(_DEEP))
def test_deep_nesting_is_a_syntax_error_or_evaluates(case: str, depth: int) -> None:
    source = _DEEP[case](depth)
    expression = _compile_or_refuse(source)
    _evaluate(expression, {"x": {}, "xs": [1]})
    try:
        tests = compile_unary_tests(source)
    except FeelError:
        return
    tests.matches_detailed(1, {"x": {}})


def test_deeply_nested_variables_evaluate() -> None:
    deep: Any = 1
    for _ in range(5_000):
        deep = {"a": [deep]}
    for source in ["x", "string(x)", "x.a[1].a", "get entries(x)", "x = x", "count(flatten(x.a))"]:
        _evaluate(compile_feel(source), {"x": deep})


@pytest.mark.parametrize(
    "source",
    [
        "count(for i in 1..n return i)",
        "count(for i in 0..-n return i)",
        "count(for i in xs, j in xs, k in xs return i)",
        "count(for i in 1..n, j in 1..n return i)",
        'string join(for i in 1..n return "xxxxxxxx")',
        "some i in 1..n satisfies i < 0",
    ],
)
def test_a_variable_bound_cannot_make_an_evaluation_run_without_end(source: str) -> None:
    evaluation = compile_feel(source).evaluate_detailed({"n": 10**12, "xs": list(range(1_000))})
    assert evaluation.value is None or evaluation.value is False
    assert any(str(MAX_ITERATIONS) in warning for warning in evaluation.warnings), evaluation.warnings


def test_ranges_within_the_limit_still_iterate() -> None:
    assert compile_feel("count(for i in 1..n return i)").evaluate({"n": 1000}) == 1000
    assert compile_feel("count(for i in 1..n, j in 1..n return i)").evaluate({"n": 30}) == 900
