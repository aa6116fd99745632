"""Property-based tests: no input text crashes the parser, no evaluation raises."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.feel import FeelSyntaxError, compile_unary_tests, to_json
from engine.feel import compile as compile_feel

_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_WORDS = [
    "1",
    "2.5",
    "-",
    "+",
    "*",
    "/",
    "**",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
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
    "@",
    '"a"',
    '"2026-10-01"',
    "true",
    "false",
    "null",
    "and",
    "or",
    "not",
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
    "instance",
    "of",
    "function",
    "x",
    "xs",
    "item",
    "?",
    "date and time",
    "string length",
    "sum",
    "count",
    "substring",
    "number",
    "list",
    "context",
    "`a b`",
    "//",
    "/*",
    "*/",
    '"\\u00e9"',
    '@"P1D"',
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(["a", "b", "x"]), children)
    ),
    max_leaves=12,
)
variables = st.fixed_dictionaries(
    {"x": json_values, "xs": st.lists(json_values, max_size=4), "y": json_values}
)

_ATOMS = st.sampled_from(
    [
        "1",
        "0",
        "-3.5",
        '"s"',
        "true",
        "null",
        "x",
        "xs",
        "y",
        "[1, 2]",
        "{a: 1}",
        '@"2026-10-01"',
        '@"P1D"',
        "[1..3]",
        "item",
        'date("2026-01-31")',
        '@"10:00:00"',
    ]
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(
        children, st.sampled_from(["+", "-", "*", "/", "**", "=", "<", ">=", "and", "or"]), children
    )
    return st.one_of(
        binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(children, children, children).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
        children.map(lambda c: f"[{c}, {c}]"),
        children.map(lambda c: f"{{k: {c}, m: k}}.m"),
        children.map(lambda c: f"xs[{c}]"),
        children.map(lambda c: f"(for i in xs return {c})"),
        children.map(lambda c: f"(some i in xs satisfies {c})"),
        children.map(lambda c: f"({c} in [1..10])"),
        children.map(lambda c: f"({c} between 1 and 5)"),
        children.map(lambda c: f"{c}.a"),
        children.map(lambda c: f"-{c}"),
        st.tuples(
            st.sampled_from(
                [
                    "sum",
                    "count",
                    "string",
                    "abs",
                    "floor",
                    "upper case",
                    "not",
                    "date",
                    "duration",
                    "string length",
                    "min",
                    "sort",
                    "reverse",
                    "flatten",
                    "is defined",
                ]
            ),
            children,
        ).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(children, children).map(lambda t: f"substring({t[0]}, {t[1]})"),
        children.map(lambda c: f"(function(a) a + {c})(x)"),
        children.map(lambda c: f"({c} instance of number)"),
    )


expressions = st.recursive(_ATOMS, _combine, max_leaves=8)


def _parses_or_rejects(source: str) -> None:
    try:
        compile_feel(source)
    except FeelSyntaxError as problem:
        assert problem.source == source
        assert 0 <= problem.position <= len(source)


@_SETTINGS
@given(st.text(max_size=40))
def test_arbitrary_text_only_raises_syntax_errors(source: str) -> None:
    _parses_or_rejects(source)


@_SETTINGS
@given(st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join))
def test_token_soup_only_raises_syntax_errors(source: str) -> None:
    _parses_or_rejects(source)
    with contextlib.suppress(FeelSyntaxError):
        compile_unary_tests(source)


@_SETTINGS
@given(expressions, variables)
def test_evaluation_never_raises_and_results_serialise(source: str, values: dict[str, Any]) -> None:
    evaluation = compile_feel(source).evaluate_detailed(values)
    json.dumps(to_json(evaluation.value))
    assert all(isinstance(warning, str) for warning in evaluation.warnings)


@_SETTINGS
@given(st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join), variables)
def test_evaluating_anything_that_compiles_never_raises(source: str, values: dict[str, Any]) -> None:
    try:
        expression = compile_feel(source)
    except FeelSyntaxError:
        return
    json.dumps(to_json(expression.evaluate(values)))


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    for source in ["(" * 5000 + "1" + ")" * 5000, "-" * 5000 + "1", "[" * 3000, "not(" * 3000 + "1"]:
        _parses_or_rejects(source)
