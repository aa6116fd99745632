"""Fixtures of the process tests and the console tests: the real diagrams in bpmn/ and forms/ and
the real workers, on the engine.

Import them into a conftest with `from process_support import *  # noqa: F403`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ledger_support import ledger_settings
from pyzeebe import ZeebeClient, create_insecure_channel

from engine.testing.handle import EngineHandle
from workers.app import create_worker
from workers.ids import ProcessId
from workers.ledger.service import Ledger, open_ledger
from workers.policy import load_hotline_policy

REPOSITORY = Path(__file__).resolve().parents[1]

__all__ = ["REPOSITORY", "TIMER_STARTED", "deployed", "engine_clock", "policy_dir", "workers"]


# Processes that timers start are left to the tests about them (which deploy them at a moment of
# their choosing): deployed for every test, they would compile bulletins whenever a test moves the
# clock past a Monday or the first of a month, and fetch from upstream platforms at 09:00 and 15:00.
TIMER_STARTED = frozenset({f"{ProcessId.PERIODIC_REPORT}.bpmn", f"{ProcessId.UPSTREAM_FETCH}.bpmn"})


@pytest.fixture
async def deployed(client: ZeebeClient) -> None:
    diagrams = sorted(path for path in (REPOSITORY / "bpmn").glob("*.bpmn") if path.name not in TIMER_STARTED)
    await client.deploy_resource(*diagrams, *sorted((REPOSITORY / "forms").glob("*.form")))


@pytest.fixture
def engine_clock(engine: EngineHandle) -> Callable[[], datetime]:
    """The engine's clock, which the tests move, as the workers' clock: a dispatch stamped by the
    worker and a timer fired by the engine then agree on what time it is."""
    return lambda: datetime.fromtimestamp(engine.now_ms() / 1000, UTC)


@pytest.fixture
def policy_dir() -> Path:
    """The jurisdiction policy the workers load; a test module overrides this fixture to show
    that a process owner's change of policy changes what the processes do."""
    return REPOSITORY / "config"


@pytest.fixture
async def workers(
    engine: EngineHandle,
    deployed: None,
    tmp_path: Path,
    engine_clock: Callable[[], datetime],
    policy_dir: Path,
) -> AsyncIterator[Ledger]:
    """`python -m workers` as it runs in production, in the test's event loop; the test gets its
    ledger, to read what the processes recorded and sent."""
    channel = create_insecure_channel(engine.address)
    settings = ledger_settings(
        f"sqlite:///{tmp_path / 'ledger.db'}",
        zeebe_address=engine.address,
        config_dir=policy_dir,
        report_dir=tmp_path / "reports",
    )
    ledger = open_ledger(settings, engine_clock)
    worker = create_worker(channel, settings, load_hotline_policy(policy_dir), ledger, engine_clock)
    task = asyncio.create_task(worker.work())
    yield ledger
    await worker.stop()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await channel.close()
    ledger.close()
