"""Process tests: the real diagrams in bpmn/ and forms/, the real workers, on the engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ledger_support import ledger_settings
from pyzeebe import ZeebeClient, create_insecure_channel

from engine.testing.handle import EngineHandle
from workers.app import create_worker
from workers.ledger.service import open_ledger
from workers.policy import load_hotline_policy

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
async def deployed(client: ZeebeClient) -> None:
    resources = sorted((REPOSITORY / "bpmn").glob("*.bpmn")) + sorted((REPOSITORY / "forms").glob("*.form"))
    await client.deploy_resource(*resources)


@pytest.fixture
async def workers(engine: EngineHandle, deployed: None, tmp_path: Path) -> AsyncIterator[None]:
    """`python -m workers` as it runs in production, in the test's event loop."""
    channel = create_insecure_channel(engine.address)
    settings = ledger_settings(f"sqlite:///{tmp_path / 'ledger.db'}", zeebe_address=engine.address)
    ledger = open_ledger(settings)
    worker = create_worker(channel, settings, load_hotline_policy(REPOSITORY / "config"), ledger)
    task = asyncio.create_task(worker.work())
    yield
    await worker.stop()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await channel.close()
    ledger.close()
