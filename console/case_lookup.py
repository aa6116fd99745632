"""Read-only lookups in the ledger that its service has no view for: the case a process instance
registered (intake and Open311 tokens), and the cases Open311 lists. They read the same tables as
`workers.ledger.service.Ledger`, on its connections (`console.cases.engine`), and run in a thread so
that the event loop does not wait on the database.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine, Select, not_, or_, select
from sqlalchemy.orm import Session

from console.open311 import CaseRecord, Open311Policy, RequestQuery
from workers.ledger import models


def _record(case: models.Case) -> CaseRecord:
    return CaseRecord(
        case_number=case.case_number,
        channel=case.channel,
        title=case.title,
        category=case.category,
        lead_unit=case.lead_unit,
        status=case.status,
        location=case.location,
        confidential=case.confidential,
        received_at=case.received_at,
        updated_at=case.updated_at,
        due_at=case.due_at,
        archived_at=case.archived_at,
        process_instance_key=case.process_instance_key,
    )


def _read(engine: Engine, query: Select[models.Case]) -> list[CaseRecord]:
    with Session(engine) as session:
        return [_record(case) for case in session.scalars(query)]


async def case_of_instance(engine: Engine, process_instance_key: int) -> CaseRecord | None:
    """The case the instance registered, once its register task ran."""
    query = select(models.Case).where(models.Case.process_instance_key == process_instance_key).limit(1)
    found = await asyncio.to_thread(_read, engine, query)
    return found[0] if found else None


async def case_by_number(engine: Engine, case_number: str) -> CaseRecord | None:
    query = select(models.Case).where(models.Case.case_number == case_number)
    found = await asyncio.to_thread(_read, engine, query)
    return found[0] if found else None


async def public_cases(engine: Engine, request: RequestQuery, policy: Open311Policy) -> list[CaseRecord]:
    """The cases a portal may read that match `request`, newest first."""
    case = models.Case
    query = select(case).where(case.channel.in_(policy.channels), case.confidential.is_(False))
    if request.numbers:
        query = query.where(case.case_number.in_(request.numbers))
    else:
        query = query.where(case.received_at >= request.start, case.received_at <= request.end)
        if request.categories is not None:
            query = query.where(case.category.in_(request.categories))
        closed = or_(case.archived_at.is_not(None), case.status.in_(policy.closed_statuses))
        if request.status == "closed":
            query = query.where(closed)
        elif request.status == "open":
            query = query.where(not_(closed))
    query = query.order_by(case.received_at.desc(), case.id.desc()).limit(request.limit)
    return await asyncio.to_thread(_read, engine, query)
