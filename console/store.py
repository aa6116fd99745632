"""The console's own tables: its users, the audit log of views of appellants' data, and sign-in
attempts (for throttling). Every name starts with `console_`: by default they live in the ledger's
database, beside the `ledger_*` tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, Engine, Index, String, Text, UniqueConstraint, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from workers.ledger.database import open_engine
from workers.ledger.models import Id, UtcDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime()}  # noqa: RUF012 (SQLAlchemy reads it as is)


class User(Base):
    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class AuditEntry(Base):
    """One view of unmasked appellant data (or another sensitive action): who, what, when, from where."""

    __tablename__ = "console_audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(64))


class SignInAttempt(Base):
    __tablename__ = "console_sign_in_attempts"
    __table_args__ = (
        Index("ix_console_sign_in_attempts_username_at", "username", "at"),
        Index("ix_console_sign_in_attempts_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime]
    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)


@dataclass(frozen=True)
class Account:
    """A signed-in user as the rest of the console sees them (never the password hash)."""

    username: str
    display_name: str
    role: str
    unit: str | None


@dataclass(frozen=True)
class UserRow:
    account: Account
    active: bool
    created_at: datetime


class ConsoleStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        Base.metadata.create_all(engine)

    def close(self) -> None:
        self._engine.dispose()

    def add_user(
        self, username: str, display_name: str, password_hash: str, role: str, unit: str | None, now: datetime
    ) -> None:
        with Session(self._engine) as session, session.begin():
            session.add(
                User(
                    username=username,
                    display_name=display_name,
                    password_hash=password_hash,
                    role=role,
                    unit=unit,
                    active=True,
                    created_at=now,
                )
            )

    def has_user(self, username: str) -> bool:
        with Session(self._engine) as session:
            return session.scalar(select(User.id).where(User.username == username)) is not None

    def credentials(self, username: str) -> tuple[Account, str] | None:
        """The active user `username` and their password hash."""
        with Session(self._engine) as session:
            user = session.scalar(select(User).where(User.username == username, User.active))
            if user is None:
                return None
            return _account(user), user.password_hash

    def account(self, username: str) -> Account | None:
        found = self.credentials(username)
        return None if found is None else found[0]

    def set_password_hash(self, username: str, password_hash: str) -> bool:
        with Session(self._engine) as session, session.begin():
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                return False
            user.password_hash = password_hash
            return True

    def set_active(self, username: str, active: bool) -> bool:
        with Session(self._engine) as session, session.begin():
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                return False
            user.active = active
            return True

    def users(self, *, include_inactive: bool = False) -> list[UserRow]:
        query = select(User).order_by(User.username)
        if not include_inactive:
            query = query.where(User.active)
        with Session(self._engine) as session:
            return [UserRow(_account(user), user.active, user.created_at) for user in session.scalars(query)]

    def record_attempt(self, username: str, client: str, succeeded: bool, now: datetime) -> None:
        with Session(self._engine) as session, session.begin():
            session.add(SignInAttempt(at=now, username=username, client=client, succeeded=succeeded))

    def failures_since(
        self, since: datetime, *, username: str | None = None, client: str | None = None
    ) -> int:
        """Failed sign-ins since `since` for `username` or from `client`, since their last success."""
        attempt = SignInAttempt
        key = attempt.username == username if username is not None else attempt.client == client
        with Session(self._engine) as session:
            last_success = session.scalar(select(func.max(attempt.at)).where(key, attempt.succeeded))
            start = max(since, last_success) if last_success is not None else since
            query = select(func.count()).where(key, ~attempt.succeeded, attempt.at >= start)
            return session.scalar(query) or 0

    def audit(
        self, username: str, action: str, subject: str, detail: str | None, client: str | None, now: datetime
    ) -> None:
        with Session(self._engine) as session, session.begin():
            session.add(
                AuditEntry(
                    at=now, username=username, action=action, subject=subject, detail=detail, client=client
                )
            )

    def audit_log(
        self, limit: int = 200, *, subject: str | None = None, username: str | None = None
    ) -> list[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if subject is not None:
            query = query.where(AuditEntry.subject == subject)
        if username is not None:
            query = query.where(AuditEntry.username == username)
        with Session(self._engine) as session:
            return list(session.scalars(query))


def _account(user: User) -> Account:
    return Account(user.username, user.display_name, user.role, user.unit)


def open_console_store(url: str) -> ConsoleStore:
    return ConsoleStore(open_engine(url))


# ------------------------------------------------------------------------------- case attachments


class Attachment(Base):
    """A file attached to a case in the console (photos, documents, recordings); who uploaded it
    and when. Readable by whoever may see the case (console/routes/cases.py checks that)."""

    __tablename__ = "console_attachments"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    content: Mapped[bytes]
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    case_number: str
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


class Attachments:
    """The console_attachments table, in the console's database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        case_number: str,
        filename: str,
        content_type: str,
        content: bytes,
        uploaded_by: str,
        now: datetime,
    ) -> int:
        row = Attachment(
            case_number=case_number,
            filename=filename,
            content_type=content_type,
            size=len(content),
            content=content,
            uploaded_by=uploaded_by,
            uploaded_at=now,
        )
        with Session(self._engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    def of_case(self, case_number: str) -> list[AttachmentInfo]:
        """The case's attachments, oldest first, without their contents."""
        query = select(*_ATTACHMENT_INFO).where(Attachment.case_number == case_number).order_by(Attachment.id)
        with Session(self._engine) as session:
            return [AttachmentInfo(*row) for row in session.execute(query)]

    def content(self, case_number: str, attachment_id: int) -> tuple[AttachmentInfo, bytes] | None:
        """The attachment `attachment_id` of case `case_number` (of no other case) and its bytes."""
        query = select(*_ATTACHMENT_INFO, Attachment.content).where(
            Attachment.id == attachment_id, Attachment.case_number == case_number
        )
        with Session(self._engine) as session:
            row = session.execute(query).one_or_none()
            return None if row is None else (AttachmentInfo(*row[:-1]), row[-1])


_ATTACHMENT_INFO = (
    Attachment.id,
    Attachment.case_number,
    Attachment.filename,
    Attachment.content_type,
    Attachment.size,
    Attachment.uploaded_by,
    Attachment.uploaded_at,
)


def attachments_of(store: ConsoleStore) -> Attachments:
    """The attachments kept in `store`'s database (its tables are created with the store's)."""
    return Attachments(store._engine)


# ----------------------------------------------------------------------------------- case imports


class ImportedAppeal(Base):
    """An appeal imported from a file under its source system's id (外部编号), and the process
    instance it started: the same id in a later file is not started again. The row is written before
    the instance is started (its key empty meanwhile), so two imports cannot both start it."""

    __tablename__ = "console_imports"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(64))
    process_instance_key: Mapped[str | None] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(255))
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime]


