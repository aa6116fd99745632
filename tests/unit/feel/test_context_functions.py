"""Context built-ins."""

from __future__ import annotations

import pytest

from .helpers import run


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('get value({a: 1}, "a")', 1),
        ('get value({a: 1}, "b")', None),
        ('get value({a: {b: 2}}, ["a", "b"])', 2),
        ('get value(context: {a: 1}, key: "a")', 1),
        ("get entries({a: 1, b: 2})", [{"key": "a", "value": 1}, {"key": "b", "value": 2}]),
        ('context put({a: 1}, "b", 2)', {"a": 1, "b": 2}),
        ('context put({a: 1}, "a", 2)', {"a": 2}),
        ('context put({a: {b: 1}}, ["a", "c"], 2)', {"a": {"b": 1, "c": 2}}),
        ("context merge([{a: 1}, {b: 2}, {a: 3}])", {"a": 3, "b": 2}),
        ("context merge([{a: 1}, 2])", None),
        ('context([{key: "a", value: 1}])', {"a": 1}),
        ('get value(order, "id")', "o-1"),
    ],
)
def test_context_functions(source: str, expected: object) -> None:
    assert run(source, {"order": {"id": "o-1"}}) == expected
