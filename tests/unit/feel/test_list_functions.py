"""List built-ins."""

from __future__ import annotations

import pytest

from .helpers import run

VARIABLES = {"xs": [3, 1, 2], "people": [{"name": "a", "age": 30}, {"name": "b", "age": 20}]}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("list contains([1, 2], 2)", True),
        ("list contains([1, null], null)", True),
        ("count(xs)", 3),
        ("count([])", 0),
        ("count(1)", None),
        ("min(xs)", 1),
        ("min(3, 1, 2)", 1),
        ("max(xs)", 3),
        ('max(["a", "c", "b"])', "c"),
        ("min([])", None),
        ('min([1, "a"])', None),
        ("sum(xs)", 6),
        ("sum(1, 2)", 3),
        ("sum([])", None),
        ('sum([1, "a"])', None),
        ("mean([1, 2, 3, 4])", 2.5),
        ("median([3, 1, 2])", 2),
        ("median([4, 1, 3, 2])", 2.5),
        ("stddev([2, 4, 7, 5])", 2.081665999466132735282297706979931),
        ("stddev([1])", None),
        ("mode([6, 3, 9, 6, 6])", [6]),
        ("mode([6, 1, 9, 6, 1])", [1, 6]),
        ("mode([])", []),
        ("product([2, 3, 4])", 24),
        ("all([true, true])", True),
        ("all([true, null])", None),
        ("all([false, null])", False),
        ("all([])", True),
        ("any([false, true])", True),
        ("any([false, null])", None),
        ("any([])", False),
        ("sublist([1, 2, 3], 2)", [2, 3]),
        ("sublist([1, 2, 3], 1, 2)", [1, 2]),
        ("sublist([1, 2, 3], -1)", [3]),
        ("sublist([1, 2, 3], 4)", []),
        ("sublist([1, 2, 3], 0)", None),
        ("append([1], 2, 3)", [1, 2, 3]),
        ("concatenate([1], [2, 3])", [1, 2, 3]),
        ("concatenate([1], 2)", [1, 2]),
        ("insert before([1, 3], 2, 2)", [1, 2, 3]),
        ("insert before([1, 3], -1, 2)", [1, 2, 3]),
        ("remove([1, 2, 3], 2)", [1, 3]),
        ("remove([1, 2, 3], -1)", [1, 2]),
        ("reverse(xs)", [2, 1, 3]),
        ("index of([1, 2, 1], 1)", [1, 3]),
        ("union([1, 2], [2, 3])", [1, 2, 3]),
        ("distinct values([1, 2, 1, 1.0])", [1, 2]),
        ("flatten([1, [2, [3, [4]]]])", [1, 2, 3, 4]),
        ("sort(xs, function(a, b) a < b)", [1, 2, 3]),
        ("sort(people, function(a, b) a.age < b.age).name", ["b", "a"]),
        ("sort(xs)", None),
        ("is empty([])", True),
        ("is empty(xs)", False),
        ("list contains(list: [1], element: 1)", True),
    ],
)
def test_list_functions(source: str, expected: object) -> None:
    assert run(source, VARIABLES) == expected


def test_flatten_survives_deep_nesting() -> None:
    nested: list[object] = [1]
    for _ in range(5000):
        nested = [nested]
    assert run("flatten(x)", {"x": nested}) == [1]
