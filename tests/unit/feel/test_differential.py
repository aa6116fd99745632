"""Differential test: this package against feelin, the reference JavaScript FEEL interpreter.

Disagreements are allowed only where docs/feel.md documents them (this package follows Camunda
there); the test fails on any undocumented disagreement and on documented ones that went away.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from engine.feel import FeelSyntaxError
from engine.feel import compile as compile_feel

from .comparable import comparable, same
from .differential_cases import CASES, VARIABLES
from .feelin import REPOSITORY, Feelin

DOCUMENTATION = REPOSITORY / "docs" / "feel.md"
_LISTED = re.compile(r"^- `(?P<expression>.+)` — ", re.MULTILINE)


@pytest.fixture(scope="session")
def feelin() -> Iterator[Feelin]:
    try:
        reference = Feelin()
    except RuntimeError as problem:
        pytest.fail(str(problem))
    yield reference
    reference.close()


def documented_differences() -> set[str]:
    text = DOCUMENTATION.read_text(encoding="utf-8")
    start = text.index("<!-- differential:start -->")
    end = text.index("<!-- differential:end -->")
    return {match["expression"] for match in _LISTED.finditer(text[start:end])}


def ours(expression: str) -> dict[str, Any]:
    try:
        return {"value": comparable(compile_feel(expression).evaluate(VARIABLES))}
    except FeelSyntaxError:
        return {"error": "syntax"}


def theirs(feelin: Feelin, expression: str) -> dict[str, Any]:
    answer = feelin.evaluate(expression, VARIABLES)
    return {"error": "syntax"} if "error" in answer else {"value": answer["value"]}


def agree(left: dict[str, Any], right: dict[str, Any]) -> bool:
    return left.keys() == right.keys() and same(left.get("value"), right.get("value"))


def test_cases_are_many_and_distinct() -> None:
    assert len(CASES) >= 500
    assert len(set(CASES)) == len(CASES)


def test_disagreements_are_exactly_the_documented_ones(feelin: Feelin) -> None:
    disagreements: dict[str, str] = {}
    for expression in CASES:
        mine, reference = ours(expression), theirs(feelin, expression)
        if not agree(mine, reference):
            disagreements[expression] = f"ours {mine} / feelin {reference}"
    documented = documented_differences()
    undocumented = {e: detail for e, detail in disagreements.items() if e not in documented}
    resolved = sorted(documented - set(disagreements))
    agreement = 1 - len(disagreements) / len(CASES)
    print(f"feelin agreement: {agreement:.1%} of {len(CASES)} expressions")
    assert not undocumented, f"undocumented disagreements with feelin (add to docs/feel.md): {undocumented}"
    assert not resolved, (
        f"documented differences that no longer differ (remove from docs/feel.md): {resolved}"
    )