class ImportedAppeals:
    """The console_imports table, in the console's database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(
        self, channel: str, external_id: str, file_name: str, username: str, now: datetime
    ) -> tuple[bool, str | None]:
        """Take `external_id` of `channel` for an import: (True, None) if it is new, else (False, the
        key of the instance an earlier import started, None if that one is still starting)."""
        row = ImportedAppeal(
            channel=channel,
            external_id=external_id,
            file_name=file_name[:255],
            imported_by=username,
            imported_at=now,
        )
        try:
            with Session(self._engine) as session, session.begin():
                session.add(row)
        except IntegrityError:
            with Session(self._engine) as session:
                key = session.scalar(
                    select(ImportedAppeal.process_instance_key).where(
                        ImportedAppeal.channel == channel, ImportedAppeal.external_id == external_id
                    )
                )
            return False, key
        return True, None

    def started(self, channel: str, external_id: str, process_instance_key: str) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(
                update(ImportedAppeal)
                .where(ImportedAppeal.channel == channel, ImportedAppeal.external_id == external_id)
                .values(process_instance_key=process_instance_key)
            )

    def release(self, channel: str, external_id: str) -> None:
        """Give up a claim whose instance could not be started, so that importing again starts it."""
        with Session(self._engine) as session, session.begin():
            session.execute(
                delete(ImportedAppeal).where(
                    ImportedAppeal.channel == channel,
                    ImportedAppeal.external_id == external_id,
                    ImportedAppeal.process_instance_key.is_(None),
                )
            )


def imported_appeals_of(store: ConsoleStore) -> ImportedAppeals:
    """The imported appeals kept in `store`'s database (its table is created with the store's)."""
    return ImportedAppeals(store._engine)
