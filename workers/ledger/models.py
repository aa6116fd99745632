"""The ledger's tables. Every name starts with `ledger_`: in production the ledger may share a
PostgreSQL database with the engine (`engine_*`) and others.

Changing a table here needs a new revision in `migrations/versions/`; a test compares the two.
"""

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# SQLite numbers rows by itself only in an INTEGER PRIMARY KEY column.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"the ledger stores aware datetimes only, got {value}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UtcDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class CaseSequence(Base):
    """The last sequence number handed out per channel prefix and year; only ever incremented."""

    __tablename__ = "ledger_case_sequences"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(BigInteger)


class Case(Base):
    __tablename__ = "ledger_cases"
    # The console's lists: a unit's cases by status and date, a unit's month, overdue cases
    # (migration 0003); the dashboard's cases due soon, whatever their status (0004).
    __table_args__ = (
        Index("ix_ledger_cases_unit_status_received", "lead_unit", "status", "received_at"),
        Index("ix_ledger_cases_unit_received", "lead_unit", "received_at"),
        Index("ix_ledger_cases_status_due", "status", "due_at"),
        Index("ix_ledger_cases_due", "due_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)
    channel: Mapped[str] = mapped_column(String(40), index=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    # AES-GCM ciphertexts (see crypto.py) and the id of the key that made them.
    appellant_name: Mapped[bytes | None] = mapped_column(LargeBinary)
    appellant_phone: Mapped[bytes | None] = mapped_column(LargeBinary)
    appellant_address: Mapped[bytes | None] = mapped_column(LargeBinary)
    appellant_key_id: Mapped[str] = mapped_column(String(16))
    confidential: Mapped[bool] = mapped_column(Boolean)
    title: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(40), index=True)
    accepted: Mapped[bool | None] = mapped_column(Boolean)
    acceptance_reason: Mapped[str | None] = mapped_column(Text)
    lead_unit: Mapped[str | None] = mapped_column(String(100), index=True)
    co_units: Mapped[list[str]]
    due_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(40), index=True)
    archived_at: Mapped[datetime | None]
    process_instance_key: Mapped[int | None] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    transitions: Mapped[list["StatusTransition"]] = relationship(order_by="StatusTransition.id")
    deadline_changes: Mapped[list["DeadlineChange"]] = relationship(order_by="DeadlineChange.id")
    reminders: Mapped[list["Reminder"]] = relationship(order_by="Reminder.id")
    returns: Mapped[list["CaseReturn"]] = relationship(order_by="CaseReturn.id")
    extensions: Mapped[list["Extension"]] = relationship(order_by="Extension.id")
    escalations: Mapped[list["Escalation"]] = relationship(order_by="Escalation.id")
    replies: Mapped[list["Reply"]] = relationship(order_by="Reply.id")
    satisfaction: Mapped[list["Satisfaction"]] = relationship(order_by="Satisfaction.id")


class CaseUnit(Base):
    """A unit's part in a case: `lead` or `co`, one row per unit, kept by the ledger whenever a
    case's lead unit or co-units change. A unit's scope of the console reads its cases here, newest
    first, off one index: `co_units`, a JSON list, cannot be indexed (migration 0004)."""

    __tablename__ = "ledger_case_units"
    __table_args__ = (Index("ix_ledger_case_units_unit_received", "unit", "received_at", "case_id"),)

    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_cases.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    # The case's, which never changes after registration: the scope's pages are in this order.
    received_at: Mapped[datetime]


class CaseEvent:
    """What every row of a case's history has: its case, and when the ledger recorded it."""

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_cases.id"), index=True)
    recorded_at: Mapped[datetime]


class StatusTransition(CaseEvent, Base):
    __tablename__ = "ledger_status_transitions"

    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class DeadlineChange(CaseEvent, Base):
    __tablename__ = "ledger_deadline_changes"

    previous_due_at: Mapped[datetime | None]
    due_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)


class Reminder(CaseEvent, Base):
    __tablename__ = "ledger_reminders"

    unit: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class CaseReturn(CaseEvent, Base):
    __tablename__ = "ledger_returns"

    unit: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)


class Extension(CaseEvent, Base):
    __tablename__ = "ledger_extensions"

    unit: Mapped[str | None] = mapped_column(String(100))
    requested_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    signer: Mapped[str | None] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(16))
    new_due_at: Mapped[datetime | None]


class Escalation(CaseEvent, Base):
    __tablename__ = "ledger_escalations"

    unit: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)


class Reply(CaseEvent, Base):
    __tablename__ = "ledger_replies"

    unit: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    signer: Mapped[str | None] = mapped_column(String(100))
    grade: Mapped[str | None] = mapped_column(String(1))


class Satisfaction(CaseEvent, Base):
    __tablename__ = "ledger_satisfaction"

    visited_at: Mapped[datetime]
    result: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)


class Activity(CaseEvent, Base):
    """A step of one of the communication channels (meetings, Weibo releases, interviews, surveys,
    receptions, radio call-ins) and its figures; the channel sections of the bulletins count these
    by name and time (migration 0005)."""

    __tablename__ = "ledger_activities"
    __table_args__ = (Index("ix_ledger_activities_name_occurred", "name", "occurred_at"),)

    name: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime]


