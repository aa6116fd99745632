"""The worker that serves every Minsheng job type, as `python -m workers` and process tests run it."""

import grpc
from pyzeebe import ZeebeWorker

from workers import classification, dispatch
from workers.policy import HotlinePolicy
from workers.settings import Settings


def create_worker(channel: grpc.aio.Channel, settings: Settings, policy: HotlinePolicy) -> ZeebeWorker:
    worker = ZeebeWorker(
        channel,
        # pyzeebe annotates an int but only ever sleeps for it, and whole seconds are far too long.
        poll_retry_delay=settings.poll_retry_delay,  # type: ignore[arg-type]
        # The default gives up for good after 10 failed calls, so an engine restart would silently
        # leave the process running without a worker; retry forever and let the logs show it.
        max_connection_retries=-1,
    )
    options = settings.task_options()
    worker.include_router(
        classification.create_router(policy, options),
        dispatch.create_router(policy, options),
    )
    return worker
