"""Range functions (``before``, ``overlaps``, ``during``, ...) as DMN defines them.

Each takes points and/or ranges. A range bound of ``None`` (as in ``< 10``) is treated as
infinitely far out, so open-ended ranges take part like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..scope import Run
from ..values import Range, compare, type_name
from .registry import builtin


class _Incomparable(Exception):
    pass


def _order(left: Any, right: Any, left_infinity: int = 0, right_infinity: int = 0) -> int:
    """Compare two bounds; ``None`` stands for the infinity given by the matching sign."""
    if left is None or right is None:
        low = left_infinity if left is None else 0
        high = right_infinity if right is None else 0
        return (low > high) - (low < high)
    result = compare(left, right)
    if result is None:
        raise _Incomparable
    return result


def _lt(a: Any, b: Any, a_inf: int = 0, b_inf: int = 0) -> bool:
    return _order(a, b, a_inf, b_inf) < 0


def _eq(a: Any, b: Any, a_inf: int = 0, b_inf: int = 0) -> bool:
    if a is None or b is None:
        return a is None and b is None and a_inf == b_inf
    return _order(a, b) == 0


# Shorthands for a range's bounds with their infinities: starts reach down, ends reach up.
def _start(r: Range) -> tuple[Any, int]:
    return r.start, -1


def _end(r: Range) -> tuple[Any, int]:
    return r.end, 1


def _point_before_range(point: Any, r: Range) -> bool:
    start, inf = _start(r)
    return _lt(point, start, 0, inf) or (_eq(point, start, 0, inf) and not r.start_included)


def _range_before_point(r: Range, point: Any) -> bool:
    end, inf = _end(r)
    return _lt(end, point, inf, 0) or (_eq(end, point, inf, 0) and not r.end_included)


def _before(a: Any, b: Any) -> bool:
    if type(a) is Range and type(b) is Range:
        end, end_inf = _end(a)
        start, start_inf = _start(b)
        return _lt(end, start, end_inf, start_inf) or (
            (not a.end_included or not b.start_included) and _eq(end, start, end_inf, start_inf)
        )
    if type(b) is Range:
        return _point_before_range(a, b)
    if type(a) is Range:
        return _range_before_point(a, b)
    return _lt(a, b)


def _meets(a: Range, b: Range) -> bool:
    return a.end_included and b.start_included and _eq(a.end, b.start, 1, -1)


def _overlaps(a: Range, b: Range) -> bool:
    return (
        _lt(b.start, a.end, -1, 1) or (_eq(a.end, b.start, 1, -1) and a.end_included and b.start_included)
    ) and (_lt(a.start, b.end, -1, 1) or (_eq(a.start, b.end, -1, 1) and a.start_included and b.end_included))


def _overlaps_before(a: Range, b: Range) -> bool:
    return (
        (
            _lt(a.start, b.start, -1, -1)
            or (_eq(a.start, b.start, -1, -1) and a.start_included and not b.start_included)
        )
        and (
            _lt(b.start, a.end, -1, 1) or (_eq(a.end, b.start, 1, -1) and a.end_included and b.start_included)
        )
        and (_lt(a.end, b.end, 1, 1) or (_eq(a.end, b.end, 1, 1) and (not a.end_included or b.end_included)))
    )


def _finishes(a: Any, b: Range) -> bool:
    if type(a) is not Range:
        return b.end_included and _eq(b.end, a, 1, 0)
    return (
        a.end_included == b.end_included
        and _eq(a.end, b.end, 1, 1)
        and (
            _lt(b.start, a.start, -1, -1)
            or (_eq(a.start, b.start, -1, -1) and (not a.start_included or b.start_included))
        )
    )


def _includes(a: Range, b: Any) -> bool:
    if type(b) is not Range:
        return (
            (_lt(a.start, b, -1, 0) and _lt(b, a.end, 0, 1))
            or (_eq(a.start, b, -1, 0) and a.start_included)
            or (_eq(a.end, b, 1, 0) and a.end_included)
        )
    return (
        _lt(a.start, b.start, -1, -1)
        or (_eq(a.start, b.start, -1, -1) and (a.start_included or not b.start_included))
    ) and (_lt(b.end, a.end, 1, 1) or (_eq(a.end, b.end, 1, 1) and (a.end_included or not b.end_included)))


def _starts(a: Any, b: Range) -> bool:
    if type(a) is not Range:
        return b.start_included and _eq(b.start, a, -1, 0)
    return (
        a.start_included == b.start_included
        and _eq(a.start, b.start, -1, -1)
        and (_lt(a.end, b.end, 1, 1) or (_eq(a.end, b.end, 1, 1) and (not a.end_included or b.end_included)))
    )


def _coincides(a: Any, b: Any) -> bool:
    if type(a) is Range and type(b) is Range:
        return (
            a.start_included == b.start_included
            and a.end_included == b.end_included
            and _eq(a.start, b.start, -1, -1)
            and _eq(a.end, b.end, 1, 1)
        )
    if type(a) is Range or type(b) is Range:
        raise _Incomparable
    return _eq(a, b)


def _needs_ranges(check: Callable[[Range, Range], bool]) -> Callable[[Any, Any], bool]:
    def guarded(a: Any, b: Any) -> bool:
        if type(a) is not Range or type(b) is not Range:
            raise _Incomparable
        return check(a, b)

    return guarded


def _needs_range_second(check: Callable[[Any, Range], bool]) -> Callable[[Any, Any], bool]:
    def guarded(a: Any, b: Any) -> bool:
        if type(b) is not Range:
            raise _Incomparable
        return check(a, b)

    return guarded


def _swap(check: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda a, b: check(b, a)


def _register(name: str, check: Callable[[Any, Any], bool], *parameter_pairs: tuple[str, str]) -> None:
    def implementation(run: Run, a: Any, b: Any) -> bool | None:
        try:
            return check(a, b)
        except _Incomparable:
            run.warn(f"{name}() can't relate {type_name(a)} and {type_name(b)}")
            return None

    for first, second in parameter_pairs:
        builtin(f"{name}({first}: any, {second}: any)")(implementation)


_POINTS_AND_RANGES = (("point1", "point2"), ("point", "range"), ("range", "point"), ("range1", "range2"))
_register("before", _before, *_POINTS_AND_RANGES)
_register("after", _swap(_before), *_POINTS_AND_RANGES)
_register("meets", _needs_ranges(_meets), ("range1", "range2"))
_register("met by", _swap(_needs_ranges(_meets)), ("range1", "range2"))
_register("overlaps", _needs_ranges(_overlaps), ("range1", "range2"))
_register("overlaps before", _needs_ranges(_overlaps_before), ("range1", "range2"))
_register("overlaps after", _swap(_needs_ranges(_overlaps_before)), ("range1", "range2"))
_register("finishes", _needs_range_second(_finishes), ("point", "range"), ("range1", "range2"))
_register("finished by", _swap(_needs_range_second(_finishes)), ("range", "point"), ("range1", "range2"))
_register(
    "includes",
    _swap(_needs_range_second(lambda p, r: _includes(r, p))),
    ("range", "point"),
    ("range1", "range2"),
)
_register(
    "during", _needs_range_second(lambda p, r: _includes(r, p)), ("point", "range"), ("range1", "range2")
)
_register("starts", _needs_range_second(_starts), ("point", "range"), ("range1", "range2"))
_register("started by", _swap(_needs_range_second(_starts)), ("range", "point"), ("range1", "range2"))
_register("coincides", _coincides, ("point1", "point2"), ("range1", "range2"))