class InboxMessage(Base):
    """The console's in-app inbox: a message for a role, a unit, a user, or a combination."""

    __tablename__ = "ledger_inbox"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("ledger_cases.id"), index=True)
    recipient_role: Mapped[str | None] = mapped_column(String(100), index=True)
    recipient_unit: Mapped[str | None] = mapped_column(String(100), index=True)
    recipient_user: Mapped[str | None] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class JobReceipt(Base):
    """One per (job, kind of write): a redelivered job finds it and gets the first outcome back."""

    __tablename__ = "ledger_job_receipts"
    __table_args__ = (UniqueConstraint("job_key", "kind", name="uq_ledger_job_receipts_job_key_kind"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    job_key: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))
    # Keyed digest of the request: the same job key with another request is an engine whose keys
    # started over (a new embedded database), not a redelivery, and must not get the old outcome.
    fingerprint: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[dict[str, Any]]
    recorded_at: Mapped[datetime]


class Notification(Base):
    """The outbox of emails and text messages (workers/notify/). A job's messages are written here
    with its receipt in one transaction and delivered afterwards, so a redelivered job finds them
    and sends only those not yet delivered."""

    __tablename__ = "ledger_notifications"
    __table_args__ = (UniqueConstraint("job_key", "ordinal", name="uq_ledger_notifications_job_key_ordinal"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    job_key: Mapped[int] = mapped_column(BigInteger)
    # The message's place among its job's, which the encryption binds it to.
    ordinal: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("ledger_cases.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    # Address, subject and text, encrypted as appellants' data is: a message to the appellant holds
    # their phone number and name in the clear.
    message: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class KnowledgeEntry(Base):
    """A knowledge base (知识库) entry: a question citizens ask and the answer the owning unit
    stands behind, proposed at first contact only while published and within its validity."""

    __tablename__ = "ledger_knowledge_entries"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(100), index=True)
    unit: Mapped[str] = mapped_column(String(100), index=True)
    policy_basis: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    # draft, in-review, published, expired, withdrawn (workers/knowledge/store.py)
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class KnowledgeRevision(Base):
    """Every version of an entry as it was written, with who wrote it and when: the units are
    assessed on their upkeep, and an answer given to a citizen must be traceable to its wording."""

    __tablename__ = "ledger_knowledge_revisions"
    __table_args__ = (
        UniqueConstraint("entry_id", "version", name="uq_ledger_knowledge_revisions_entry_version"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_knowledge_entries.id"))
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    policy_basis: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime]


class KnowledgeSearchText(Base):
    """An entry's jieba-segmented words separated by spaces, which both databases' full-text
    indexes read: neither SQLite's nor PostgreSQL's tokenizers can cut Chinese into words. The
    indexes themselves (an FTS5 table; a tsvector table with a GIN index) are dialect-specific and
    live in the migration only, under names starting with `ledger_knowledge_fts`."""

    __tablename__ = "ledger_knowledge_search"

    entry_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_knowledge_entries.id"), primary_key=True
    )
    question_words: Mapped[str] = mapped_column(Text)
    body_words: Mapped[str] = mapped_column(Text)


# --- Upstream platforms (workers/upstream/store.py) ---


class UpstreamItemRecord(Base):
    """An item an upstream platform assigned to the city, from its claim to the platform's receipt
    of our answer. The unique (platform, upstream_id) is the deduplication: an item offered again,
    in the same fetch or a later one, finds its row and starts nothing new."""

    __tablename__ = "ledger_upstream_items"
    __table_args__ = (
        UniqueConstraint("platform", "upstream_id", name="uq_ledger_upstream_items_platform_upstream_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(60))
    upstream_id: Mapped[str] = mapped_column(String(200))
    # The fetch starting the item and since when; a claim older than the lease is stale (its fetch
    # died between claim and start) and the next fetch may take the item over.
    claim_token: Mapped[str | None] = mapped_column(String(36))
    claimed_at: Mapped[datetime | None]
    # Set when the process started; a claimed row without one is started on the next fetch.
    process_instance_key: Mapped[int | None] = mapped_column(BigInteger)
    case_number: Mapped[str | None] = mapped_column(String(32))
    fetched_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    receipt_id: Mapped[str | None] = mapped_column(String(200))
    # What was answered (workers/upstream/adapter.py answer_key): the same answer is posted once.
    answer_key: Mapped[str | None] = mapped_column(String(64))
    answer_error: Mapped[str | None] = mapped_column(Text)


class UpstreamQuarantine(Base):
    """An item a platform sent that cannot start a process, with every reason and what exactly
    arrived, until a person resolves it. While unresolved, an item is kept once per (platform,
    upstream_id) however often the platform offers it again (a partial unique index)."""

    __tablename__ = "ledger_upstream_quarantine"
    __table_args__ = (
        Index(
            "uq_ledger_upstream_quarantine_unresolved",
            "platform",
            "upstream_id",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(60), index=True)
    upstream_id: Mapped[str | None] = mapped_column(String(200))
    reasons: Mapped[list[str]]
    raw: Mapped[Any] = mapped_column(JSON)
    fetched_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(100))
