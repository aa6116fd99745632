"""Notifications (通知): a `minsheng.notify` task tells the recipients of its `notificationEvent`
header's event by email, text message and the console's inbox, as `config/notifications.toml` says.

The event's details come from the task's headers and variables (`caseNumber`, `reason`, `note`,
`unit`, `decision`, `newDueAt`, `text`, `signer`, `grade`, ...; see `workers/notify/compose.py`),
and the case's facts from the ledger. `copyTo` lists the roles of `[roles]` that the `copy-to`
recipients are (a reply copied to supervision and the congress's office: `["supervision",
"congress-office"]`; as a task header, names separated by commas); a role not in `[roles]` fails
the job naming it. A redelivered job sends nothing twice (see `workers/notify/`). A message that cannot be
sent fails the job, so the engine retries it and raises an incident when the retries run out.
"""

# No `from __future__ import annotations`: pyzeebe finds the job parameter by comparing its
# annotation with the `Job` class itself.
import asyncio
from typing import Any

from pyzeebe import Job, ZeebeTaskRouter

from workers.ids import JobType
from workers.ledger.events import fetched_variables
from workers.notify.compose import NotificationRequest, notification_request
from workers.notify.service import Notifier
from workers.settings import TaskOptions
from workers.tasks import job_handler


def create_router(notifier: Notifier, options: TaskOptions) -> ZeebeTaskRouter:
    router = ZeebeTaskRouter()
    # The event is the header's alone, never a variable left over from another task.
    fetched = [name for name in fetched_variables(NotificationRequest) if name != "event"]

    # Sending and the ledger's writes block, so they run in a thread, off the worker's event loop.
    @job_handler(router, JobType.NOTIFY, options, fetched)
    async def notify(job: Job, **variables: Any) -> dict[str, Any]:
        request = notification_request(job.custom_headers, variables)
        await asyncio.to_thread(notifier.notify, job.key, request)
        return {}

    return router
