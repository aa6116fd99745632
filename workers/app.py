"""The worker that serves every Minsheng job type, as `python -m workers` and process tests run it."""

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime

import grpc
from pyzeebe import ZeebeClient, ZeebeWorker

from workers import (
    classification,
    deadlines,
    dispatch,
    interviews,
    job_log,
    knowledge_tasks,
    ledger_tasks,
    notifications,
    receptions,
    reporting,
    review_chains,
    upstream_tasks,
)
from workers.classification_policy import load_classification_policy
from workers.deadline_policy import load_calendar_policy
from workers.knowledge.policy import load_knowledge_policy
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.service import Ledger
from workers.notification_policy import load_notification_policy
from workers.notify.channels import senders
from workers.notify.service import Notifier
from workers.policy import HotlinePolicy
from workers.report_policy import load_report_policy
from workers.reports.service import open_reader
from workers.review_chain_policy import load_review_chain_policy
from workers.services.calendar import WorkingCalendar, running_out_warning
from workers.settings import Settings
from workers.upstream_policy import known_categories, load_upstream_policy

logger = logging.getLogger("workers")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def warn_if_calendar_runs_out(calendar: WorkingCalendar, today: date) -> None:
    """Say at start-up, in the log the operators watch, what the first failing deadline would
    otherwise say weeks later as an incident."""
    first_uncovered_day = calendar.runs_out_soon(today)
    if first_uncovered_day is not None:
        logger.warning(running_out_warning(first_uncovered_day))


def create_worker(
    channel: grpc.aio.Channel,
    settings: Settings,
    policy: HotlinePolicy,
    ledger: Ledger,
    clock: Callable[[], datetime] = _utc_now,
) -> ZeebeWorker:
    """`clock` is the time the workers stamp (dispatch, an extension's request, a bulletin's period);
    process tests pass the engine's, which they move."""
    worker = ZeebeWorker(
        channel,
        # pyzeebe annotates an int but only ever sleeps for it, and whole seconds are far too long.
        poll_retry_delay=settings.poll_retry_delay,  # type: ignore[arg-type]
        # The default gives up for good after 10 failed calls, so an engine restart would silently
        # leave the process running without a worker; retry forever and let the logs show it.
        max_connection_retries=-1,
        before=[job_log.started],
        after=[job_log.finished],
        exception_handler=job_log.failed,
    )
    options = settings.task_options()
    # Loaded here from MINSHENG_CONFIG_DIR, so that a mistake in the files stops the start-up.
    rules = deadlines.load_deadlines(settings.config_dir)
    calendar = WorkingCalendar(load_calendar_policy(settings.config_dir))
    warn_if_calendar_runs_out(calendar, clock().astimezone(rules.timezone).date())
    # One read-only engine on the ledger for the bulletins and the interviews' monthly counts.
    reader = open_reader(settings.ledger_database_url)
    # The knowledge base's writes and searches cut words alike.
    segmenter = KnowledgeSegmenter()
    worker.include_router(
        classification.create_router(
            policy,
            load_classification_policy(settings.config_dir),
            options,
            # Repeats are looked for among the ledger's open cases.
            ledger,
            ledger.knowledge_search(segmenter),
            clock,
        ),
        dispatch.create_router(options, clock),
        deadlines.create_router(rules, options, clock),
        ledger_tasks.create_router(ledger, options),
        notifications.create_router(
            Notifier(ledger, load_notification_policy(settings.config_dir), senders(settings)), options
        ),
        reporting.create_router(
            reader,
            load_report_policy(settings.config_dir),
            reporting.ReportOutput(settings.report_dir, settings.report_font),
            options,
            clock,
        ),
        review_chains.create_router(load_review_chain_policy(settings.config_dir), options),
        receptions.create_router(settings, ledger, options),
        interviews.create_router(reader, rules.timezone, options),
        upstream_tasks.create_router(
            settings,
            load_upstream_policy(settings.config_dir),
            known_categories(settings.config_dir),
            calendar,
            rules.timezone,
            ledger.upstream_store(),
            # Each new upstream item starts its process on the engine this worker serves.
            upstream_tasks.engine_starter(ZeebeClient(channel)),
            options,
            clock,
        ),
        knowledge_tasks.create_router(
            ledger.knowledge_store(segmenter),
            load_knowledge_policy(settings.config_dir),
            rules.timezone,
            options,
            clock,
        ),
    )
    return worker
