"""What the city did with upstream items: claimed, started, acknowledged, answered; and the
quarantine of items that could not start a process, until a person resolves them.

The unique (platform, upstream id) row is claimed by one fetch before the process starts and marked
started after, so an item offered twice starts once, even to two fetches running at once. An item
whose start was cut short (a crash between claim and start) is still unstarted the next time the
platform offers it, and starts then: a failed start gives its claim back at once, a crashed one's
claim goes stale after CLAIM_LEASE.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workers.ledger.models import UpstreamItemRecord, UpstreamQuarantine
from workers.upstream.adapter import Rejected

# Starting one process takes milliseconds; a claim this old belongs to a fetch that died.
CLAIM_LEASE = timedelta(minutes=10)


class QuarantineNotFound(LookupError):
    """No quarantined item has this id."""


@dataclass(frozen=True, slots=True)
class TrackedItem:
    platform: str
    upstream_id: str
    claim_token: str | None
    process_instance_key: int | None
    case_number: str | None
    fetched_at: datetime
    started_at: datetime | None
    acknowledged_at: datetime | None
    answered_at: datetime | None
    receipt_id: str | None
    answer_key: str | None
    answer_error: str | None

    @property
    def started(self) -> bool:
        return self.started_at is not None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


@dataclass(frozen=True, slots=True)
class QuarantinedItem:
    id: int
    platform: str
    upstream_id: str | None
    reasons: tuple[str, ...]
    raw: Any
    fetched_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None


def _tracked(row: UpstreamItemRecord) -> TrackedItem:
    return TrackedItem(
        platform=row.platform,
        upstream_id=row.upstream_id,
        claim_token=row.claim_token,
        process_instance_key=row.process_instance_key,
        case_number=row.case_number,
        fetched_at=row.fetched_at,
        started_at=row.started_at,
        acknowledged_at=row.acknowledged_at,
        answered_at=row.answered_at,
        receipt_id=row.receipt_id,
        answer_key=row.answer_key,
        answer_error=row.answer_error,
    )


def _quarantined(row: UpstreamQuarantine) -> QuarantinedItem:
    return QuarantinedItem(
        id=row.id,
        platform=row.platform,
        upstream_id=row.upstream_id,
        reasons=tuple(row.reasons),
        raw=row.raw,
        fetched_at=row.fetched_at,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
    )


def _json(raw: object) -> Any:
    """`raw` as the JSON column can store it: whatever the platform sent was parsed from JSON, but
    an adapter that is not HTTP/JSON may hand over anything; that is kept as its text."""
    if raw is None or isinstance(raw, (str, int, float, bool, list, dict)):
        return raw
    return repr(raw)


class UpstreamStore:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._engine = engine
        self._clock = clock

    # --- items ---

    def claim(self, platform: str, upstream_id: str, token: str) -> TrackedItem:
        """The item's row, inserted if this is its first offer, claimed for the fetch `token` unless
        it is started or another fetch's claim is fresh. The caller starts a process only if the
        returned item is not `started` and its `claim_token` is `token`."""
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            row = self._find(session, platform, upstream_id)
            if row is None:
                try:
                    with session.begin_nested():
                        row = UpstreamItemRecord(
                            platform=platform,
                            upstream_id=upstream_id,
                            fetched_at=now,
                            claim_token=token,
                            claimed_at=now,
                        )
                        session.add(row)
                    return _tracked(row)
                except IntegrityError:
                    # Another fetch inserted it between our look and our insert.
                    row = self._get(session, platform, upstream_id)
            if row.started_at is None and row.claim_token != token:
                # One conditional write, so that of two fetches only one wins a stale or free claim.
                session.execute(
                    update(UpstreamItemRecord)
                    .where(
                        UpstreamItemRecord.id == row.id,
                        UpstreamItemRecord.started_at.is_(None),
                        or_(
                            UpstreamItemRecord.claimed_at.is_(None),
                            UpstreamItemRecord.claimed_at < now - CLAIM_LEASE,
                        ),
                    )
                    .values(claim_token=token, claimed_at=now),
                    execution_options={"synchronize_session": False},
                )
                session.refresh(row)
            return _tracked(row)

    def release(self, platform: str, upstream_id: str, token: str) -> None:
        """Give back the claim of fetch `token` on an item it failed to start, so the next fetch
        need not wait out the lease."""
        with Session(self._engine) as session, session.begin():
            session.execute(
                update(UpstreamItemRecord)
                .where(
                    UpstreamItemRecord.platform == platform,
                    UpstreamItemRecord.upstream_id == upstream_id,
                    UpstreamItemRecord.claim_token == token,
                    UpstreamItemRecord.started_at.is_(None),
                )
                .values(claim_token=None, claimed_at=None)
            )

    def mark_started(self, platform: str, upstream_id: str, process_instance_key: int) -> None:
        with Session(self._engine) as session, session.begin():
            row = self._get(session, platform, upstream_id)
            row.process_instance_key = process_instance_key
            row.started_at = self._clock()

    def mark_acknowledged(self, platform: str, upstream_id: str) -> None:
        with Session(self._engine) as session, session.begin():
            self._get(session, platform, upstream_id).acknowledged_at = self._clock()

    def record_answer(
        self,
        platform: str,
        upstream_id: str,
        answer_key: str,
        receipt_id: str | None,
        case_number: str | None = None,
    ) -> None:
        """The platform confirmed the answer `answer_key`; clears an earlier attempt's error."""
        with Session(self._engine) as session, session.begin():
            row = self._get(session, platform, upstream_id)
            row.answered_at = self._clock()
            row.answer_key = answer_key
            row.receipt_id = receipt_id
            row.answer_error = None
            if case_number is not None:
                row.case_number = case_number

    def record_answer_error(self, platform: str, upstream_id: str, error: str) -> None:
        """The last failed attempt to post the answer, for whoever looks at the item."""
        with Session(self._engine) as session, session.begin():
            self._get(session, platform, upstream_id).answer_error = error

    def item(self, platform: str, upstream_id: str) -> TrackedItem | None:
        with Session(self._engine) as session:
            row = self._find(session, platform, upstream_id)
            return None if row is None else _tracked(row)

    # --- quarantine ---

    def quarantine(self, platform: str, rejected: Rejected) -> bool:
        """Keep `rejected` for a person; False if it is already kept and unresolved: the same
        upstream id, or for an item without one, the same content."""
        raw = _json(rejected.raw)
        with Session(self._engine) as session, session.begin():
            unresolved = select(UpstreamQuarantine).where(
                UpstreamQuarantine.platform == platform, UpstreamQuarantine.resolved_at.is_(None)
            )
            if rejected.upstream_id is not None:
                if session.scalar(unresolved.where(UpstreamQuarantine.upstream_id == rejected.upstream_id)):
                    return False
            # Without an id, an item is recognised by what it holds. Those are few, and JSON compares
            # alike on both databases only once parsed.
            elif any(
                row.raw == raw
                for row in session.scalars(unresolved.where(UpstreamQuarantine.upstream_id.is_(None)))
            ):
                return False
            try:
                with session.begin_nested():
                    session.add(
                        UpstreamQuarantine(
                            platform=platform,
                            upstream_id=rejected.upstream_id,
                            reasons=list(rejected.reasons),
                            raw=raw,
                            fetched_at=self._clock(),
                        )
                    )
            except IntegrityError:
                # Another fetch kept it between our look and our insert (the partial unique index).
                return False
            return True

    def quarantined(
        self, limit: int, offset: int = 0, *, unresolved_only: bool = False
    ) -> list[QuarantinedItem]:
        """Unresolved items first, then the newest."""
        query = select(UpstreamQuarantine)
        if unresolved_only:
            query = query.where(UpstreamQuarantine.resolved_at.is_(None))
        query = query.order_by(
            UpstreamQuarantine.resolved_at.is_not(None),
            UpstreamQuarantine.fetched_at.desc(),
            UpstreamQuarantine.id.desc(),
        )
        with Session(self._engine) as session:
            rows = session.scalars(query.limit(limit).offset(offset))
            return [_quarantined(row) for row in rows]

    def quarantined_count(self, *, unresolved_only: bool = False) -> int:
        query = select(func.count()).select_from(UpstreamQuarantine)
        if unresolved_only:
            query = query.where(UpstreamQuarantine.resolved_at.is_(None))
        with Session(self._engine) as session:
            return session.scalar(query) or 0

    def resolve_quarantined(self, id: int, actor: str) -> QuarantinedItem:
        """Mark the item resolved by `actor` (resolving twice keeps the first); raises
        QuarantineNotFound for an unknown id. If the platform offers it again it is judged anew."""
        with Session(self._engine) as session, session.begin():
            row = session.get(UpstreamQuarantine, id)
            if row is None:
                raise QuarantineNotFound(f"no quarantined upstream item {id}")
            if row.resolved_at is None:
                row.resolved_at = self._clock()
                row.resolved_by = actor
            return _quarantined(row)

    @staticmethod
    def _find(session: Session, platform: str, upstream_id: str) -> UpstreamItemRecord | None:
        return session.scalar(
            select(UpstreamItemRecord).where(
                UpstreamItemRecord.platform == platform, UpstreamItemRecord.upstream_id == upstream_id
            )
        )

    @classmethod
    def _get(cls, session: Session, platform: str, upstream_id: str) -> UpstreamItemRecord:
        row = cls._find(session, platform, upstream_id)
        if row is None:
            raise LookupError(f"upstream item {platform}/{upstream_id} was never claimed")
        return row
