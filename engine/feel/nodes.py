"""The syntax tree the parser produces and the compiler consumes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal as TypingLiteral


class Node:
    """Base of all syntax tree nodes; ``start`` is the 0-based source offset for messages."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Decimal | str | bool | None


@dataclass(frozen=True, slots=True)
class TemporalLiteral(Node):
    text: str


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Path(Node):
    target: Node
    key: str


@dataclass(frozen=True, slots=True)
class Filter(Node):
    target: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    function: Node
    positional: tuple[Node, ...]
    # None means "called with positional arguments"; FEEL forbids mixing the two styles.
    named: tuple[tuple[str, Node], ...] | None


@dataclass(frozen=True, slots=True)
class Negate(Node):
    operand: Node


ArithmeticOperator = TypingLiteral["+", "-", "*", "/", "**"]
ComparisonOperator = TypingLiteral["=", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    operator: ArithmeticOperator
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    operator: ComparisonOperator
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class And(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class UnaryComparison(Node):
    """``< 5`` as a test: compares the tested value (left implicit) with ``operand``."""

    operator: ComparisonOperator
    operand: Node


@dataclass(frozen=True, slots=True)
class In(Node):
    value: Node
    tests: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class TypeSpec:
    name: str
    parameters: tuple[TypeSpec, ...] = ()
    # Only context types name their entries.
    entries: tuple[tuple[str, TypeSpec], ...] = ()


@dataclass(frozen=True, slots=True)
class InstanceOf(Node):
    value: Node
    type: TypeSpec


@dataclass(frozen=True, slots=True)
class If(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Iteration:
    name: str
    source: Node
    # Set for "for i in 1..3": iterate integers from source to range_end.
    range_end: Node | None = None


@dataclass(frozen=True, slots=True)
class For(Node):
    iterations: tuple[Iteration, ...]
    body: Node


@dataclass(frozen=True, slots=True)
class Quantified(Node):
    every: bool
    iterations: tuple[Iteration, ...]
    condition: Node


@dataclass(frozen=True, slots=True)
class FunctionDefinition(Node):
    parameters: tuple[str, ...]
    body: Node


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ContextLiteral(Node):
    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class RangeLiteral(Node):
    start_included: bool
    start: Node
    end: Node
    end_included: bool


@dataclass(frozen=True, slots=True)
class UnaryTests:
    """A decision-table input entry: ``-``, a list of tests, or ``not(...)`` of a list."""

    tests: tuple[Node, ...]
    negated: bool = False
    matches_anything: bool = False
