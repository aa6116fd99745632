"""Dispatch (派单): hand the work order to the unit that leads its handling."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pyzeebe import ZeebeTaskRouter

from workers.ids import JobType
from workers.policy import HotlinePolicy
from workers.services.keywords import appeal_text
from workers.services.route import first_responsible_unit
from workers.settings import TaskOptions
from workers.tasks import job_handler


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_router(
    policy: HotlinePolicy, options: TaskOptions, clock: Callable[[], datetime] = _utc_now
) -> ZeebeTaskRouter:
    """`clock` is the worker's, not the engine's: on Camunda 8 there is no other to read."""
    router = ZeebeTaskRouter()

    @job_handler(router, JobType.DISPATCH_TICKET, options)
    async def dispatch_ticket(title: str | None = None, content: str | None = None) -> dict[str, Any]:
        return {
            "leadUnit": first_responsible_unit(policy.routing, appeal_text(title, content)),
            "dispatchedAt": clock().isoformat(timespec="seconds"),
        }

    return router
