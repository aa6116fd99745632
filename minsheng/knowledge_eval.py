"""How well knowledge search finds the right entry of the seed knowledge base
(`data/knowledge/entries.jsonl`) for questions worded as callers word them
(`tests/data/knowledge_questions.jsonl`), labelled with the entries that answer them
(`tests/data/knowledge_question_labels.jsonl`; an entry is named by its canonical question, the
part before the first "／", and a question the base cannot answer has none).

The seed is loaded into a new SQLite ledger, as `minsheng knowledge load-seed` would, and each
question is searched for its three best entries, as the front desk is shown them."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from minsheng.knowledge_cli import load_seed
from workers.knowledge.search import KnowledgeSearch
from workers.knowledge.seed import read_seed
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate

REPOSITORY = Path(__file__).resolve().parents[1]
SEED = REPOSITORY / "data" / "knowledge" / "entries.jsonl"
QUESTIONS = REPOSITORY / "tests" / "data" / "knowledge_questions.jsonl"
LABELS = REPOSITORY / "tests" / "data" / "knowledge_question_labels.jsonl"
PROPOSED = 3
# Within every seed entry's validity, so that the figures do not change as entries lapse.
AT = datetime(2026, 6, 1, tzinfo=UTC)


class LabelError(ValueError):
    """Labels that do not match the questions or name no entry of the seed."""


@dataclass(frozen=True, slots=True)
class Outcome:
    question_id: str
    question: str
    expected: frozenset[str]
    proposed: tuple[str, ...]

    def hit(self, within: int) -> bool:
        return not self.expected.isdisjoint(self.proposed[:within])


@dataclass(frozen=True, slots=True)
class Figures:
    hit_at_1: float
    hit_at_3: float
    # The share of the questions that the base has a right entry for.
    coverage: float
    answerable: int
    questions: int


def canonical(question: str) -> str:
    """An entry's canonical question: its question field up to the alternative wordings."""
    return question.split("／", 1)[0]


def _lines(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def evaluate(
    directory: Path, seed: Path = SEED, questions: Path = QUESTIONS, labels: Path = LABELS
) -> list[Outcome]:
    """Every labelled question with the canonical questions of the entries search proposes for it;
    the temporary ledger is written in `directory`."""
    entries = read_seed(seed)
    known = {canonical(entry.question) for entry in entries}
    asked = {str(record["id"]): str(record["question"]) for record in _lines(questions)}
    expected: dict[str, frozenset[str]] = {}
    for record in _lines(labels):
        names = record["entries"]
        if not isinstance(names, list):
            raise LabelError(f"{labels}: {record['id']}: entries must be a list")
        expected[str(record["id"])] = frozenset(map(str, names))
    if set(expected) != set(asked):
        raise LabelError(f"{labels}: labels and questions differ: {sorted(set(expected) ^ set(asked))}")
    unknown = sorted({name for names in expected.values() for name in names} - known)
    if unknown:
        raise LabelError(f"{labels}: not a canonical question of {seed}: {', '.join(unknown)}")

    url = f"sqlite:///{directory / 'knowledge-eval.db'}"
    migrate(url)
    engine = open_engine(url)
    try:
        segmenter = KnowledgeSegmenter()
        load_seed(engine, segmenter, entries)
        search = KnowledgeSearch(engine, segmenter)
        return [
            Outcome(
                question_id=question_id,
                question=question,
                expected=expected[question_id],
                proposed=tuple(canonical(p.question) for p in search.search(question, at=AT, limit=PROPOSED)),
            )
            for question_id, question in asked.items()
        ]
    finally:
        engine.dispose()


def figures(outcomes: Sequence[Outcome]) -> Figures:
    """hit@1 and hit@3 over the questions the base has a right entry for."""
    answerable = [outcome for outcome in outcomes if outcome.expected]
    count = len(answerable) or 1
    return Figures(
        hit_at_1=sum(outcome.hit(1) for outcome in answerable) / count,
        hit_at_3=sum(outcome.hit(3) for outcome in answerable) / count,
        coverage=len(answerable) / (len(outcomes) or 1),
        answerable=len(answerable),
        questions=len(outcomes),
    )


def misses(outcomes: Sequence[Outcome], within: int = PROPOSED) -> list[str]:
    """One line per answerable question whose right entry is not among the first `within`
    proposals: the question, what was expected and what was proposed."""
    return [
        f"{o.question_id} {o.question}\n    expected {' | '.join(sorted(o.expected))}"
        f"\n    proposed {' | '.join(o.proposed) or '(nothing)'}"
        for o in outcomes
        if o.expected and not o.hit(within)
    ]
