"""Read-only searches of the ledger's cases, for the console's case list (案件查询).

A search restricted to a unit (`CaseQuery.unit`) reads only the cases that unit leads or
co-handles: the restriction is part of the SQL (a join with the unit's rows of `ledger_case_units`,
migration 0004), so no other unit's case is ever read, counted or paged over, and a unit with few
cases reads only those. Pages are keyset pages, newest first, by (received_at, id): a deep page
costs what the first does, where an offset would read every row before it (docs/performance.md). The listing's
orders and filters are those of migration 0003's indexes: a lead unit's cases (by status) newest
first, and cases by status and due date.

Appellants' data comes out as the viewer's role may see it (`masking.shown_to`), with a flag saying
whether it is in the clear, so that the console writes every such view to its audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Engine, Select, and_, func, not_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from workers.ledger import models
from workers.ledger.crypto import PersonalDataCipher
from workers.ledger.masking import Appellant, Viewer, shown_to
from workers.ledger.policy import PrivacyPolicy

PAGE_SIZE = 50
# The list says "more than N" beyond this: an exact count of a broad search over a million cases
# would cost more than the page itself.
COUNT_CAP = 1000
_CURSOR = re.compile(r"^(-?[0-9]{1,20})\.([0-9]{1,20})$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_Column = TypeVar("_Column")


@dataclass(frozen=True)
class Cursor:
    """A position in the newest-first order: a case's time of receipt and id."""

    received_at: datetime
    id: int

    def token(self) -> str:
        return f"{(self.received_at - _EPOCH) // _MICROSECOND}.{self.id}"

    @classmethod
    def parse(cls, token: str) -> Cursor | None:
        """The cursor `token()` wrote, or None for anything else (a tampered or stale link)."""
        found = _CURSOR.match(token)
        if found is None:
            return None
        try:
            at = _EPOCH + int(found.group(1)) * _MICROSECOND
        except OverflowError:
            return None
        return cls(at, int(found.group(2)))


@dataclass(frozen=True)
class CaseQuery:
    """What to find; every given criterion must hold."""

    # A whole case number (case numbers are unique: at most one case).
    number: str | None = None
    # Contained in the title or the content.
    text: str | None = None
    channel: str | None = None
    category: str | None = None
    status: str | None = None
    lead_unit: str | None = None
    # Received at or after / before (exclusive).
    received_from: datetime | None = None
    received_before: datetime | None = None
    # Only cases overdue at this instant: due before it, not archived and not in a completed status.
    overdue_at: datetime | None = None
    completed_statuses: frozenset[str] = field(default_factory=frozenset)
    # The viewer's scope: only cases this unit leads or co-handles. None reads every case.
    unit: str | None = None


@dataclass(frozen=True)
class CaseSummary:
    case_number: str
    channel: str
    received_at: datetime
    title: str | None
    category: str | None
    lead_unit: str | None
    co_units: tuple[str, ...]
    status: str
    due_at: datetime | None
    archived_at: datetime | None
    process_instance_key: int | None
    appellant: Appellant
    # Whether `appellant` holds personal data in the clear (a view the console must audit).
    appellant_in_clear: bool


@dataclass(frozen=True)
class CasePage:
    cases: tuple[CaseSummary, ...]
    # The pages before (newer cases) and after (older ones), if there are any.
    newer: Cursor | None
    older: Cursor | None


