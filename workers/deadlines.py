"""Deadlines (办理时限): due dates, reminders and extensions on the jurisdiction's working-day
calendar, handed to the diagrams as ISO 8601 date-times for their `timeDate="=dueAt"` timers.

A deadline that cannot be computed (a year the calendar does not cover, a channel or category
without a limit, a date-time that does not parse) fails the job with a message that says why,
e.g. naming the year. pyzeebe fails a job with its retries minus one, so the engine tries the
job the diagram's number of times (3 by default) and then raises an incident carrying that
message, in Operate or Minsheng's console. Those retries cannot succeed before the configuration
changes, but they cost only moments, and failing with no retries left at once would take
pyzeebe's private adapter. The remedy: add the year to `calendar.toml` (or upgrade
chinesecalendar), restart the workers, and resolve the incident by giving the job retries again.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyzeebe import Job, ZeebeTaskRouter

from workers.deadline_policy import LimitUnit, load_calendar_policy, load_deadline_policy
from workers.ids import JobType, TaskHeader
from workers.services.calendar import WorkingCalendar
from workers.services.deadlines import DeadlineError, Deadlines, iso
from workers.settings import TaskOptions
from workers.tasks import job_handler

# The variable that carries a limit's amount names its unit, so that a form never shows months
# as working days.
LIMIT_VARIABLES = {
    LimitUnit.WORKING_DAYS: "limitWorkingDays",
    LimitUnit.WORKING_HOURS: "limitWorkingHours",
    LimitUnit.MONTHS: "limitMonths",
    LimitUnit.DAYS: "limitDays",
    LimitUnit.HOURS: "limitHours",
}


def load_deadlines(config_dir: Path) -> Deadlines:
    """The deadlines of the jurisdiction whose policy files are in `config_dir`."""
    return Deadlines(load_deadline_policy(config_dir), WorkingCalendar(load_calendar_policy(config_dir)))


def create_router(
    deadlines: Deadlines, options: TaskOptions, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> ZeebeTaskRouter:
    """`clock` stands in for a request time the diagram does not pass; it is the worker's, as on
    Camunda 8 there is no other to read."""
    router = ZeebeTaskRouter()

    # The start is `dispatchedAt` as the dispatch task sets it; for another start (a forum post's
    # time), the diagram maps it to `dispatchedAt` with an input mapping, as it does `category`
    # for a step's limit ("首次回应").
    @job_handler(router, JobType.COMPUTE_DEADLINE, options)
    async def compute_deadline(channel: str, category: str, dispatchedAt: str) -> dict[str, Any]:
        deadline = deadlines.compute(channel, category, deadlines.instant(dispatchedAt, "dispatchedAt"))
        return {
            "dueAt": iso(deadline.due_at),
            "remindAt": iso(deadline.remind_at),
            LIMIT_VARIABLES[deadline.limit.unit]: deadline.limit.amount,
        }

    # The diagram passes the time the unit asked (`extensionRequestedAt`) when it has it: a job
    # that waits for a stopped worker would otherwise be judged by the time it is picked up.
    @job_handler(router, JobType.DECIDE_EXTENSION, options)
    async def decide_extension(
        channel: str,
        category: str,
        dueAt: str,
        extensionRequestedAt: str | None = None,
    ) -> dict[str, Any]:
        requested_at = (
            clock()
            if extensionRequestedAt is None
            else deadlines.instant(extensionRequestedAt, "extensionRequestedAt")
        )
        decision = deadlines.decide_extension(
            channel, category, deadlines.instant(dueAt, "dueAt"), requested_at
        )
        extended = decision.extended
        return {
            "extensionAllowed": extended is not None,
            "newDueAt": None if extended is None else iso(extended.due_at),
            "newRemindAt": None if extended is None else iso(extended.remind_at),
            "extensionRefusalReason": decision.refusal_reason,
        }

    # One variable per date of the schedule that the task's header names, e.g. `previewDueAt`.
    @job_handler(router, JobType.COMPUTE_SCHEDULE, options)
    async def compute_schedule(job: Job, eventAt: str) -> dict[str, Any]:
        name = job.custom_headers.get(TaskHeader.SCHEDULE)
        if name is None:
            raise DeadlineError(
                f"a {JobType.COMPUTE_SCHEDULE} task needs the task header {TaskHeader.SCHEDULE}"
            )
        dates = deadlines.schedule(name, deadlines.instant(eventAt, "eventAt"))
        return {variable: iso(instant) for variable, instant in dates.items()}

    return router
