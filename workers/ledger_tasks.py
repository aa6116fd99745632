"""The case ledger (台账) as the processes write it: a case opened, and every event of its life.

A diagram opens a case with a `minsheng.ledger.register` task (variables `channel`, `receivedAt`,
`appellant` {name, phone, address, confidential}, `title`, `content`, `location`; the channel is
the process id when not given) and gets `caseNumber` back. It records any later event with a
`minsheng.ledger.record` task whose `ledgerEvent` header names the event; the event's fields come
from the task's headers (the fixed ones, e.g. `status=dispatched`) and variables (see
`workers/ledger/events.py`). A redelivered job writes nothing twice.
"""

# No `from __future__ import annotations`: pyzeebe finds the job parameter by comparing its
# annotation with the `Job` class itself.
import asyncio
from typing import Any

from pyzeebe import Job, ZeebeTaskRouter

from workers.ids import JobType
from workers.ledger.events import (
    EVENT_MODELS,
    CaseRegistration,
    case_registration,
    fetched_variables,
    ledger_event,
)
from workers.ledger.service import Ledger
from workers.settings import TaskOptions
from workers.tasks import job_handler


def create_router(ledger: Ledger, options: TaskOptions) -> ZeebeTaskRouter:
    router = ZeebeTaskRouter()

    # The database calls run in threads: a ledger write must not stall the worker's event loop.
    @job_handler(router, JobType.LEDGER_REGISTER, options, fetched_variables(CaseRegistration))
    async def register_case(job: Job, **variables: Any) -> dict[str, Any]:
        registration = case_registration(job.custom_headers, variables, channel=job.bpmn_process_id)
        case_number = await asyncio.to_thread(
            ledger.register, job.key, registration, job.process_instance_key
        )
        return {"caseNumber": case_number}

    @job_handler(router, JobType.LEDGER_RECORD, options, fetched_variables(*EVENT_MODELS))
    async def record_event(job: Job, **variables: Any) -> dict[str, Any]:
        event = ledger_event(job.custom_headers, variables)
        return await asyncio.to_thread(ledger.record, job.key, event)

    return router
