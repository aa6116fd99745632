"""FEEL, the expression language of BPMN and DMN, as Camunda's engine implements it.

Compile once with :func:`compile` and evaluate the result against plain JSON-like variables.
Syntax errors raise :class:`FeelSyntaxError`; evaluation never raises: problems with the data
give null (``None``) and a warning, as in Camunda.
"""

from .api import (
    Evaluation,
    Expression,
    UnaryTests,
    compile,
    compile_unary_tests,
    evaluate,
    evaluate_unary_tests,
)
from .errors import FeelError, FeelSyntaxError
from .jsonvalues import to_json
from .scope import clock, set_clock
from .values import from_json

__all__ = [
    "Evaluation",
    "Expression",
    "FeelError",
    "FeelSyntaxError",
    "UnaryTests",
    "clock",
    "compile",
    "compile_unary_tests",
    "evaluate",
    "evaluate_unary_tests",
    "from_json",
    "set_clock",
    "to_json",
]
