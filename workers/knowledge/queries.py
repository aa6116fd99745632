"""Reading the knowledge base for people: the entries listed by status, unit and topic a page at a
time, and one entry with its version history. What a reader may see is part of the SQL: a unit's
user sees every published entry, but the entries still being written or reviewed, or taken out of
use, only of their own unit, so another unit's draft is neither listed, counted nor found."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from workers.knowledge.store import PUBLISHED, Revision, read_history
from workers.ledger.models import KnowledgeEntry


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads: `unit` None for someone who sees every entry; else the unit whose unpublished
    entries they see besides every published one."""

    unit: str | None = None


@dataclass(frozen=True, slots=True)
class EntryFilter:
    status: str | None = None
    unit: str | None = None
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class EntrySummary:
    number: str
    question: str
    topic: str
    unit: str
    status: str
    version: int
    valid_from: datetime
    valid_until: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class EntryPage:
    entries: list[EntrySummary]
    total: int


@dataclass(frozen=True, slots=True)
class EntryDetail:
    number: str
    question: str
    answer: str
    topic: str
    unit: str
    policy_basis: str | None
    valid_from: datetime
    valid_until: datetime | None
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    history: list[Revision]


def _visible(reader: Reader) -> list[ColumnElement[bool]]:
    """The condition on the entries `reader` sees, for a statement's `where(*...)`."""
    if reader.unit is None:
        return []
    return [or_(KnowledgeEntry.status == PUBLISHED, KnowledgeEntry.unit == reader.unit)]


def list_entries(
    engine: Engine, reader: Reader, where: EntryFilter, limit: int, offset: int = 0
) -> EntryPage:
    """The entries `reader` sees that match `where`, most recently changed first."""
    conditions = [
        column == value
        for column, value in (
            (KnowledgeEntry.status, where.status),
            (KnowledgeEntry.unit, where.unit),
            (KnowledgeEntry.topic, where.topic),
        )
        if value
    ]
    conditions += _visible(reader)
    rows = select(KnowledgeEntry).where(*conditions)
    count = select(func.count()).select_from(KnowledgeEntry).where(*conditions)
    with Session(engine) as session:
        total = session.scalar(count) or 0
        entries = session.scalars(
            rows.order_by(KnowledgeEntry.updated_at.desc(), KnowledgeEntry.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return EntryPage(
            entries=[
                EntrySummary(
                    number=entry.number,
                    question=entry.question,
                    topic=entry.topic,
                    unit=entry.unit,
                    status=entry.status,
                    version=entry.version,
                    valid_from=entry.valid_from,
                    valid_until=entry.valid_until,
                    updated_at=entry.updated_at,
                )
                for entry in entries
            ],
            total=total,
        )


def filter_choices(engine: Engine, reader: Reader) -> tuple[list[str], list[str]]:
    """The units and the topics of the entries `reader` sees, for the list's filters."""
    with Session(engine) as session:
        visible = _visible(reader)
        units = session.scalars(
            select(KnowledgeEntry.unit).distinct().where(*visible).order_by(KnowledgeEntry.unit)
        )
        topics = session.scalars(
            select(KnowledgeEntry.topic).distinct().where(*visible).order_by(KnowledgeEntry.topic)
        )
        return list(units), list(topics)


def get_entry(engine: Engine, reader: Reader, number: str) -> EntryDetail | None:
    """The entry with its versions, oldest first; None when there is none `reader` sees."""
    with Session(engine) as session:
        entry = session.scalars(
            select(KnowledgeEntry).where(KnowledgeEntry.number == number, *_visible(reader))
        ).one_or_none()
        if entry is None:
            return None
        return EntryDetail(
            number=entry.number,
            question=entry.question,
            answer=entry.answer,
            topic=entry.topic,
            unit=entry.unit,
            policy_basis=entry.policy_basis,
            valid_from=entry.valid_from,
            valid_until=entry.valid_until,
            status=entry.status,
            version=entry.version,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            history=read_history(session, entry.id),
        )
