"""Evaluating the model's property values the way Zeebe does, with Zeebe's failure messages.

A failure is not an exception to the engine's caller: the behaviour that evaluated the expression
turns it into an incident.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine import feel
from engine.model.elements import Expr


class EvaluationFailure(Exception):
    """An expression could not give a usable value; the message becomes the incident's."""

    def __init__(self, message: str, error_type: str = "EXTRACT_VALUE_ERROR") -> None:
        super().__init__(message)
        self.error_type = error_type


def result_type(value: Any) -> str:
    """Zeebe's name for the type of a FEEL result."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int | float | Decimal):
        return "NUMBER"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, list):
        return "ARRAY"
    if isinstance(value, dict):
        return "OBJECT"
    return "UNKNOWN"


def _warnings_suffix(warnings: list[str]) -> str:
    if not warnings:
        return ""
    return " The evaluation reported the following warnings:\n" + "\n".join(warnings)


def evaluate(expr: Expr, variables: Mapping[str, Any]) -> Any:
    """The JSON value of `expr`: the static text itself, or the FEEL result."""
    if expr.compiled is None:
        return expr.source
    return feel.to_json(expr.compiled.evaluate(variables))


def _evaluate_typed(expr: Expr, variables: Mapping[str, Any], expected: str) -> Any:
    assert expr.compiled is not None
    evaluation = expr.compiled.evaluate_detailed(variables)
    value = feel.to_json(evaluation.value)
    actual = result_type(value)
    if actual != expected:
        raise EvaluationFailure(
            f"Expected result of the expression '{expr.source.removeprefix('=')}' to be '{expected}', "
            f"but was '{actual}'." + _warnings_suffix(evaluation.warnings)
        )
    return value


def evaluate_boolean(expr: Expr, variables: Mapping[str, Any]) -> bool:
    if expr.compiled is None:
        raise EvaluationFailure(f"Expected a FEEL condition, but found the static value '{expr.source}'.")
    return bool(_evaluate_typed(expr, variables, "BOOLEAN"))


def evaluate_string(expr: Expr, variables: Mapping[str, Any]) -> str:
    if expr.compiled is None:
        return expr.source
    return str(_evaluate_typed(expr, variables, "STRING"))


def evaluate_integer(expr: Expr, variables: Mapping[str, Any]) -> int:
    if expr.compiled is None:
        try:
            return int(expr.source)
        except ValueError:
            raise EvaluationFailure(
                f"Expected a number, but found the static value '{expr.source}'."
            ) from None
    return int(_evaluate_typed(expr, variables, "NUMBER"))


def evaluate_correlation_key(expr: Expr, variables: Mapping[str, Any]) -> str:
    """A correlation key is a string, or a number turned into one (Zeebe's rule)."""
    if expr.compiled is None:
        return expr.source
    evaluation = expr.compiled.evaluate_detailed(variables)
    value = feel.to_json(evaluation.value)
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise EvaluationFailure(
        f"Failed to extract the correlation key for '{expr.source.removeprefix('=')}': The value must be "
        f"either a string or a number, but was '{result_type(value)}'."
        + _warnings_suffix(evaluation.warnings)
    )
