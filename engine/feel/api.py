"""The public entry points: compiling and evaluating expressions and unary tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from .compiler import Compiled, Test, any_test, compile_node, compile_test
from .errors import FeelSyntaxError
from .parser import parse_expression, parse_unary_tests
from .scope import Run, Scope
from .values import feel_value, from_json


@dataclass(slots=True)
class Evaluation:
    value: Any
    warnings: list[str] = field(default_factory=list)


def _run_guarded(run: Run, work: Any) -> Any:
    """Evaluate, turning any unexpected failure into null plus a warning: data must never crash us."""
    try:
        return work()
    except RecursionError:
        run.warn("evaluation nested too deeply (unbounded recursion?)")
    except Exception as problem:
        run.warn(f"evaluation failed: {type(problem).__name__}: {problem}")
    return None


def _dedupe(warnings: list[str]) -> list[str]:
    return list(dict.fromkeys(warnings))


class Expression:
    """A compiled FEEL expression; compile once, evaluate as often as needed."""

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        tree = parse_expression(source)
        try:
            self._compiled: Compiled = compile_node(tree)
        except RecursionError:
            raise FeelSyntaxError(source, 0, "a less deeply nested expression", "too deep nesting") from None

    def evaluate(self, variables: Mapping[str, Any] | None = None, *, now: datetime | None = None) -> Any:
        return self._run(Run(now), variables)

    def evaluate_detailed(
        self, variables: Mapping[str, Any] | None = None, *, now: datetime | None = None
    ) -> Evaluation:
        run = Run(now)
        value = self._run(run, variables)
        return Evaluation(value, _dedupe(run.warnings))

    def _run(self, run: Run, variables: Mapping[str, Any] | None) -> Any:
        scope = Scope(variables if variables is not None else {}, None, run)
        compiled = self._compiled
        return _run_guarded(run, lambda: from_json(compiled(scope)))

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


class UnaryTests:
    """Compiled decision-table input entry (``-``, ``< 10``, ``"a","b"``, ``not(...)``, ...)."""

    __slots__ = ("_matches_anything", "_negated", "_tests", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        parsed = parse_unary_tests(source)
        try:
            self._tests: list[Test] = [compile_test(test) for test in parsed.tests]
        except RecursionError:
            raise FeelSyntaxError(source, 0, "less deeply nested tests", "too deep nesting") from None
        self._negated = parsed.negated
        self._matches_anything = parsed.matches_anything

    def matches(
        self, input_value: Any, variables: Mapping[str, Any] | None = None, *, now: datetime | None = None
    ) -> bool:
        return self.matches_detailed(input_value, variables, now=now).value is True

    def matches_detailed(
        self, input_value: Any, variables: Mapping[str, Any] | None = None, *, now: datetime | None = None
    ) -> Evaluation:
        if self._matches_anything:
            return Evaluation(True)
        run = Run(now)
        tested = feel_value(input_value)
        # The input is also visible as "?" to every test, e.g. "starts with(?, "A")".
        base = Scope(variables if variables is not None else {}, None, run)
        scope = base.child({"?": tested})

        def decide() -> bool | None:
            outcome = any_test(self._tests, scope, tested)
            if self._negated and outcome is not None:
                return not outcome
            return outcome

        return Evaluation(_run_guarded(run, decide), _dedupe(run.warnings))

    def __repr__(self) -> str:
        return f"UnaryTests({self.source!r})"


@lru_cache(maxsize=4096)
def compile(source: str) -> Expression:
    """Parse and compile ``source``; raises ``FeelSyntaxError`` if it is not FEEL."""
    return Expression(source)


@lru_cache(maxsize=4096)
def compile_unary_tests(tests: str) -> UnaryTests:
    return UnaryTests(tests)


def evaluate(source: str, variables: Mapping[str, Any] | None = None, *, now: datetime | None = None) -> Any:
    return compile(source).evaluate(variables, now=now)


def evaluate_unary_tests(
    tests: str, input_value: Any, variables: Mapping[str, Any] | None = None, *, now: datetime | None = None
) -> bool:
    return compile_unary_tests(tests).matches(input_value, variables, now=now)
