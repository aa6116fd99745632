"""Turn a syntax tree into nested Python closures.

Each node becomes a function ``Scope -> value``; evaluation is then a chain of plain calls with
no dispatch on node types, which is what makes a compiled condition cheap to evaluate often.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from decimal import Decimal
from typing import Any

from . import nodes as n
from . import operators
from .builtins import BUILTINS
from .members import member
from .scope import Run, Scope
from .temporal import parse_temporal
from .types import instance_of
from .values import NUMBERS, FeelFunction, Range, compare, equal, feel_value, type_name

Compiled = Callable[[Scope], Any]
# A unary test checks the tested value; it answers True, False or None (unknown).
Test = Callable[[Scope, Any], "bool | None"]

_MISSING = object()


def compile_node(node: n.Node) -> Compiled:
    compile_kind = _COMPILERS.get(type(node))
    if compile_kind is None:
        raise TypeError(f"no compiler for {type(node).__name__}")
    return compile_kind(node)


def lookup(scope: Scope, name: str) -> Any:
    """The raw value bound to ``name`` in the nearest scope, or ``_MISSING``."""
    current: Scope | None = scope
    while current is not None:
        value = current.values.get(name, _MISSING)
        if value is not _MISSING:
            return value
        current = current.parent
    return _MISSING


def _literal(node: n.Literal) -> Compiled:
    value = node.value
    return lambda scope: value


def _temporal(node: n.TemporalLiteral) -> Compiled:
    value = parse_temporal(node.text)
    if value is not None:
        return lambda scope: value
    text = node.text

    def invalid(scope: Scope) -> Any:
        scope.run.warn(f"'{text}' is not a valid date, time, date and time or duration")
        return None

    return invalid


def _name(node: n.Name) -> Compiled:
    name = node.name
    builtin = BUILTINS.get(name)

    def read(scope: Scope) -> Any:
        current: Scope | None = scope
        while current is not None:
            value = current.values.get(name, _MISSING)
            if value is not _MISSING:
                return feel_value(value)
            current = current.parent
        if builtin is not None:
            return builtin
        scope.run.warn(f"no variable found for name '{name}'")
        return None

    return read


def _path(node: n.Path) -> Compiled:
    target = compile_node(node.target)
    key = node.key
    return lambda scope: member(scope.run, target(scope), key)


def _filter(node: n.Filter) -> Compiled:
    target = compile_node(node.target)
    condition = compile_node(node.condition)
    # Like Camunda: comparisons and calls always filter; other expressions that give a number
    # without an item in scope (a literal, a variable, "n - 1") select by index.
    may_be_index = not isinstance(
        node.condition, (n.Comparison, n.Call, n.And, n.Or, n.Between, n.In, n.InstanceOf, n.Quantified)
    )

    def apply(scope: Scope) -> Any:
        value = target(scope)
        if value is None:
            return None
        items = value if type(value) is list else [value]
        if may_be_index:
            # Evaluated without "item" and with a scratch run, so that filters don't leave warnings.
            index = condition(Scope({}, scope, scope.run.scratch()))
            if type(index) is Decimal:
                return _index(scope.run, items, index)
        selected: list[Any] = []
        for raw in items:
            item = feel_value(raw)
            if type(item) is dict or isinstance(item, Mapping):
                # Entries of a context item are in scope by their names as well as through "item".
                names = dict(item)
                names["item"] = item
            else:
                names = {"item": item}
            if condition(scope.child(names)) is True:
                selected.append(item)
        return selected

    return apply


def _index(run: Run, items: list[Any], index: Decimal) -> Any:
    if index != index.to_integral_value():
        run.warn(f"list index {index} is not a whole number")
        return None
    position = int(index)
    if position > 0 and position <= len(items):
        return feel_value(items[position - 1])
    if position < 0 and -position <= len(items):
        return feel_value(items[position])
    run.warn(f"list index {position} is out of range for a list of {len(items)} items")
    return None


def _call(node: n.Call) -> Compiled:
    positional = [compile_node(argument) for argument in node.positional]
    named = (
        [(name, compile_node(argument)) for name, argument in node.named] if node.named is not None else None
    )
    count = len(named) if named is not None else len(positional)
    resolve = _resolve_function(node.function, count)

    def call(scope: Scope) -> Any:
        function = resolve(scope)
        if function is None:
            return None
        if named is not None:
            return function.invoke(scope.run, None, {name: argument(scope) for name, argument in named})
        return function.invoke(scope.run, [argument(scope) for argument in positional], None)

    return call


def _resolve_function(node: n.Node, count: int) -> Callable[[Scope], FeelFunction | None]:
    if isinstance(node, n.Name):
        name = node.name
        builtin = BUILTINS.get(name)

        def by_name(scope: Scope) -> FeelFunction | None:
            value = lookup(scope, name)
            if isinstance(value, FeelFunction):
                return value
            if builtin is not None:
                return builtin
            scope.run.warn(f"no function found with name '{name}' and {count} parameters")
            return None

        return by_name
    target = compile_node(node)

    def by_value(scope: Scope) -> FeelFunction | None:
        value = target(scope)
        if isinstance(value, FeelFunction):
            return value
        if value is not None:
            scope.run.warn(f"expected function but found {type_name(value)}")
        return None

    return by_value


def _negate(node: n.Negate) -> Compiled:
    if isinstance(node.operand, n.Literal) and type(node.operand.value) is Decimal:
        constant = NUMBERS.minus(node.operand.value)
        return lambda scope: constant
    operand = compile_node(node.operand)
    return lambda scope: operators.negate(scope.run, operand(scope))


_ARITHMETIC = {
    "+": operators.add,
    "-": operators.subtract,
    "*": operators.multiply,
    "/": operators.divide,
    "**": operators.power,
}


def _arithmetic(node: n.Arithmetic) -> Compiled:
    left = compile_node(node.left)
    right = compile_node(node.right)
    operation = _ARITHMETIC[node.operator]
    return lambda scope: operation(scope.run, left(scope), right(scope))


def _ordering(operator: str) -> Callable[[int], bool]:
    return {
        "<": lambda order: order < 0,
        "<=": lambda order: order <= 0,
        ">": lambda order: order > 0,
        ">=": lambda order: order >= 0,
    }[operator]


def compare_with(run: Run, operator: str, left: Any, right: Any) -> bool | None:
    """Apply a comparison operator the FEEL way: null when the operands have no common order."""
    if operator == "=" or operator == "!=":
        same = equal(left, right)
        if same is None:
            _not_comparable(run, left, right)
            return None
        return same if operator == "=" else not same
    order = compare(left, right)
    if order is None:
        _not_comparable(run, left, right)
        return None
    return _ordering(operator)(order)


def _not_comparable(run: Run, left: Any, right: Any) -> None:
    if left is not None and right is not None:
        run.warn(f"can't compare {type_name(left)} with {type_name(right)}")


def _comparison(node: n.Comparison) -> Compiled:
    left = compile_node(node.left)
    operator = node.operator
    right_node = node.right
    if isinstance(right_node, n.Literal) and right_node.value is not None and operator in ("=", "!="):
        # The common "status = "open"" shape: skip the generic equality when the types match.
        constant = right_node.value
        constant_kind = type(constant)
        wanted = operator == "="

        def equals_constant(scope: Scope) -> Any:
            value = left(scope)
            if type(value) is constant_kind:
                return (value == constant) is wanted
            return compare_with(scope.run, operator, value, constant)

        return equals_constant
    if isinstance(right_node, n.Literal) and type(right_node.value) is Decimal:
        number = right_node.value
        test = _ordering(operator) if operator not in ("=", "!=") else None
        if test is not None:

            def against_number(scope: Scope) -> Any:
                value = left(scope)
                if type(value) is Decimal:
                    return test((value > number) - (value < number))
                return compare_with(scope.run, operator, value, number)

            return against_number
    right = compile_node(right_node)
    return lambda scope: compare_with(scope.run, operator, left(scope), right(scope))


def _and(node: n.And) -> Compiled:
    left = compile_node(node.left)
    right = compile_node(node.right)

    def conjunction(scope: Scope) -> bool | None:
        first = left(scope)
        if first is False:
            return False
        second = right(scope)
        if second is False:
            return False
        if first is True and second is True:
            return True
        return None

    return conjunction


def _or(node: n.Or) -> Compiled:
    left = compile_node(node.left)
    right = compile_node(node.right)

    def disjunction(scope: Scope) -> bool | None:
        first = left(scope)
        if first is True:
            return True
        second = right(scope)
        if second is True:
            return True
        if first is False and second is False:
            return False
        return None

    return disjunction


def _between(node: n.Between) -> Compiled:
    value = compile_node(node.value)
    low = compile_node(node.low)
    high = compile_node(node.high)

    def between(scope: Scope) -> bool | None:
        tested = value(scope)
        run = scope.run
        above = compare_with(run, ">=", tested, low(scope))
        below = compare_with(run, "<=", tested, high(scope))
        if above is False or below is False:
            return False
        if above is True and below is True:
            return True
        return None

    return between


def _unary_comparison(node: n.UnaryComparison) -> Compiled:
    operand = compile_node(node.operand)
    operator = node.operator

    def as_range(scope: Scope) -> Any:
        bound = operand(scope)
        if operator in ("<", "<="):
            return Range(None, False, bound, operator == "<=")
        return Range(bound, operator == ">=", None, False)

    return as_range


def compile_test(node: n.Node) -> Test:
    """Compile one positive unary test: ``< 5``, ``[1..3]``, ``"a"``, ``? > 2`` and the like."""
    if isinstance(node, n.UnaryComparison):
        operand = compile_node(node.operand)
        operator = node.operator
        return lambda scope, tested: compare_with(scope.run, operator, tested, operand(scope))
    expression = compile_node(node)
    uses_input = references(node, "?")

    def test(scope: Scope, tested: Any) -> bool | None:
        if uses_input:
            # A test that mentions "?" is a condition on the input and decides by itself.
            result = expression(scope.child({"?": tested}))
            return result if type(result) is bool else None
        return matches(scope.run, tested, expression(scope))

    return test


def matches(run: Run, tested: Any, expected: Any) -> bool | None:
    """Whether the value of a unary-test expression accepts the tested value (Camunda's rules)."""
    if expected is True:
        # Camunda lets a test that evaluates to true (e.g. "x > 5") match whatever the input is.
        return True
    kind = type(expected)
    if isinstance(expected, Range):
        return expected.contains(tested)
    if kind is list and any(equal(item, tested) is True for item in expected):
        return True
    same = equal(tested, expected)
    if same is True:
        return True
    if same is None and expected is not False and kind is not list:
        return None
    return False


def any_test(tests: list[Test], scope: Scope, tested: Any) -> bool | None:
    unknown = False
    for test in tests:
        outcome = test(scope, tested)
        if outcome is True:
            return True
        if outcome is None:
            unknown = True
    return None if unknown else False


def _in(node: n.In) -> Compiled:
    value = compile_node(node.value)
    tests = [compile_test(test) for test in node.tests]
    return lambda scope: any_test(tests, scope, value(scope))


def _instance_of(node: n.InstanceOf) -> Compiled:
    value = compile_node(node.value)
    spec = node.type
    return lambda scope: instance_of(scope.run, value(scope), spec)


def _if(node: n.If) -> Compiled:
    condition = compile_node(node.condition)
    then = compile_node(node.then)
    otherwise = compile_node(node.otherwise)
    return lambda scope: then(scope) if condition(scope) is True else otherwise(scope)


# A range or a cartesian product beyond this is null with a warning: a bound taken from a variable
# (`for i in 1..n`) must not let a client's data stall the engine, which evaluates on its one loop.
MAX_ITERATIONS = 100_000


def _iteration_values(run: Run, start: Any, end: Any, ranged: bool) -> list[Any] | None:
    """The values one iteration variable takes: list items, or the integers of a range."""
    if ranged or type(start) is Range:
        if type(start) is Range:
            start, end = start.start, start.end
        if type(start) is not Decimal or type(end) is not Decimal:
            run.warn(f"can't iterate from {type_name(start)} to {type_name(end)}")
            return None
        first, last = int(start), int(end)
        if abs(last - first) >= MAX_ITERATIONS:
            run.warn(f"can't iterate over more than {MAX_ITERATIONS} values (from {first} to {last})")
            return None
        step = 1 if last >= first else -1
        return [Decimal(i) for i in range(first, last + step, step)]
    if type(start) is list:
        return start
    run.warn(f"expected list but found {type_name(start)} to iterate over")
    return None


def _iterations(iterations: tuple[n.Iteration, ...]) -> Callable[[Scope], list[Scope] | None]:
    """One scope per combination of iteration values (the cartesian product, in order).

    ``None`` when some source is not a list: the whole loop is then null, as in Camunda.
    """
    compiled = [
        (
            iteration.name,
            compile_node(iteration.source),
            compile_node(iteration.range_end) if iteration.range_end is not None else None,
        )
        for iteration in iterations
    ]

    def product(scope: Scope, depth: int, into: list[Scope]) -> bool:
        name, source, range_end = compiled[depth]
        start = source(scope)
        end = range_end(scope) if range_end is not None else None
        values = _iteration_values(scope.run, start, end, range_end is not None)
        if values is None:
            return False
        for raw in values:
            inner = scope.child({name: feel_value(raw)})
            if depth + 1 == len(compiled):
                if len(into) >= MAX_ITERATIONS:
                    scope.run.warn(f"can't iterate over more than {MAX_ITERATIONS} combinations")
                    return False
                into.append(inner)
            elif not product(inner, depth + 1, into):
                return False
        return True

    def combinations(scope: Scope) -> list[Scope] | None:
        scopes: list[Scope] = []
        return scopes if product(scope, 0, scopes) else None

    return combinations


def _for(node: n.For) -> Compiled:
    combinations = _iterations(node.iterations)
    body = compile_node(node.body)

    def loop(scope: Scope) -> list[Any] | None:
        results: list[Any] = []
        # "partial" holds the results so far, which lets a loop refer to its own earlier items.
        scopes = combinations(scope.child({"partial": results}))
        if scopes is None:
            return None
        for inner in scopes:
            results.append(body(inner))
        return results

    return loop


def _quantified(node: n.Quantified) -> Compiled:
    combinations = _iterations(node.iterations)
    condition = compile_node(node.condition)
    every = node.every

    def quantify(scope: Scope) -> bool | None:
        scopes = combinations(scope)
        if scopes is None:
            return None
        # Three-valued: a decisive outcome wins, otherwise any non-boolean makes the answer unknown.
        decisive: bool = not every
        unknown = False
        for inner in scopes:
            outcome = condition(inner)
            if outcome is decisive:
                return not every
            if type(outcome) is not bool:
                unknown = True
        return None if unknown else every

    return quantify


class UserFunction(FeelFunction):
    """A function defined in FEEL; it sees the names in scope where it was defined."""

    __slots__ = ("_body", "_closure", "_parameters")

    def __init__(self, parameters: tuple[str, ...], body: Compiled, closure: Scope) -> None:
        self._parameters = parameters
        self._body = body
        self._closure = closure

    @property
    def parameters(self) -> tuple[str, ...]:
        return self._parameters

    def invoke(self, run: Run, positional: list[Any] | None, named: dict[str, Any] | None) -> Any:
        parameters = self._parameters
        if named is not None:
            unknown = set(named) - set(parameters)
            if unknown:
                run.warn(f"function has no parameter named '{sorted(unknown)[0]}'")
                return None
            bound = {name: named.get(name) for name in parameters}
        else:
            arguments = positional or []
            if len(arguments) > len(parameters):
                run.warn(f"function expects {len(parameters)} parameters but got {len(arguments)}")
                return None
            bound = {name: arguments[i] if i < len(arguments) else None for i, name in enumerate(parameters)}
        return self._body(Scope(bound, self._closure, run))


def _function_definition(node: n.FunctionDefinition) -> Compiled:
    body = compile_node(node.body)
    parameters = node.parameters
    return lambda scope: UserFunction(parameters, body, scope)


def _list(node: n.ListLiteral) -> Compiled:
    items = [compile_node(item) for item in node.items]
    return lambda scope: [item(scope) for item in items]


def _context(node: n.ContextLiteral) -> Compiled:
    entries = [(key, compile_node(value)) for key, value in node.entries]

    def build(scope: Scope) -> dict[str, Any]:
        result: dict[str, Any] = {}
        # Later entries may use earlier ones by name.
        inner = scope.child(result)
        for key, value in entries:
            result[key] = value(inner)
        return result

    return build


def _range(node: n.RangeLiteral) -> Compiled:
    start = compile_node(node.start)
    end = compile_node(node.end)
    start_included, end_included = node.start_included, node.end_included

    def build(scope: Scope) -> Range | None:
        low, high = start(scope), end(scope)
        if low is not None and high is not None and compare(low, high) is None:
            scope.run.warn(f"a range can't go from {type_name(low)} to {type_name(high)}")
            return None
        return Range(low, start_included, high, end_included)

    return build


_COMPILERS: dict[type[n.Node], Callable[[Any], Compiled]] = {
    n.Literal: _literal,
    n.TemporalLiteral: _temporal,
    n.Name: _name,
    n.Path: _path,
    n.Filter: _filter,
    n.Call: _call,
    n.Negate: _negate,
    n.Arithmetic: _arithmetic,
    n.Comparison: _comparison,
    n.And: _and,
    n.Or: _or,
    n.Between: _between,
    n.UnaryComparison: _unary_comparison,
    n.In: _in,
    n.InstanceOf: _instance_of,
    n.If: _if,
    n.For: _for,
    n.Quantified: _quantified,
    n.FunctionDefinition: _function_definition,
    n.ListLiteral: _list,
    n.ContextLiteral: _context,
    n.RangeLiteral: _range,
}


def references(node: Any, name: str) -> bool:
    """Whether the tree mentions ``name`` (used to find tests that refer to the input ``?``)."""
    if isinstance(node, n.Name):
        return node.name == name
    if isinstance(node, tuple):
        return any(references(item, name) for item in node)
    if isinstance(node, (n.Node, n.Iteration)):
        return any(references(getattr(node, field.name), name) for field in fields(node))  # type: ignore[arg-type]
    return False
