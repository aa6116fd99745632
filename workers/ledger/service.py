"""The ledger's service: writes as the processes move, and views of cases for a viewer's role.

Every write names the job that asked for it and is idempotent per job: the write and its job
receipt commit in one transaction, and a second delivery of the job finds the receipt and gets the
first outcome back, writing nothing. Nothing here knows about pyzeebe; `ledger_tasks` adapts it.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workers.knowledge.search import KnowledgeSearch
from workers.knowledge.store import PUBLISHED, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger import events, models
from workers.ledger.crypto import PersonalDataCipher
from workers.ledger.database import open_engine
from workers.ledger.masking import Appellant, Viewer, shown_to
from workers.ledger.migrations import migrate
from workers.ledger.policy import LedgerPolicy, load_ledger_policy
from workers.ledger.queries import CaseSearch
from workers.services.repeats import OpenCase
from workers.settings import Settings, SettingsError, ledger_key_bytes
from workers.upstream.store import UpstreamStore

# The status of a case from its registration until a diagram records another.
RECEIVED = "received"

Write = Callable[[Session, datetime], dict[str, Any]]


class UnknownCase(LookupError):
    pass


class UnknownChannel(ValueError):
    pass


class ReceiptConflict(Exception):
    """A job key that was recorded before with another request: an engine whose keys started over
    (a new embedded database next to an old ledger), not a redelivery."""


@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    recorded_at: datetime
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class CaseView:
    case_number: str
    channel: str
    received_at: datetime
    appellant: Appellant
    title: str | None
    content: str | None
    location: str | None
    category: str | None
    accepted: bool | None
    acceptance_reason: str | None
    lead_unit: str | None
    co_units: tuple[str, ...]
    due_at: datetime | None
    status: str
    archived_at: datetime | None
    process_instance_key: int | None
    # Transitions, deadline changes, reminders, ... in the order they were recorded.
    history: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class Outgoing:
    """An email or a text message to send: `to` is an email address or a phone number."""

    channel: str
    to: str
    subject: str
    text: str


@dataclass(frozen=True)
class Queued:
    """A message of the outbox, by the id that `mark_delivered` takes."""

    id: int
    message: Outgoing


@dataclass(frozen=True)
class InboxView:
    id: int
    case_number: str | None
    subject: str
    body: str
    created_at: datetime
    read: bool


# The history tables by the event kind that writes them.
_HISTORY: tuple[tuple[str, type[models.CaseEvent]], ...] = (
    ("transition", models.StatusTransition),
    ("deadline", models.DeadlineChange),
    ("reminder", models.Reminder),
    ("return", models.CaseReturn),
    ("extension", models.Extension),
    ("escalation", models.Escalation),
    ("reply", models.Reply),
    ("satisfaction", models.Satisfaction),
    ("activity", models.Activity),
)
_HISTORY_OWN_COLUMNS = frozenset({"id", "case_id", "recorded_at"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Ledger:
    def __init__(
        self,
        engine: Engine,
        cipher: PersonalDataCipher,
        policy: LedgerPolicy,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        """`clock` is the worker's, not the engine's: on Camunda 8 there is no other to read."""
        self._engine = engine
        self._cipher = cipher
        self._policy = policy
        self._clock = clock

    def close(self) -> None:
        self._engine.dispose()

    def case_search(self) -> CaseSearch:
        """Searches of this ledger for the console, on the same connections, key and policy."""
        return CaseSearch(self._engine, self._cipher, self._policy.privacy)

    def knowledge_store(self, segmenter: KnowledgeSegmenter) -> KnowledgeStore:
        """The knowledge base kept in this ledger's database, on the same connections and clock."""
        return KnowledgeStore(self._engine, segmenter, self._clock)

    def knowledge_search(self, segmenter: KnowledgeSegmenter) -> KnowledgeSearch:
        """Searches of the published knowledge base in this ledger's database (首问首接)."""
        return KnowledgeSearch(self._engine, segmenter)

    def upstream_store(self) -> UpstreamStore:
        """The upstream platforms' items and quarantine in this ledger's database, on the same
        connections and clock."""
        return UpstreamStore(self._engine, self._clock)

    # -------------------------------------------------------------------------------------- writes

    def register(
        self, job_key: int, registration: events.CaseRegistration, process_instance_key: int | None = None
    ) -> str:
        """Open a case under a new number and return the number."""

        def write(session: Session, now: datetime) -> dict[str, Any]:
            received_at = registration.received_at or now
            number = self._allocate_number(session, registration.channel, received_at)
            appellant = registration.appellant
            case = models.Case(
                case_number=number,
                channel=registration.channel,
                received_at=received_at,
                appellant_name=self._cipher.encrypt(appellant.name, number, "name"),
                appellant_phone=self._cipher.encrypt(appellant.phone, number, "phone"),
                appellant_address=self._cipher.encrypt(appellant.address, number, "address"),
                appellant_key_id=self._cipher.key_id,
                confidential=appellant.confidential,
                title=registration.title,
                content=registration.content,
                location=registration.location,
                co_units=[],
                status=RECEIVED,
                process_instance_key=process_instance_key,
                created_at=now,
                updated_at=now,
            )
            session.add(case)
            session.flush()
            session.add(models.StatusTransition(case_id=case.id, recorded_at=now, to_status=RECEIVED))
            return {"caseNumber": number}

        outcome = self._once(job_key, "register", registration, write)
        return str(outcome["caseNumber"])

    def record(self, job_key: int, event: events.LedgerEvent) -> dict[str, Any]:
        """Record `event` on its case; returns the variables the process gets back."""

        def write(session: Session, now: datetime) -> dict[str, Any]:
            # Locked: parallel branches of one process may record on the same case at once.
            case = self._case(session, event.case_number, lock=True)
            outcome = self._apply(session, case, event, now)
            case.updated_at = now
            return outcome

        return self._once(job_key, event.kind, event, write)

    def post_message(self, job_key: int, post: events.InboxPost) -> int:
        """Put a message in the console's inbox and return its id."""

        def write(session: Session, now: datetime) -> dict[str, Any]:
            message = self._add_inbox_message(session, post, now)
            session.flush()
            return {"messageId": message.id}

        return int(self._once(job_key, "inbox", post, write)["messageId"])

    def queue_notifications(
        self,
        job_key: int,
        request: BaseModel,
        case_number: str | None,
        posts: Sequence[events.InboxPost],
        messages: Sequence[Outgoing],
    ) -> None:
        """Post `posts` to the inbox and queue `messages` about case `case_number` (if any) for
        delivery, once per job: a redelivered job (same `request`) queues nothing more, and
        `undelivered` still lists what it has left to send."""

        def write(session: Session, now: datetime) -> dict[str, Any]:
            for post in posts:
                self._add_inbox_message(session, post, now)
            case_id = None if case_number is None else self._case(session, case_number).id
            for ordinal, message in enumerate(messages):
                sealed = self._cipher.encrypt(
                    json.dumps([message.to, message.subject, message.text], ensure_ascii=False),
                    *_outbox_binding(job_key, ordinal),
                )
                assert sealed is not None  # only None for None
                session.add(
                    models.Notification(
                        job_key=job_key,
                        ordinal=ordinal,
                        case_id=case_id,
                        channel=message.channel,
                        message=sealed,
                        key_id=self._cipher.key_id,
                        created_at=now,
                    )
                )
            return {"posted": len(posts), "queued": len(messages)}

        self._once(job_key, "notify", request, write)

    def undelivered(self, job_key: int) -> list[Queued]:
        """The messages job `job_key` queued that were not delivered yet, in their queued order."""
        query = (
            select(models.Notification)
            .where(models.Notification.job_key == job_key, models.Notification.delivered_at.is_(None))
            .order_by(models.Notification.ordinal)
        )
        with Session(self._engine) as session:
            queued = []
            for row in session.scalars(query):
                opened = self._cipher.decrypt(row.message, row.key_id, *_outbox_binding(job_key, row.ordinal))
                assert opened is not None  # the column is not nullable
                to, subject, text = json.loads(opened)
                queued.append(Queued(row.id, Outgoing(row.channel, to, subject, text)))
            return queued

    def mark_delivered(self, notification_id: int) -> None:
        with Session(self._engine) as session, session.begin():
            notification = session.get(models.Notification, notification_id)
            if notification is None:
                raise LookupError(f"no notification {notification_id}")
            notification.delivered_at = self._clock()

    def _add_inbox_message(
        self, session: Session, post: events.InboxPost, now: datetime
    ) -> models.InboxMessage:
        case_id = None if post.case_number is None else self._case(session, post.case_number).id
        message = models.InboxMessage(
            case_id=case_id,
            recipient_role=post.recipient_role,
            recipient_unit=post.recipient_unit,
            recipient_user=post.recipient_user,
            subject=post.subject,
            body=post.body,
            created_at=now,
        )
        session.add(message)
        return message

    def mark_read(self, message_id: int) -> None:
        with Session(self._engine) as session, session.begin():
            message = session.get(models.InboxMessage, message_id)
            if message is None:
                raise LookupError(f"no inbox message {message_id}")
            if message.read_at is None:
                message.read_at = self._clock()

    def _once(self, job_key: int, kind: str, request: BaseModel, write: Write) -> dict[str, Any]:
        """Run `write` unless job `job_key` already did this `kind` of write; the first outcome either way."""
        fingerprint = self._cipher.fingerprint(f"{kind}\n{request.model_dump_json()}".encode())
        try:
            with Session(self._engine) as session, session.begin():
                receipt = self._receipt(session, job_key, kind)
                if receipt is not None:
                    return self._first_outcome(receipt, fingerprint)
                now = self._clock()
                outcome = write(session, now)
                session.add(
                    models.JobReceipt(
                        job_key=job_key, kind=kind, fingerprint=fingerprint, outcome=outcome, recorded_at=now
                    )
                )
                return outcome
        except IntegrityError:
            # Another delivery of the same job committed first (PostgreSQL lets both run until the
            # second inserts its receipt; SQLite's write lock serialises them before they read).
            with Session(self._engine) as session:
                receipt = self._receipt(session, job_key, kind)
            if receipt is None:
                raise
            return self._first_outcome(receipt, fingerprint)

    @staticmethod
    def _receipt(session: Session, job_key: int, kind: str) -> models.JobReceipt | None:
        return session.scalar(
            select(models.JobReceipt).where(
                models.JobReceipt.job_key == job_key, models.JobReceipt.kind == kind
            )
        )

    @staticmethod
    def _first_outcome(receipt: models.JobReceipt, fingerprint: str) -> dict[str, Any]:
        if receipt.fingerprint != fingerprint:
            raise ReceiptConflict(
                f"job {receipt.job_key} already recorded a {receipt.kind} with other variables at "
                f"{receipt.recorded_at.isoformat()}; was the engine's database replaced but not the ledger's?"
            )
        return dict(receipt.outcome)

    def _allocate_number(self, session: Session, channel: str, received_at: datetime) -> str:
        """The next number of the channel's prefix and the year of receipt, taken in the caller's
        transaction: one atomic upsert, so concurrent registrations queue on the sequence's row."""
        numbering = self._policy.case_numbers
        prefix = numbering.prefixes.get(channel)
        if prefix is None:
            raise UnknownChannel(
                f"no case number prefix for channel {channel!r} in case_numbers.prefixes "
                f"(known: {', '.join(numbering.prefixes)})"
            )
        year = received_at.astimezone(ZoneInfo(numbering.timezone)).year
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        sequences = models.CaseSequence
        statement = (
            insert(sequences)
            .values(prefix=prefix, year=year, last_value=1)
            .on_conflict_do_update(
                index_elements=[sequences.prefix, sequences.year],
                set_={"last_value": sequences.last_value + 1},
            )
            .returning(sequences.last_value)
        )
        sequence = session.execute(statement).scalar_one()
        return f"{prefix}{year}-{sequence:0{numbering.sequence_digits}d}"

    @staticmethod
    def _case(session: Session, case_number: str, lock: bool = False) -> models.Case:
        query = select(models.Case).where(models.Case.case_number == case_number)
        case = session.scalar(query.with_for_update() if lock else query)
        if case is None:
            raise UnknownCase(f"no case {case_number} in the ledger")
        return case

    def _apply(
        self, session: Session, case: models.Case, event: events.LedgerEvent, now: datetime
    ) -> dict[str, Any]:
        # Units default to the lead unit: most events concern the unit that handles the case.
        match event:
            case events.Transition():
                session.add(
                    models.StatusTransition(
                        case_id=case.id,
                        recorded_at=now,
                        from_status=case.status,
                        to_status=event.status,
                        actor=event.actor,
                        note=event.note,
                    )
                )
                case.status = event.status
            case events.Details():
                given = event.model_fields_set - {"kind", "case_number"}
                for name in given:
                    value = getattr(event, name)
                    setattr(case, name, list(value) if name == "co_units" else value)
                if given & {"lead_unit", "co_units"}:
                    _set_case_units(session, case)
            case events.Deadline():
                self._change_deadline(session, case, event.due_at, event.reason, now)
            case events.Reminder():
                session.add(
                    models.Reminder(
                        case_id=case.id, recorded_at=now, unit=event.unit or case.lead_unit, note=event.note
                    )
                )
                session.flush()
                # For the diagrams' escalation rule: overdue and ignored after N reminders [seed 002 五].
                reminders = session.scalar(
                    select(func.count())
                    .select_from(models.Reminder)
                    .where(models.Reminder.case_id == case.id)
                )
                return {"reminderCount": reminders}
            case events.Return():
                session.add(
                    models.CaseReturn(
                        case_id=case.id,
                        recorded_at=now,
                        unit=event.unit or case.lead_unit,
                        reason=event.reason,
                    )
                )
            case events.Extension():
                session.add(
                    models.Extension(
                        case_id=case.id,
                        recorded_at=now,
                        unit=event.unit or case.lead_unit,
                        requested_at=event.requested_at or now,
                        reason=event.reason,
                        signer=event.signer,
                        decision=event.decision,
                        new_due_at=event.new_due_at,
                    )
                )
                if event.new_due_at is not None and event.decision == "approved":
                    self._change_deadline(session, case, event.new_due_at, f"延期: {event.reason}", now)
            case events.Escalation():
                session.add(
                    models.Escalation(
                        case_id=case.id,
                        recorded_at=now,
                        unit=event.unit or case.lead_unit,
                        reason=event.reason,
                    )
                )
            case events.Reply():
                session.add(
                    models.Reply(
                        case_id=case.id,
                        recorded_at=now,
                        unit=event.unit or case.lead_unit,
                        text=_reply_text(session, event, now),
                        signer=event.signer,
                        grade=event.grade,
                    )
                )
            case events.Satisfaction():
                session.add(
                    models.Satisfaction(
                        case_id=case.id,
                        recorded_at=now,
                        visited_at=event.visited_at or now,
                        result=event.result,
                        note=event.note,
                    )
                )
            case events.Archive():
                if case.archived_at is None:
                    case.archived_at = now
            case events.Activity():
                session.add(
                    models.Activity(
                        case_id=case.id,
                        recorded_at=now,
                        name=event.activity,
                        label=event.label,
                        unit=event.unit,
                        actor=event.actor,
                        data=event.activity_data,
                        occurred_at=event.occurred_at or now,
                    )
                )
        return {}

    @staticmethod
    def _change_deadline(
        session: Session, case: models.Case, due_at: datetime, reason: str | None, now: datetime
    ) -> None:
        session.add(
            models.DeadlineChange(
                case_id=case.id, recorded_at=now, previous_due_at=case.due_at, due_at=due_at, reason=reason
            )
        )
        case.due_at = due_at

    # ------------------------------------------------------------------------------------- queries

    def view_case(self, case_number: str, viewer: Viewer) -> CaseView:
        """The case and its history, with the appellant as `viewer`'s role may see them."""
        with Session(self._engine) as session:
            case = self._case(session, case_number)
            appellant = Appellant(
                name=self._decrypt(case, "name", case.appellant_name),
                phone=self._decrypt(case, "phone", case.appellant_phone),
                address=self._decrypt(case, "address", case.appellant_address),
                confidential=case.confidential,
            )
            history = [
                HistoryEntry(kind, row.recorded_at, _own_fields(row))
                for kind, model in _HISTORY
                for row in session.scalars(select(model).where(model.case_id == case.id).order_by(model.id))
            ]
            return CaseView(
                case_number=case.case_number,
                channel=case.channel,
                received_at=case.received_at,
                appellant=shown_to(viewer, appellant, self._policy.privacy),
                title=case.title,
                content=case.content,
                location=case.location,
                category=case.category,
                accepted=case.accepted,
                acceptance_reason=case.acceptance_reason,
                lead_unit=case.lead_unit,
                co_units=tuple(case.co_units),
                due_at=case.due_at,
                status=case.status,
                archived_at=case.archived_at,
                process_instance_key=case.process_instance_key,
                history=tuple(sorted(history, key=lambda entry: entry.recorded_at)),
            )

    def received_since(self, since: datetime) -> list[OpenCase]:
        """The cases still open that came in since `since`: what a new appeal may repeat.

        With this the ledger is the classification's `OpenCases`; the phone is decrypted only to be
        compared, never returned to a person.
        """
        query = (
            select(models.Case)
            .where(models.Case.received_at >= since, models.Case.archived_at.is_(None))
            .order_by(models.Case.received_at)
        )
        with Session(self._engine) as session:
            return [
                OpenCase(
                    case_id=case.case_number,
                    received_at=case.received_at,
                    phone=self._decrypt(case, "phone", case.appellant_phone),
                    text=" ".join(part for part in (case.title, case.content) if part),
                )
                for case in session.scalars(query)
            ]

    def inbox(self, viewer: Viewer) -> list[InboxView]:
        """Messages for `viewer`, newest first: those whose every given recipient matches it."""
        message = models.InboxMessage
        query = (
            select(message, models.Case.case_number)
            .outerjoin(models.Case, models.Case.id == message.case_id)
            .where(
                or_(message.recipient_role.is_(None), message.recipient_role == viewer.role),
                or_(message.recipient_unit.is_(None), message.recipient_unit == viewer.unit),
                or_(message.recipient_user.is_(None), message.recipient_user == viewer.user),
            )
            .order_by(message.id.desc())
        )
        with Session(self._engine) as session:
            return [
                InboxView(row.id, case_number, row.subject, row.body, row.created_at, row.read_at is not None)
                for row, case_number in session.execute(query)
            ]

    def _decrypt(self, case: models.Case, field: str, stored: bytes | None) -> str | None:
        return self._cipher.decrypt(stored, case.appellant_key_id, case.case_number, field)


