"""Writing the knowledge base: create, revise, submit, approve, publish, reject, withdraw, expire. Every write
raises the entry's version and keeps the new version in the history with who and when, and
rewrites the entry's segmented words in the same transaction, so search never sees an entry whose
index disagrees with its text."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.models import KnowledgeEntry, KnowledgeRevision, KnowledgeSearchText

DRAFT = "draft"
IN_REVIEW = "in-review"
PUBLISHED = "published"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"
STATUSES = (DRAFT, IN_REVIEW, PUBLISHED, EXPIRED, WITHDRAWN)

# Which status each change may start from. A withdrawn or expired entry comes back by revision
# (a new draft), never straight to published: its text has to be reviewed again.
_ALLOWED_FROM = {
    "revise": {DRAFT, IN_REVIEW, PUBLISHED, EXPIRED, WITHDRAWN},
    "submit": {DRAFT},
    # The owning unit's leader approves; the entry stays in review until the hotline centre's.
    "approve": {IN_REVIEW},
    "publish": {IN_REVIEW},
    "reject": {IN_REVIEW},
    # An expired entry the owning unit finds obsolete at its yearly review is withdrawn for good.
    "withdraw": {DRAFT, IN_REVIEW, PUBLISHED, EXPIRED},
    "expire": {PUBLISHED},
}


class KnowledgeError(ValueError):
    """A change the entry's status does not allow, or an entry that does not exist; the message is
    for the user, in Chinese."""


@dataclass(frozen=True, slots=True)
class EntryText:
    question: str
    answer: str
    topic: str
    unit: str
    valid_from: datetime
    valid_until: datetime | None = None
    policy_basis: str | None = None


@dataclass(frozen=True, slots=True)
class Revision:
    version: int
    change: str
    question: str
    answer: str
    policy_basis: str | None
    valid_from: datetime
    valid_until: datetime | None
    status: str
    actor: str
    changed_at: datetime


def read_history(session: Session, entry_id: int) -> list[Revision]:
    """The entry's versions, oldest first."""
    rows = session.scalars(
        select(KnowledgeRevision)
        .where(KnowledgeRevision.entry_id == entry_id)
        .order_by(KnowledgeRevision.version)
    )
    return [
        Revision(
            version=row.version,
            change=row.change,
            question=row.question,
            answer=row.answer,
            policy_basis=row.policy_basis,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            status=row.status,
            actor=row.actor,
            changed_at=row.changed_at,
        )
        for row in rows
    ]


def entry_number(entry_id: int) -> str:
    return f"ZS{entry_id:07d}"


def _check_text(text: EntryText) -> None:
    if not text.question.strip() or not text.answer.strip():
        raise KnowledgeError("知识条目的问题和答复不能为空")
    if text.valid_until is not None and text.valid_until <= text.valid_from:
        raise KnowledgeError("知识条目的有效期截止时间必须晚于生效时间")


