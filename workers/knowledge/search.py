"""Chinese full-text search over the published knowledge base: the query is cut by jieba as the
entries were, and the dialect's own index ranks the matches (FTS5's bm25 on SQLite, ts_rank over a
GIN-indexed tsvector on PostgreSQL). Only entries published and valid at the given time are
proposed."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Float, column, func, literal_column, or_, select, table, text
from sqlalchemy.sql import ColumnElement, Select

from workers.knowledge.store import PUBLISHED
from workers.knowledge.text import KnowledgeSegmenter, snippet
from workers.ledger.models import KnowledgeEntry

# FTS5's bm25 column weights: question words count double, as they weigh A (against B) on PostgreSQL.
BM25 = "bm25(ledger_knowledge_fts, 2.0, 1.0)"

_fts = table("ledger_knowledge_fts", column("rowid"))
# PostgreSQL's stored, weighted tsvectors (question words A, the rest B), kept by a trigger.
_vectors = table("ledger_knowledge_fts", column("entry_id"), column("vector"))


@dataclass(frozen=True, slots=True)
class Proposal:
    number: str
    question: str
    snippet: str
    unit: str
    score: float


def fts5_query(words: list[str]) -> str:
    """Any of the words, each quoted as a phrase; the words hold letters and digits only."""
    return " OR ".join(f'"{word}"' for word in words)


def tsquery(words: list[str]) -> str:
    return " | ".join(f"'{word}'" for word in words)


class KnowledgeSearch:
    def __init__(self, engine: Engine, segmenter: KnowledgeSegmenter) -> None:
        self._engine = engine
        self._segmenter = segmenter

    def search(self, query: str, at: datetime | None = None, limit: int = 5) -> list[Proposal]:
        words = self._segmenter.query_words(query)
        if not words:
            return []
        at = at or datetime.now(UTC)
        if self._engine.dialect.name == "postgresql":
            statement = self._postgresql(words)
        else:
            statement = self._sqlite(words)
        statement = (
            statement.where(
                KnowledgeEntry.status == PUBLISHED,
                KnowledgeEntry.valid_from <= at,
                or_(KnowledgeEntry.valid_until.is_(None), KnowledgeEntry.valid_until > at),
            )
            .order_by(literal_column("score").desc(), KnowledgeEntry.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(statement).all()
        return [
            Proposal(
                number=row.number,
                question=row.question,
                snippet=snippet(row.answer, words),
                unit=row.unit,
                score=round(float(row.score), 6),
            )
            for row in rows
        ]

    def _sqlite(self, words: list[str]) -> Select[str, str, str, str, float]:
        # bm25 is smaller for better matches; negated, higher is better on both dialects.
        score = (-literal_column(BM25, Float())).label("score")
        return (
            select(
                KnowledgeEntry.number,
                KnowledgeEntry.question,
                KnowledgeEntry.answer,
                KnowledgeEntry.unit,
                score,
            )
            .select_from(_fts)
            .join(KnowledgeEntry, KnowledgeEntry.id == _fts.c.rowid)
            .where(text("ledger_knowledge_fts MATCH :match").bindparams(match=fts5_query(words)))
        )

    def _postgresql(self, words: list[str]) -> Select[str, str, str, str, float]:
        query = func.to_tsquery(literal_column("'simple'"), tsquery(words))
        vector: ColumnElement[Any] = _vectors.c.vector
        return (
            select(
                KnowledgeEntry.number,
                KnowledgeEntry.question,
                KnowledgeEntry.answer,
                KnowledgeEntry.unit,
                func.ts_rank(vector, query).label("score"),
            )
            .select_from(_vectors)
            .join(KnowledgeEntry, KnowledgeEntry.id == _vectors.c.entry_id)
            .where(vector.op("@@")(query))
        )