def _set_case_units(session: Session, case: models.Case) -> None:
    """Rewrite the rows of `case`'s units (the console's unit scope reads them) from its lead unit
    and co-units; a unit named as both keeps its lead row."""
    session.execute(delete(models.CaseUnit).where(models.CaseUnit.case_id == case.id))
    roles = dict.fromkeys(case.co_units, "co")
    if case.lead_unit is not None:
        roles[case.lead_unit] = "lead"
    session.add_all(
        models.CaseUnit(case_id=case.id, unit=unit, role=role, received_at=case.received_at)
        for unit, role in roles.items()
    )


def _reply_text(session: Session, reply: events.Reply, now: datetime) -> str:
    """The operator's own words, else the cited entry's answer; a cited entry is checked either way."""
    if reply.cited_entry is None:
        assert reply.text is not None, "events.Reply requires text or citedEntry"
        return reply.text
    entry = _citable(session, reply.cited_entry, now)
    return reply.text or entry.answer


def _citable(session: Session, number: str, now: datetime) -> models.KnowledgeEntry:
    """The knowledge base entry a reply cites: published and valid now, or the reply is refused."""
    entry = session.scalar(select(models.KnowledgeEntry).where(models.KnowledgeEntry.number == number))
    if entry is None:
        raise events.LedgerInputError(f"citedEntry: no knowledge base entry {number}")
    valid = entry.valid_from <= now and (entry.valid_until is None or entry.valid_until > now)
    if entry.status != PUBLISHED or not valid:
        raise events.LedgerInputError(
            f"citedEntry: {number} is {entry.status}, not a published entry valid now"
        )
    return entry


