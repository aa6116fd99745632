"""`python -m workers`: serve every Minsheng job type until SIGINT or SIGTERM.

The first signal stops polling and lets running jobs finish; a second one aborts. The exit status
is non-zero whenever the worker ends for another reason, so that a supervisor restarts it.
"""

import asyncio
import logging
import signal
import sys

from workers.app import create_worker
from workers.ledger.service import open_ledger
from workers.policy import PolicyError, load_hotline_policy
from workers.settings import Settings, SettingsError, create_channel, load_settings

logger = logging.getLogger("workers")


async def serve(settings: Settings) -> int:
    policy = load_hotline_policy(settings.config_dir)
    # Migrated to the newest revision before the first job can write to it.
    ledger = open_ledger(settings)
    async with create_channel(settings) as channel:
        worker = create_worker(channel, settings, policy, ledger)
        stop_requested = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop_requested.set)

        logger.info("serving %s at %s", ", ".join(task.type for task in worker.tasks), settings.zeebe_address)
        working = asyncio.create_task(worker.work())
        stopping = asyncio.create_task(stop_requested.wait())
        await asyncio.wait({working, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not stop_requested.is_set():
            stopping.cancel()
            working.result()
            logger.error("the worker stopped without being asked to")
            return 1

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        logger.info("stopping: finishing the running jobs (signal again to abort)")
        await worker.stop()
        await working
        return 0


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(serve(load_settings()))
    except (SettingsError, PolicyError) as error:
        logger.error("cannot start:\n%s", error)
        return 2


if __name__ == "__main__":
    sys.exit(main())
