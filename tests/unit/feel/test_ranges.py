"""Range literals, ``in``, and the range built-ins."""

from __future__ import annotations

import pytest

from .helpers import run


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("[1..10]", {"start": 1, "end": 10, "start included": True, "end included": True}),
        ("]1..10[", {"start": 1, "end": 10, "start included": False, "end included": False}),
        ("< 5", {"start": None, "end": 5, "start included": False, "end included": False}),
        ("(1..10].start included", False),
        ("5 in ]1..10[", True),
        ("10 in [1..10)", False),
        ("5 in >= 5", True),
        ('"m" in ["a".."z"]', True),
        ('@"2026-10-05" in [@"2026-10-01"..@"2026-10-31"]', True),
        ("before(1, 10)", True),
        ("before([1..5), 5)", True),
        ("before([1..5], [5..8])", False),
        ("after([5..10], [1..3])", True),
        ("meets([1..5], [5..10])", True),
        ("met by([5..10], [1..5])", True),
        ("overlaps([1..5], [5..8])", True),
        ("overlaps([1..5), [5..8])", False),
        ("overlaps before([1..5], [3..8])", True),
        ("overlaps after([3..8], [1..5])", True),
        ("finishes(5, [1..5])", True),
        ("finished by([1..5], [3..5])", True),
        ("includes([1..10], [2..3])", True),
        ("during(5, [1..10])", True),
        ("starts([1..3], [1..5])", True),
        ("started by([1..5], 1)", True),
        ("coincides([1..5], [1..5])", True),
        ("before(< 5, 7)", True),
        ("includes(> 5, 100)", True),
        ('before(1, "a")', None),
        ("before(point1: 1, point2: 2)", True),
    ],
)
def test_ranges(source: str, expected: object) -> None:
    assert run(source) == expected