def _own_fields(row: models.CaseEvent) -> dict[str, Any]:
    if isinstance(row, models.Activity):
        # In the words the diagrams record it with (workers/ledger/events.py Activity).
        return {
            "activity": row.name,
            "label": row.label,
            "unit": row.unit,
            "actor": row.actor,
            "data": row.data,
            "occurredAt": row.occurred_at,
        }
    columns = row.__table__.columns  # type: ignore[attr-defined]
    return {
        column.key: getattr(row, column.key) for column in columns if column.key not in _HISTORY_OWN_COLUMNS
    }


def _outbox_binding(job_key: int, ordinal: int) -> tuple[str, str]:
    """What an outbox message's encryption binds it to, so that it cannot be moved to another row."""
    return f"job-{job_key}", f"notification-{ordinal}"


def open_ledger(settings: Settings, clock: Callable[[], datetime] = _utc_now) -> Ledger:
    """The workers' ledger: migrated to the newest revision, with the key and policy of `settings`."""
    if settings.ledger_key is None:
        raise SettingsError(
            "MINSHENG_LEDGER_KEY: is required to encrypt appellants' personal data "
            "(see workers/ledger/crypto.py for how to make one)"
        )
    policy = load_ledger_policy(settings.config_dir)
    migrate(settings.ledger_database_url)
    cipher = PersonalDataCipher(ledger_key_bytes(settings.ledger_key))
    return Ledger(open_engine(settings.ledger_database_url), cipher, policy, clock)
