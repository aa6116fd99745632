"""List functions. Aggregates accept a list or the items as separate arguments (``max(1, 2)``)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import cmp_to_key
from typing import Any

from ..scope import Run
from ..values import NUMBERS, FeelFunction, compare, equal, feel_value, type_name
from .registry import builtin


def _items(values: list[Any]) -> list[Any]:
    return [feel_value(item) for item in values]


def _numbers(run: Run, function: str, values: list[Any]) -> list[Decimal] | None:
    items = _items(values)
    for item in items:
        if type(item) is not Decimal:
            run.warn(f"{function}() expects numbers but found {type_name(item)}")
            return None
    return items


Aggregate = Callable[[Run, list[Any]], Any]


def _both_forms(signature_name: str, parameter: str) -> Callable[[Aggregate], Aggregate]:
    """Register an aggregate for a single list argument and for separate arguments."""

    def register(implementation: Aggregate) -> Aggregate:
        builtin(f"{signature_name}({parameter}: list)")(implementation)
        builtin(f"{signature_name}({parameter}...: any)")(
            lambda run, *values: implementation(run, list(values))
        )
        return implementation

    return register


@builtin("list contains(list: list, element: any)")
def list_contains(run: Run, values: list[Any], element: Any) -> bool:
    return any(equal(item, element) is True for item in values)


@builtin("count(list: list)")
def count(run: Run, values: list[Any]) -> Decimal:
    return Decimal(len(values))


def _extreme(run: Run, function: str, values: list[Any], sign: int) -> Any:
    items = _items(values)
    if not items:
        return None
    best = items[0]
    for item in items[1:]:
        order = compare(item, best)
        if order is None:
            run.warn(f"{function}() can't compare {type_name(item)} with {type_name(best)}")
            return None
        if order * sign > 0:
            best = item
    if len(items) == 1 and compare(best, best) is None:
        run.warn(f"{function}() can't order {type_name(best)}")
        return None
    return best


@_both_forms("min", "list")
def minimum(run: Run, values: list[Any]) -> Any:
    return _extreme(run, "min", values, -1)


@_both_forms("max", "list")
def maximum(run: Run, values: list[Any]) -> Any:
    return _extreme(run, "max", values, 1)


@_both_forms("sum", "list")
def total(run: Run, values: list[Any]) -> Decimal | None:
    numbers = _numbers(run, "sum", values)
    if not numbers:
        return None
    result = Decimal(0)
    for number in numbers:
        result = NUMBERS.add(result, number)
    return result


@_both_forms("product", "list")
def product(run: Run, values: list[Any]) -> Decimal | None:
    numbers = _numbers(run, "product", values)
    if not numbers:
        return None
    result = Decimal(1)
    for number in numbers:
        result = NUMBERS.multiply(result, number)
    return result


@_both_forms("mean", "list")
def mean(run: Run, values: list[Any]) -> Decimal | None:
    numbers = _numbers(run, "mean", values)
    if not numbers:
        return None
    result = Decimal(0)
    for number in numbers:
        result = NUMBERS.add(result, number)
    return NUMBERS.divide(result, Decimal(len(numbers)))


@_both_forms("median", "list")
def median(run: Run, values: list[Any]) -> Decimal | None:
    numbers = _numbers(run, "median", values)
    if not numbers:
        return None
    ordered = sorted(numbers)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return NUMBERS.divide(NUMBERS.add(ordered[middle - 1], ordered[middle]), Decimal(2))


@_both_forms("stddev", "list")
def stddev(run: Run, values: list[Any]) -> Decimal | None:
    numbers = _numbers(run, "stddev", values)
    if numbers is None or len(numbers) < 2:
        return None
    average = mean(run, numbers)
    squares = Decimal(0)
    for number in numbers:
        deviation = NUMBERS.subtract(number, average)
        squares = NUMBERS.add(squares, NUMBERS.multiply(deviation, deviation))
    return NUMBERS.sqrt(NUMBERS.divide(squares, Decimal(len(numbers) - 1)))


@_both_forms("mode", "list")
def mode(run: Run, values: list[Any]) -> list[Decimal] | None:
    numbers = _numbers(run, "mode", values)
    if numbers is None:
        return None
    counts: dict[Decimal, int] = {}
    for number in numbers:
        counts[number] = counts.get(number, 0) + 1
    if not counts:
        return []
    most = max(counts.values())
    return sorted(number for number, seen in counts.items() if seen == most)


def _truth(run: Run, function: str, values: list[Any], decisive: bool) -> bool | None:
    """``all`` (decisive False) and ``any`` (decisive True) over three-valued booleans."""
    unknown = False
    verdict: bool = decisive
    for item in _items(values):
        if item is verdict:
            return bool(verdict)
        if type(item) is not bool:
            if item is not None:
                run.warn(f"{function}() expects booleans but found {type_name(item)}")
            unknown = True
    return None if unknown else not decisive


@_both_forms("all", "list")
def all_true(run: Run, values: list[Any]) -> bool | None:
    return _truth(run, "all", values, False)


@_both_forms("any", "list")
def any_true(run: Run, values: list[Any]) -> bool | None:
    return _truth(run, "any", values, True)


def _index(run: Run, function: str, values: list[Any], position: Decimal) -> int | None:
    """A 0-based index for a 1-based (or negative, from the end) position; Camunda truncates fractions.

    The index may lie outside the list: like Camunda, callers then clamp instead of failing.
    """
    number = int(position)
    if number == 0:
        run.warn(f"{function}() position must not be 0")
        return None
    return number - 1 if number > 0 else len(values) + number


def _slice(values: list[Any], start: int, end: int) -> list[Any]:
    """Scala's lenient ``slice``: bounds are clamped to the list."""
    start = max(start, 0)
    end = max(end, 0)
    return _items(values[start:end]) if start < end else []


