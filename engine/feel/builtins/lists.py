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
        builtin(f"{signature_name}({parameter}...: any)")(lambda run, *values: implementation(run, list(values)))
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
    for item in _items(values):
        if item is decisive:
            return decisive
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


def _position(run: Run, function: str, values: list[Any], position: Decimal, allow_end: bool = False) -> int | None:
    """A 0-based index for a FEEL 1-based (or negative, from the end) position."""
    if position != position.to_integral_value():
        run.warn(f"{function}() needs a whole number as position")
        return None
    number = int(position)
    size = len(values) + (1 if allow_end else 0)
    if 0 < number <= size:
        return number - 1
    if number < 0 and -number <= len(values):
        return len(values) + number
    run.warn(f"{function}() position {number} is outside the list")
    return None


@builtin("sublist(list: list, start position: number, length?: number)")
def sublist(run: Run, values: list[Any], start: Decimal, length: Decimal | None = None) -> list[Any] | None:
    index = _position(run, "sublist", values, start)
    if index is None:
        return None
    if length is None:
        return _items(values[index:])
    if length < 0 or length != length.to_integral_value():
        run.warn("sublist() needs a non-negative whole number as length")
        return None
    return _items(values[index : index + int(length)])


@builtin("append(list: list, items...: any)")
def append(run: Run, values: list[Any], *items: Any) -> list[Any]:
    return [*_items(values), *items]


@builtin("concatenate(lists...: list)")
def concatenate(run: Run, *lists: list[Any]) -> list[Any]:
    return [feel_value(item) for values in lists for item in values]


@builtin("insert before(list: list, position: number, newItem: any)")
def insert_before(run: Run, values: list[Any], position: Decimal, item: Any) -> list[Any] | None:
    index = _position(run, "insert before", values, position)
    if index is None:
        return None
    items = _items(values)
    items.insert(index, item)
    return items


@builtin("remove(list: list, position: number)")
def remove(run: Run, values: list[Any], position: Decimal) -> list[Any] | None:
    index = _position(run, "remove", values, position)
    if index is None:
        return None
    items = _items(values)
    del items[index]
    return items


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


@builtin("union(lists...: list)")
def union(run: Run, *lists: list[Any]) -> list[Any]:
    return _distinct([feel_value(item) for values in lists for item in values])


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


@builtin("sort(list: list, precedes?: function)")
def sort(run: Run, values: list[Any], precedes: FeelFunction | None = None) -> list[Any] | None:
    items = _items(values)
    failed = False

    def order(left: Any, right: Any) -> int:
        nonlocal failed
        if precedes is not None:
            if precedes.invoke(run, [left, right], None) is True:
                return -1
            return 1 if precedes.invoke(run, [right, left], None) is True else 0
        result = compare(left, right)
        if result is None:
            failed = True
            return 0
        return result

    ordered = sorted(items, key=cmp_to_key(order))
    if failed:
        run.warn("sort() can't order the list's items")
        return None
    return ordered


@builtin("is empty(list: list)")
def is_empty(run: Run, values: list[Any]) -> bool:
    return not values
