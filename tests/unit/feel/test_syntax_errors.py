"""Syntax errors name the position and what was expected."""

from __future__ import annotations

import pytest

from engine.feel import FeelError, FeelSyntaxError
from engine.feel import compile as compile_feel


def test_message_names_line_column_and_expectation() -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        compile_feel("if (x > 1 then 2 else 3")
    error = caught.value
    assert str(error) == "line 1, column 11: expected ')' but found 'then'"
    assert error.position == 10
    assert error.expected == "')'"
    assert error.source == "if (x > 1 then 2 else 3"
    assert isinstance(error, FeelError)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("1 +", "line 1, column 4: expected an expression but found end of input"),
        ("[1, 2", "line 1, column 6: expected ']' but found end of input"),
        ('"open', "line 1, column 1: expected closing '\"' of the string but found end of input"),
        ("{a 1}", "line 1, column 4: expected ':' but found '1'"),
        ("if x then 1", "line 1, column 12: expected 'else' but found end of input"),
        ("1 2", "line 1, column 3: expected end of input but found '2'"),
        ("a\n  + * 2", "line 2, column 5: expected an expression but found '*'"),
        ("x # y", "line 1, column 3: expected an expression but found '#'"),
        ("for x in xs", "line 1, column 12: expected 'return' but found end of input"),
    ],
)
def test_syntax_errors(source: str, message: str) -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        compile_feel(source)
    assert str(caught.value) == message
