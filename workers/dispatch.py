"""Dispatch (派单): hand the work order to the unit that leads its handling, which classification
chose (`leadUnit`)."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pyzeebe import ZeebeTaskRouter

from workers.ids import JobType
from workers.settings import TaskOptions
from workers.tasks import job_handler


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_router(options: TaskOptions, clock: Callable[[], datetime] = _utc_now) -> ZeebeTaskRouter:
    """`clock` is the worker's, not the engine's: on Camunda 8 there is no other to read."""
    router = ZeebeTaskRouter()

    @job_handler(router, JobType.DISPATCH_TICKET, options)
    async def dispatch_ticket(leadUnit: str) -> dict[str, Any]:
        # The unit as dispatched, which stays on record if the lead unit is changed later.
        return {"dispatchedTo": leadUnit, "dispatchedAt": clock().isoformat(timespec="seconds")}

    return router
