"""Measure how many compiled FEEL evaluations per second one core manages.

Run with ``python bench/feel_bench.py``; it prints the machine it ran on and one line per case.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.feel import compile as compile_feel

_MIN_SECONDS = 1.0


def evaluations_per_second(source: str, variables: Mapping[str, Any]) -> float:
    expression = compile_feel(source)
    expression.evaluate(variables)
    rounds = 0
    batch = 100
    started = time.perf_counter()
    elapsed = 0.0
    while elapsed < _MIN_SECONDS:
        for _ in range(batch):
            expression.evaluate(variables)
        rounds += batch
        elapsed = time.perf_counter() - started
    return rounds / elapsed


def main() -> None:
    print(f"platform: {platform.platform()}")
    print(f"processor: {platform.processor() or platform.machine()}, cpus: {os.cpu_count()}")
    print(f"python: {sys.version.split()[0]} ({platform.python_implementation()})")
    cases: list[tuple[str, str, Mapping[str, Any]]] = [
        (
            "condition",
            'priority > 3 and category = "投诉"',
            {"priority": 5, "category": "投诉", "other": "x"},
        ),
        (
            "filter of 100 items",
            "items[amount > 50]",
            {"items": [{"id": i, "amount": i, "name": f"item {i}"} for i in range(100)]},
        ),
    ]
    for label, source, variables in cases:
        rate = evaluations_per_second(source, variables)
        print(f"{label}: {source}  ->  {rate:,.0f} evaluations/s")


if __name__ == "__main__":
    main()
