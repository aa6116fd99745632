"""Bulletins (通报) as the periodic-report process asks for them: `minsheng.compile-bulletin`
compiles the bulletin of a period from the ledger and writes its charts, HTML report and workbook.

The period comes from the variables `reportPeriod` (weekly, monthly, quarterly, yearly; or the
task header of that name, for a diagram that fixes it) and `reportOf` (`2026-10`), or
`reportFrom` and `reportTo` (dates) for days of one's choosing. Without `reportOf` or dates it is
the previous full period, which is what a timer-started process publishes at the start of a
week, month, quarter or year. `reportChannels` limits it to some channels. The job returns
`bulletinFiles`, `bulletinPeriod`, `bulletinReceived`, the `ranking` (top and bottom units) and
`bulletinChannels` (each communication channel's section: channel, label, totals); a bulletin of
communication channels only counts no appeals, so its `bulletinReceived` and `ranking` are null.

Files are named after the period, so a redelivered job writes the same files again.
"""

# No `from __future__ import annotations`: pyzeebe finds the job parameter by comparing its
# annotation with the `Job` class itself.
import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from pyzeebe import Job, ZeebeTaskRouter
from sqlalchemy import Engine

from workers.ids import JobType, TaskHeader
from workers.report_policy import ReportPolicy
from workers.reports.service import bulletin_request, make_bulletin, outcome
from workers.settings import TaskOptions
from workers.tasks import job_handler


class BulletinVariables(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="ignore", alias_generator=to_camel, validate_by_name=True, validate_by_alias=True
    )

    report_period: str | None = None
    report_of: str | None = None
    report_from: date | None = None
    report_to: date | None = None
    report_channels: frozenset[str] | None = None


@dataclass(frozen=True)
class ReportOutput:
    directory: Path
    # A font file with Chinese glyphs for the charts.
    font: Path


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_router(
    engine: Engine,
    policy: ReportPolicy,
    output: ReportOutput,
    options: TaskOptions,
    clock: Callable[[], datetime] = _utc_now,
) -> ZeebeTaskRouter:
    """`engine` reads the ledger; `clock` is the worker's, not the engine's: on Camunda 8 there is
    no other to read."""
    router = ZeebeTaskRouter()
    fetched = [field.alias or name for name, field in BulletinVariables.model_fields.items()]

    @job_handler(router, JobType.COMPILE_BULLETIN, options, fetched)
    async def compile_bulletin(job: Job, **variables: Any) -> dict[str, Any]:
        try:
            given = BulletinVariables.model_validate(variables)
        except ValidationError as error:
            raise ValueError(f"variables of {JobType.COMPILE_BULLETIN}: {error}") from None
        kind = given.report_period or job.custom_headers.get(TaskHeader.REPORT_PERIOD)
        if kind is None:
            raise ValueError(f"which period? set the variable or task header {TaskHeader.REPORT_PERIOD}")
        now = clock()
        request = bulletin_request(
            kind,
            given.report_of,
            given.report_from,
            given.report_to,
            given.report_channels,
            today=now.astimezone(policy.timezone).date(),
        )
        # Seconds of SQL and drawing: in a thread, so that the worker's other jobs go on.
        bulletin, published = await asyncio.to_thread(
            make_bulletin, engine, policy, request, output.directory, output.font, now
        )
        return outcome(bulletin, published)

    return router
