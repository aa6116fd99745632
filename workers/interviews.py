"""Online interviews (在线访谈) [seed 003 §七]: the step of `bpmn/online-interview.bpmn` that needs
the ledger.

- `minsheng.interview.month-count`: before the e-government office schedules an interview, the
  interviews already scheduled on the "中国镇江" portal in the interview's month. The office holds
  about three a month [§七.4(1)], and a unit's portal interviews beyond one a month score 20 points
  instead of 40 [§七.5]. Variables `interviewAt` (ISO date-time) and `unit` →
  `monthPortalInterviews` (every unit's) and `unitPortalInterviews` (the unit's own). An interview
  counts in the month it is held: its `interview-scheduled` activity occurs at `interviewAt`.
"""

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pyzeebe import ZeebeTaskRouter
from sqlalchemy import Connection, Engine, select

from workers.ids import JobType
from workers.reports.periods import parse_period
from workers.reports.queries import ACTIVITIES
from workers.settings import TaskOptions
from workers.tasks import job_handler

# The activity the diagram records when the office schedules an interview, with data `venue`.
SCHEDULED_ACTIVITY = "interview-scheduled"
PORTAL = "portal"


class InterviewError(ValueError):
    """An interview time the step cannot read; the message becomes the job's error."""


def portal_interviews(connection: Connection, zone: ZoneInfo, interview_at: str, unit: str) -> dict[str, int]:
    """The interviews scheduled on the portal in the (local) month of `interview_at`: all of them,
    and those of `unit`."""
    try:
        moment = datetime.fromisoformat(interview_at)
    except ValueError:
        raise InterviewError(f"interviewAt must be an ISO date-time, got {interview_at!r}") from None
    if moment.tzinfo is None:
        raise InterviewError(f"interviewAt must carry its offset (+08:00), got {interview_at!r}")
    start, end = parse_period("monthly", f"{moment.astimezone(zone):%Y-%m}").bounds(zone)
    query = select(ACTIVITIES.c.unit, ACTIVITIES.c.data).where(
        ACTIVITIES.c.name == SCHEDULED_ACTIVITY,
        ACTIVITIES.c.occurred_at >= start,
        ACTIVITIES.c.occurred_at < end,
    )
    # A month holds a handful of interviews: filtering the venue here keeps the query plain SQL on
    # SQLite and PostgreSQL alike.
    units = [row.unit for row in connection.execute(query) if (row.data or {}).get("venue") == PORTAL]
    return {"monthPortalInterviews": len(units), "unitPortalInterviews": units.count(unit)}


def create_router(reader: Engine, zone: ZoneInfo, options: TaskOptions) -> ZeebeTaskRouter:
    """Reads the ledger through the bulletins' read-only engine, months in the deadlines' time zone."""
    router = ZeebeTaskRouter()

    @job_handler(router, JobType.INTERVIEW_MONTH_COUNT, options)
    async def month_count(interviewAt: str, unit: str) -> dict[str, Any]:
        def count() -> dict[str, Any]:
            with reader.connect() as connection:
                return dict(portal_interviews(connection, zone, interviewAt, unit))

        # In a thread, as the ledger's writes are: a database call must not stall the event loop.
        return await asyncio.to_thread(count)

    return router
