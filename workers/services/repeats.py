"""Repeat appeals (重复诉求): an appeal that repeats a case still open is linked to it, so that the
case is handled once and can be merged (并单)."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from workers.classification_policy import RepeatRules


@dataclass(frozen=True, slots=True)
class OpenCase:
    case_id: str
    received_at: datetime
    phone: str | None
    # Title and content, as the appeal was classified.
    text: str


class OpenCases(Protocol):
    """Where the open cases come from: the ledger in production, memory in tests and the CLI."""

    def received_since(self, since: datetime) -> Iterable[OpenCase]: ...


class InMemoryOpenCases:
    def __init__(self, cases: Iterable[OpenCase] = ()) -> None:
        self._cases = list(cases)

    def add(self, case: OpenCase) -> None:
        self._cases.append(case)

    def received_since(self, since: datetime) -> Sequence[OpenCase]:
        return [case for case in self._cases if case.received_at >= since]


def shingles(content_words: Iterable[str]) -> frozenset[str]:
    """The character pairs of an appeal's content words run together. A retold appeal keeps its
    places and things but not its wording or its segmentation; pairs survive both, and running
    the words together also matches "电梯故障" against "电梯" + "故障"."""
    text = "".join(content_words)
    return frozenset(text[index : index + 2] for index in range(len(text) - 1))


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Jaccard similarity of two sets of shingles: shared ones over all."""
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def find_repeat(
    rules: RepeatRules,
    appeal_shingles: frozenset[str],
    phone: str | None,
    received_at: datetime,
    open_cases: OpenCases,
    shingles_of: Callable[[str], frozenset[str]],
    own_case: str | None = None,
) -> str | None:
    """The most similar open case received within the window that this appeal repeats, if any;
    `shingles_of` gives the shingles of a case's text. `own_case` is the appeal's own case, when it
    was registered before being classified: an appeal is no repeat of itself."""
    best: tuple[float, str] | None = None
    for case in open_cases.received_since(received_at - timedelta(days=rules.window_days)):
        if case.received_at > received_at or case.case_id == own_case:
            continue
        score = similarity(appeal_shingles, shingles_of(case.text))
        same_appellant = phone is not None and phone == case.phone
        threshold = rules.same_appellant_threshold if same_appellant else rules.similarity_threshold
        if score >= threshold and (best is None or score > best[0]):
            best = (score, case.case_id)
    return best[1] if best else None