class KnowledgeStore:
    def __init__(
        self,
        engine: Engine,
        segmenter: KnowledgeSegmenter,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self._segmenter = segmenter
        self._clock = clock

    def create(self, text: EntryText, actor: str) -> str:
        """A new draft entry; returns its number."""
        _check_text(text)
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            entry = KnowledgeEntry(
                number="",
                question=text.question,
                answer=text.answer,
                topic=text.topic,
                unit=text.unit,
                policy_basis=text.policy_basis,
                valid_from=text.valid_from,
                valid_until=text.valid_until,
                status=DRAFT,
                version=1,
                created_at=now,
                updated_at=now,
            )
            session.add(entry)
            # The number derives from the row's id, so concurrent writers never share one.
            session.flush()
            entry.number = entry_number(entry.id)
            self._record(session, entry, "create", actor, now)
            session.add(KnowledgeSearchText(entry_id=entry.id, **self._words(entry)))
            return entry.number

    def revise(self, number: str, text: EntryText, actor: str) -> None:
        """New wording, basis or validity; the entry goes back to draft to be reviewed again."""
        _check_text(text)
        with Session(self._engine) as session, session.begin():
            entry = self._change(session, number, "revise")
            entry.question, entry.answer = text.question, text.answer
            entry.topic, entry.unit, entry.policy_basis = text.topic, text.unit, text.policy_basis
            entry.valid_from, entry.valid_until = text.valid_from, text.valid_until
            entry.status = DRAFT
            self._finish(session, entry, "revise", actor)
            words = session.get_one(KnowledgeSearchText, entry.id)
            for field, value in self._words(entry).items():
                setattr(words, field, value)

    def submit(self, number: str, actor: str) -> None:
        self._set_status(number, "submit", IN_REVIEW, actor)

    def approve(self, number: str, actor: str) -> None:
        self._set_status(number, "approve", IN_REVIEW, actor)

    def publish(self, number: str, actor: str) -> None:
        self._set_status(number, "publish", PUBLISHED, actor)

    def reject(self, number: str, actor: str) -> None:
        self._set_status(number, "reject", DRAFT, actor)

    def withdraw(self, number: str, actor: str) -> None:
        self._set_status(number, "withdraw", WITHDRAWN, actor)

    def expire(self, number: str, actor: str) -> None:
        self._set_status(number, "expire", EXPIRED, actor)

    def status(self, number: str) -> tuple[str, int]:
        """The entry's status and version."""
        with Session(self._engine) as session:
            entry = self._find(session, number)
            return entry.status, entry.version

    def text(self, number: str) -> EntryText:
        """The entry's current wording, basis and validity."""
        with Session(self._engine) as session:
            entry = self._find(session, number)
            return EntryText(
                question=entry.question,
                answer=entry.answer,
                topic=entry.topic,
                unit=entry.unit,
                valid_from=entry.valid_from,
                valid_until=entry.valid_until,
                policy_basis=entry.policy_basis,
            )

    def history(self, number: str) -> list[Revision]:
        with Session(self._engine) as session:
            return read_history(session, self._find(session, number).id)

    def _set_status(self, number: str, change: str, status: str, actor: str) -> None:
        with Session(self._engine) as session, session.begin():
            entry = self._change(session, number, change)
            entry.status = status
            self._finish(session, entry, change, actor)

    def _change(self, session: Session, number: str, change: str) -> KnowledgeEntry:
        entry = self._find(session, number, for_update=True)
        if entry.status not in _ALLOWED_FROM[change]:
            raise KnowledgeError(f"知识条目 {number} 当前状态为「{entry.status}」，不能执行「{change}」")
        return entry

    def _finish(self, session: Session, entry: KnowledgeEntry, change: str, actor: str) -> None:
        now = self._clock()
        entry.version += 1
        entry.updated_at = now
        self._record(session, entry, change, actor, now)

    @staticmethod
    def _find(session: Session, number: str, for_update: bool = False) -> KnowledgeEntry:
        query = select(KnowledgeEntry).where(KnowledgeEntry.number == number)
        # Two reviewers acting at once must not both read version n and both write n + 1.
        entry = session.scalars(query.with_for_update() if for_update else query).one_or_none()
        if entry is None:
            raise KnowledgeError(f"没有编号为 {number} 的知识条目")
        return entry

    @staticmethod
    def _record(session: Session, entry: KnowledgeEntry, change: str, actor: str, now: datetime) -> None:
        session.add(
            KnowledgeRevision(
                entry_id=entry.id,
                version=entry.version,
                change=change,
                question=entry.question,
                answer=entry.answer,
                policy_basis=entry.policy_basis,
                valid_from=entry.valid_from,
                valid_until=entry.valid_until,
                status=entry.status,
                actor=actor,
                changed_at=now,
            )
        )

    def _words(self, entry: KnowledgeEntry) -> dict[str, str]:
        return {
            "question_words": self._segmenter.index_text(entry.question),
            "body_words": self._segmenter.index_text(entry.topic, entry.answer, entry.policy_basis),
        }