class CaseSearch:
    def __init__(self, engine: Engine, cipher: PersonalDataCipher, privacy: PrivacyPolicy) -> None:
        self._engine = engine
        self._cipher = cipher
        self._privacy = privacy

    @property
    def engine(self) -> Engine:
        """The ledger's connection pool, for other read-only queries of the console."""
        return self._engine

    def in_clear(self, viewer: Viewer, appellant: Appellant) -> bool:
        """Whether `viewer` sees `appellant`'s personal data unmasked (and there is some to see)."""
        has_data = any(value is not None for value in (appellant.name, appellant.phone, appellant.address))
        return has_data and self._privacy.sees_appellant(viewer.role, appellant.confidential)

    def search(
        self,
        query: CaseQuery,
        viewer: Viewer,
        *,
        after: Cursor | None = None,
        before: Cursor | None = None,
        limit: int = PAGE_SIZE,
    ) -> CasePage:
        """A page of the cases that match `query`, newest first: the first page, or the one after
        (older than) `after`, or the one before (newer than) `before`."""
        order = _Order.of(query)
        statement: Select[models.Case] = self._matching(select(models.Case), query)
        if before is not None:
            statement = statement.where(*order.newer_than(before)).order_by(order.received_at, order.id)
        else:
            if after is not None:
                statement = statement.where(*order.older_than(after))
            statement = statement.order_by(order.received_at.desc(), order.id.desc())
        with Session(self._engine) as session:
            rows = list(session.scalars(statement.limit(limit + 1)))
            more = len(rows) > limit
            rows = rows[:limit]
            if before is not None:
                rows.reverse()
            cases = tuple(self._summary(row, viewer) for row in rows)
        keys = [Cursor(row.received_at, row.id) for row in rows]
        if before is not None:
            return CasePage(cases, keys[0] if more and keys else None, keys[-1] if keys else None)
        return CasePage(cases, keys[0] if after is not None and keys else None, keys[-1] if more else None)

    def count(self, query: CaseQuery, cap: int = COUNT_CAP) -> int:
        """How many cases match `query`, up to `cap + 1` (more than `cap` reads as "over cap")."""
        matching = self._matching(select(models.Case.id), query).limit(cap + 1).subquery()
        with Session(self._engine) as session:
            return session.scalar(select(func.count()).select_from(matching)) or 0

    @classmethod
    def _matching(cls, statement: Select[_Column], query: CaseQuery) -> Select[_Column]:
        """`statement` restricted to the cases that match `query`. A unit's scope is a join with its
        rows of `ledger_case_units`, read off their index in the order of the page."""
        if query.unit is not None:
            units = models.CaseUnit
            statement = statement.join(units, and_(units.case_id == models.Case.id, units.unit == query.unit))
        return statement.where(*cls._conditions(query))

    @staticmethod
    def _conditions(query: CaseQuery) -> list[ColumnElement[bool]]:
        case = models.Case
        conditions: list[ColumnElement[bool]] = []
        if query.number is not None:
            conditions.append(case.case_number == query.number)
        if query.text:
            pattern = "%" + _escape_like(query.text) + "%"
            conditions.append(
                or_(case.title.like(pattern, escape="\\"), case.content.like(pattern, escape="\\"))
            )
        exact: tuple[tuple[Any, str | None], ...] = (
            (case.channel, query.channel),
            (case.category, query.category),
            (case.status, query.status),
            (case.lead_unit, query.lead_unit),
        )
        conditions.extend(column == value for column, value in exact if value is not None)
        # On the ordering's column, so that in a unit's scope the dates bound its index range.
        received = _Order.of(query).received_at
        if query.received_from is not None:
            conditions.append(received >= query.received_from)
        if query.received_before is not None:
            conditions.append(received < query.received_before)
        if query.overdue_at is not None:
            conditions += [case.due_at < query.overdue_at, case.archived_at.is_(None)]
            if query.completed_statuses:
                conditions.append(not_(case.status.in_(sorted(query.completed_statuses))))
        return conditions

    def _summary(self, case: models.Case, viewer: Viewer) -> CaseSummary:
        def decrypt(name: str, stored: bytes | None) -> str | None:
            return self._cipher.decrypt(stored, case.appellant_key_id, case.case_number, name)

        appellant = Appellant(
            name=decrypt("name", case.appellant_name),
            phone=decrypt("phone", case.appellant_phone),
            address=decrypt("address", case.appellant_address),
            confidential=case.confidential,
        )
        return CaseSummary(
            case_number=case.case_number,
            channel=case.channel,
            received_at=case.received_at,
            title=case.title,
            category=case.category,
            lead_unit=case.lead_unit,
            co_units=tuple(case.co_units),
            status=case.status,
            due_at=case.due_at,
            archived_at=case.archived_at,
            process_instance_key=case.process_instance_key,
            appellant=shown_to(viewer, appellant, self._privacy),
            appellant_in_clear=self.in_clear(viewer, appellant),
        )


@dataclass(frozen=True)
class _Order:
    """The columns a page is ordered and keyed by: the case's own, or, in a unit's scope, the copies
    in the unit's rows of `ledger_case_units`, so that the index on them yields the page in order."""

    received_at: InstrumentedAttribute[datetime]
    id: InstrumentedAttribute[int]

    @classmethod
    def of(cls, query: CaseQuery) -> _Order:
        if query.unit is None:
            return cls(models.Case.received_at, models.Case.id)
        return cls(models.CaseUnit.received_at, models.CaseUnit.case_id)

    def older_than(self, cursor: Cursor) -> list[ColumnElement[bool]]:
        # The first condition alone bounds the index range; the second breaks ties of one instant.
        at, received = cursor.received_at, self.received_at
        return [received <= at, or_(received < at, and_(received == at, self.id < cursor.id))]

    def newer_than(self, cursor: Cursor) -> list[ColumnElement[bool]]:
        at, received = cursor.received_at, self.received_at
        return [received >= at, or_(received > at, and_(received == at, self.id > cursor.id))]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
