"""Upstream platforms (config/upstream.toml) as jobs of bpmn/upstream-fetch.bpmn and of the case
diagrams' 回复上级平台 step: which platforms to fetch from today, one platform's fetch (a process
per new item, workers/upstream/intake.py), and an answer posted back to an item's platform.

A platform that is down (`UpstreamUnavailable`) fails the job with a backoff that doubles on every
attempt (config/upstream.toml [retry]); after the diagram's last retry the engine raises an
incident with the platform's message. A platform that refuses (`UpstreamRefused`: a wrong token, an
unknown item) fails the job with no retries at once: asking again cannot help, a person must.
"""

# No `from __future__ import annotations`: pyzeebe finds the job parameter by comparing its
# annotation with the `Job` class itself.
import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pyzeebe import Job, ZeebeClient, ZeebeTaskRouter

from workers.ids import JobType
from workers.job_log import JobFailure
from workers.services.calendar import WorkingCalendar
from workers.settings import Settings, TaskOptions
from workers.tasks import job_handler
from workers.upstream.adapter import UpstreamRefused, UpstreamUnavailable
from workers.upstream.answering import post_answer_once
from workers.upstream.intake import Starter, take_in
from workers.upstream.platforms import open_platform
from workers.upstream.store import UpstreamStore
from workers.upstream_policy import Retry, UpstreamPolicy

log = logging.getLogger("workers.upstream")

# The retries="5" of the fetch and answer tasks in the diagrams: how many attempts a job has had
# is read off how many it has left.
DIAGRAM_RETRIES = 5


def back_off_ms(retry: Retry, retries_left: int) -> int:
    """The wait before the next attempt: backoff_s after the first failure, doubled after each
    further one, at most max_backoff_s."""
    failures = max(DIAGRAM_RETRIES - retries_left, 0)
    return min(retry.backoff_s << failures, retry.max_backoff_s) * 1000


@asynccontextmanager
async def _platform_failures(job: Job, retry: Retry) -> AsyncIterator[None]:
    """The platform's errors as job failures the engine retries, or not, as the module says."""
    try:
        yield
    except UpstreamUnavailable as error:
        raise JobFailure(str(error), retry_back_off_ms=back_off_ms(retry, job.retries)) from error
    except UpstreamRefused as error:
        raise JobFailure(str(error), final=True) from error


def engine_starter(client: ZeebeClient) -> Starter:
    """Starts processes on the engine the workers serve."""

    async def start(process_id: str, variables: dict[str, Any]) -> int:
        created = await client.run_process(process_id, variables)
        return int(created.process_instance_key)

    return start


def create_router(
    settings: Settings,
    policy: UpstreamPolicy,
    categories: Collection[str],
    calendar: WorkingCalendar,
    timezone: ZoneInfo,
    store: UpstreamStore,
    start: Starter,
    options: TaskOptions,
    clock: Callable[[], datetime],
) -> ZeebeTaskRouter:
    router = ZeebeTaskRouter()

    @job_handler(router, JobType.UPSTREAM_PLATFORMS, options)
    async def platforms() -> dict[str, Any]:
        """The enabled platforms to fetch from now: none on a day off when only working days count."""
        today = clock().astimezone(timezone).date()
        if policy.schedule.working_days_only and not calendar.is_working_day(today):
            return {"platforms": []}
        return {"platforms": [key for key, platform in policy.platforms.items() if platform.enabled]}

    @job_handler(router, JobType.UPSTREAM_FETCH, options)
    async def fetch(job: Job, platform: str) -> dict[str, Any]:
        if platform not in policy.platforms:
            raise JobFailure(f"no upstream platform {platform!r} in config/upstream.toml", final=True)
        async with (
            _platform_failures(job, policy.retry),
            open_platform(platform, policy, categories, settings) as upstream,
        ):
            counts = await take_in(upstream, policy.platforms[platform].process, store, start)
        log.info(
            "upstream platform %s: %d fetched, %d started, %d duplicates, %d quarantined",
            platform,
            counts.fetched,
            counts.started,
            counts.duplicates,
            counts.quarantined,
        )
        # Nothing to return: the instances of a multi-instance fetch would overwrite each other's.
        return {}

    @job_handler(router, JobType.UPSTREAM_POST_ANSWER, options)
    async def post_answer(
        job: Job, upstreamPlatform: str, upstreamId: str, text: str, unit: str, caseNumber: str | None = None
    ) -> dict[str, Any]:
        try:
            async with (
                _platform_failures(job, policy.retry),
                open_platform(upstreamPlatform, policy, categories, settings) as upstream,
            ):
                await post_answer_once(upstream, store, upstreamId, text, unit, clock(), caseNumber)
        except JobFailure as failure:
            await asyncio.to_thread(store.record_answer_error, upstreamPlatform, upstreamId, str(failure))
            raise
        return {}

    return router
