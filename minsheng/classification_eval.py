"""Scores of the classification rules on a labelled set of appeals (`tests/data/appeals_eval.jsonl`).

A third of the set, chosen by a hash of each appeal's id, is held out: rules are tuned while
looking at the errors of the other two thirds only, and the held-out score shows how far the
rules generalise.
"""

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minsheng.classify import classify_lines
from workers.services.appeal import AppealClassifier

FIELDS = ("category", "accepted", "reason", "leadUnit", "needsLeaderInstruction", "repeatOf")
SPLITS = ("tuning", "held-out", "all")


def split_of(appeal_id: str) -> str:
    return "held-out" if zlib.crc32(appeal_id.encode()) % 3 == 0 else "tuning"


@dataclass(frozen=True, slots=True)
class Score:
    accuracy: float
    macro_f1: float
    count: int


@dataclass(frozen=True, slots=True)
class Outcome:
    appeal_id: str
    text: str
    expected: dict[str, Any]
    actual: dict[str, Any]


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def label(values: dict[str, Any], field: str) -> object:
    """`field` of expected or actual values; an accepted appeal's reason is "accepted", so that
    the reason's F1 also measures how often an accepted appeal is wrongly refused."""
    return values["reason"] or "accepted" if field == "reason" else values[field]


def run(classifier: AppealClassifier, records: Sequence[dict[str, Any]]) -> list[Outcome]:
    """Classify `records` in order of receipt, as `minsheng classify` would a file of them."""
    ordered = sorted(records, key=lambda record: record["receivedAt"])
    lines = (json.dumps({key: value for key, value in r.items() if key != "expected"}) for r in ordered)
    return [
        Outcome(record["id"], record["content"], record["expected"], actual)
        for record, actual in zip(ordered, classify_lines(classifier, lines), strict=True)
    ]


def score(pairs: Iterable[tuple[object, object]]) -> Score:
    pairs = list(pairs)
    labels = {expected for expected, _ in pairs} | {actual for _, actual in pairs}
    f1s = []
    for label in labels:
        true_positive = sum(1 for e, a in pairs if e == label and a == label)
        predicted = sum(1 for _, a in pairs if a == label)
        relevant = sum(1 for e, _ in pairs if e == label)
        f1s.append(2 * true_positive / (predicted + relevant) if predicted + relevant else 0.0)
    correct = sum(1 for expected, actual in pairs if expected == actual)
    return Score(
        accuracy=correct / len(pairs) if pairs else 0.0,
        macro_f1=sum(f1s) / len(f1s) if f1s else 0.0,
        count=len(pairs),
    )


def scores(outcomes: Sequence[Outcome]) -> dict[str, dict[str, Score]]:
    """Per split and field: accuracy and macro-F1 over the labels that field takes."""
    return {
        split: {
            field: score(
                (label(o.expected, field), label(o.actual, field))
                for o in outcomes
                if split in ("all", split_of(o.appeal_id))
            )
            for field in FIELDS
        }
        for split in SPLITS
    }
