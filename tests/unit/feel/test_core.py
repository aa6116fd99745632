"""Literals, names, operators, control flow and the other core constructs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.feel import compile as compile_feel
from engine.feel import evaluate

from .helpers import run, warnings_of

VARIABLES = {
    "priority": 5,
    "category": "投诉",
    "ratio": 0.1,
    "flag": True,
    "nothing": None,
    "order": {"id": "o-1", "customer": {"name": "Li", "vip": True}, "lines": [{"sku": "a", "qty": 2}]},
    "items": [{"amount": 5, "id": 1}, {"amount": 50, "id": 2}, {"amount": 500, "id": 3}],
    "numbers": [3, 1, 2],
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1", 1),
        ("-1.5", -1.5),
        (".5", 0.5),
        ('"text"', "text"),
        ('"quote \\" and \\\\ and \\n"', 'quote " and \\ and \n'),
        ('"\\u00e9"', "é"),
        ("true", True),
        ("false", False),
        ("null", None),
        ("[1, 2, 3]", [1, 2, 3]),
        ("[]", []),
        ('{a: 1, "b c": 2}', {"a": 1, "b c": 2}),
        ("{a: 1, b: a + 1}", {"a": 1, "b": 2}),
        ("{}", {}),
    ],
)
def test_literals(source: str, expected: object) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 / 4", 2.5),
        ("2 ** 10", 1024),
        ("-2 ** 2", 4),
        ("7 - 2 - 1", 4),
        ("0.1 + 0.2", 0.3),
        ('"a" + "b"', "ab"),
        ("1 + null", None),
        ("1 / 0", None),
        ("ratio * 3", 0.3),
        ("- priority", -5),
    ],
)
def test_arithmetic(source: str, expected: object) -> None:
    assert run(source, VARIABLES) == expected


def test_numbers_are_exact_decimals() -> None:
    assert evaluate("0.1 + 0.2") == Decimal("0.3")
    assert evaluate("1 / 3") == Decimal("0.3333333333333333333333333333333333")
    assert evaluate("ratio", {"ratio": 0.1}) == Decimal("0.1")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("priority > 3", True),
        ("priority >= 5", True),
        ("priority < 5", False),
        ("priority <= 4", False),
        ("priority = 5", True),
        ("priority != 5", False),
        ('category = "投诉"', True),
        ('"a" < "b"', True),
        ("null = null", True),
        ("nothing = null", True),
        ("1 = null", False),
        ('1 = "1"', None),
        ("1 < null", None),
        ("[1, 2] = [1, 2]", True),
        ("{a: 1} = {a: 1}", True),
        ('priority > 3 and category = "投诉"', True),
    ],
)
def test_comparison(source: str, expected: object) -> None:
    assert run(source, VARIABLES) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("true and true", True),
        ("true and false", False),
        ("true and null", None),
        ("false and null", False),
        ("true or null", True),
        ("false or null", None),
        ("false or false", False),
        ("not(true)", False),
        ("not(null)", None),
        ("true and 1", None),
    ],
)
def test_three_valued_logic(source: str, expected: object) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("order.id", "o-1"),
        ("order.customer.name", "Li"),
        ("order.lines.qty", [2]),
        ("items.amount", [5, 50, 500]),
        ("items[amount > 10]", [{"amount": 50, "id": 2}, {"amount": 500, "id": 3}]),
        ("items[item.amount > 10].id", [2, 3]),
        ("numbers[item > 1]", [3, 2]),
        ("numbers[1]", 3),
        ("numbers[-1]", 2),
        ("numbers[0]", None),
        ("numbers[4]", None),
        ("[][item > 1]", []),
        ("{a: {b: 3}}.a.b", 3),
        ("order.missing", None),
    ],
)
def test_paths_and_filters(source: str, expected: object) -> None:
    assert run(source, VARIABLES) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('if priority > 3 then "high" else "low"', "high"),
        ("if nothing then 1 else 2", 2),
        ("5 in [1..10]", True),
        ("5 in (5..10]", False),
        ("5 in [1, 2, 5]", True),
        ("5 in < 10", True),
        ("5 in (< 3, > 4)", True),
        ("5 between 1 and 10", True),
        ("11 between 1 and 10", False),
        ("for x in numbers return x * 2", [6, 2, 4]),
        ("for x in 1..3, y in [10, 20] return x + y", [11, 21, 12, 22, 13, 23]),
        ("for i in 1..4 return if i = 1 then 1 else i * partial[-1]", [1, 2, 6, 24]),
        ("some x in numbers satisfies x > 2", True),
        ("every x in numbers satisfies x > 2", False),
        ("(function(a, b) a + b)(1, 2)", 3),
        ("{f: function(x) x * 2, r: f(21)}.r", 42),
    ],
)
def test_control_flow(source: str, expected: object) -> None:
    assert run(source, VARIABLES) == expected


def test_missing_variable_warns_and_yields_null() -> None:
    evaluation = compile_feel("x + 1").evaluate_detailed({})
    assert evaluation.value is None
    assert evaluation.warnings == ["no variable found for name 'x'"]


def test_warning_messages() -> None:
    assert warnings_of('"a" + 1') == ["expected number but found string for operator '+'"]
    assert warnings_of("foo(1, 2)") == ["no function found with name 'foo' and 2 parameters"]


def test_variables_are_read_without_copying() -> None:
    items = [{"amount": i} for i in range(3)]
    variables = {"items": items}
    evaluate("items[amount > 0]", variables)
    assert items == [{"amount": 0}, {"amount": 1}, {"amount": 2}]
    assert type(items[0]["amount"]) is int


def test_function_call_with_named_arguments() -> None:
    assert run('substring(string: "hello", start position: 2, length: 3)') == "ell"


def test_parser_knows_exactly_the_built_in_names_with_spaces() -> None:
    from engine.feel.builtins import BUILTINS
    from engine.feel.names import MULTI_WORD_FUNCTIONS

    assert {" ".join(words) for words in MULTI_WORD_FUNCTIONS} == {name for name in BUILTINS if " " in name}