@builtin("sublist(list: list, start position: number, length?: number)")
def sublist(run: Run, values: list[Any], start: Decimal, length: Decimal | None = None) -> list[Any] | None:
    index = _index(run, "sublist", values, start)
    if index is None:
        return None
    end = len(values) if length is None else index + int(length)
    return _slice(values, index, end)


@builtin("append(list: list, items...: any)")
def append(run: Run, values: list[Any], *items: Any) -> list[Any]:
    return [*_items(values), *items]


def _joined(lists: tuple[Any, ...]) -> list[Any]:
    """The items of all arguments in order; an argument that is not a list counts as one item."""
    joined: list[Any] = []
    for values in lists:
        joined.extend(_items(values) if type(values) is list else [values])
    return joined


@builtin("concatenate(lists...: any)")
def concatenate(run: Run, *lists: Any) -> list[Any]:
    return _joined(lists)


@builtin("insert before(list: list, position: number, newItem: any)")
def insert_before(run: Run, values: list[Any], position: Decimal, item: Any) -> list[Any] | None:
    index = _index(run, "insert before", values, position)
    if index is None:
        return None
    return [*_slice(values, 0, index), item, *_slice(values, index, len(values))]


@builtin("remove(list: list, position: number)")
def remove(run: Run, values: list[Any], position: Decimal) -> list[Any] | None:
    index = _index(run, "remove", values, position)
    if index is None:
        return None
    return _slice(values, 0, index) + _slice(values, index + 1, len(values))


@builtin("reverse(list: list)")
def reverse(run: Run, values: list[Any]) -> list[Any]:
    return _items(values[::-1])


@builtin("index of(list: list, match: any)")
def index_of(run: Run, values: list[Any], match: Any) -> list[Decimal]:
    return [Decimal(i + 1) for i, item in enumerate(values) if equal(item, match) is True]


def _distinct(values: list[Any]) -> list[Any]:
    unique: list[Any] = []
    for item in values:
        if not any(equal(item, seen) is True for seen in unique):
            unique.append(item)
    return unique


@builtin("union(lists...: any)")
def union(run: Run, *lists: Any) -> list[Any]:
    return _distinct(_joined(lists))


@builtin("distinct values(list: list)")
def distinct_values(run: Run, values: list[Any]) -> list[Any]:
    return _distinct(_items(values))


@builtin("flatten(list: list)")
def flatten(run: Run, values: list[Any]) -> list[Any]:
    flat: list[Any] = []
    pending = [iter(values)]
    # An explicit stack: nesting depth comes from data and must not hit the recursion limit.
    while pending:
        for raw in pending[-1]:
            item = feel_value(raw)
            if type(item) is list:
                pending.append(iter(item))
                break
            flat.append(item)
        else:
            pending.pop()
    return flat


@builtin("sort(list: list, precedes: function)")
def sort(run: Run, values: list[Any], precedes: FeelFunction) -> list[Any] | None:
    if len(precedes.parameters) != 2:
        run.warn("sort() needs a precedes function with 2 parameters")
        return None
    failed = False

    def order(left: Any, right: Any) -> int:
        nonlocal failed
        verdict = precedes.invoke(run, [left, right], None)
        if type(verdict) is not bool:
            failed = True
        if verdict is True:
            return -1
        return 1 if precedes.invoke(run, [right, left], None) is True else 0

    ordered = sorted(_items(values), key=cmp_to_key(order))
    if failed:
        run.warn("sort() needs a precedes function that returns booleans")
        return None
    return ordered


@builtin("is empty(list: list)")
def is_empty(run: Run, values: list[Any]) -> bool:
    return not values
