"""Decision-table input entries (unary tests)."""

from __future__ import annotations

import pytest

from engine.feel import FeelSyntaxError, compile_unary_tests, evaluate_unary_tests


@pytest.mark.parametrize(
    ("tests", "value", "expected"),
    [
        ("-", "anything", True),
        ("-", None, True),
        ('"a","b"', "b", True),
        ('"a","b"', "c", False),
        ("< 10", 5, True),
        ("< 10", 10, False),
        ("<= 10", 10, True),
        ("!= 3", 4, True),
        ("= 3", 3, True),
        ("[1..5]", 5, True),
        ("[1..5)", 5, False),
        ("]1..5]", 1, False),
        ("> 1, < -1", -5, True),
        ('not("x")', "y", True),
        ('not("x", "y")', "y", False),
        ("not(< 3)", 5, True),
        ("? > 3", 4, True),
        ('starts with(?, "投")', "投诉", True),
        ("threshold", 7, True),
        ("threshold", 8, False),
        ("threshold + 1", 8, True),
        ("limits", 2, True),
        ("null", None, True),
        ("null", 1, False),
        ("true", True, True),
        ("false", False, True),
        ("false", True, False),
        ("< 10", "a", False),
        ("< 10", None, False),
        ('@"2026-10-01"', "2026-10-01", False),
        ('date(?) > @"2026-01-01"', "2026-10-01", True),
        ("count(?) > 1", [1, 2], True),
    ],
)
def test_unary_tests(tests: str, value: object, expected: bool) -> None:
    variables = {"threshold": 7, "limits": [1, 2, 3]}
    assert evaluate_unary_tests(tests, value, variables) is expected


def test_compiled_unary_tests_are_reusable() -> None:
    tests = compile_unary_tests("[1..5], > 100")
    assert [tests.matches(value, {}) for value in (1, 6, 101)] == [True, False, True]


def test_unary_test_syntax_errors() -> None:
    with pytest.raises(FeelSyntaxError):
        compile_unary_tests("< ")
