"""The worker that serves every Minsheng job type, as `python -m workers` and process tests run it."""

from collections.abc import Callable
from datetime import UTC, datetime

import grpc
from pyzeebe import ZeebeWorker

from workers import (
    classification,
    deadlines,
    dispatch,
    interviews,
    job_log,
    ledger_tasks,
    notifications,
    receptions,
    reporting,
    review_chains,
)
from workers.classification_policy import load_classification_policy
from workers.ledger.service import Ledger
from workers.notification_policy import load_notification_policy
from workers.notify.channels import senders
from workers.notify.service import Notifier
from workers.policy import HotlinePolicy
from workers.report_policy import load_report_policy
from workers.reports.service import open_reader
from workers.review_chain_policy import load_review_chain_policy
from workers.settings import Settings


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
    # One read-only engine on the ledger for the bulletins and the interviews' monthly counts.
    reader = open_reader(settings.ledger_database_url)
    worker.include_router(
        classification.create_router(
            policy,
            load_classification_policy(settings.config_dir),
            options,
            # Repeats are looked for among the ledger's open cases.
            ledger,
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
    )
    return worker
