"""Fixtures of the REST API tests: an engine with its /v2 API on free ports, and an httpx client.

Import the fixtures into a test module with `from rest_fixtures import *  # noqa: F403`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from engine.app import RunningEngine, start_engine
from engine.runtime.clock import Clock
from engine.testing.assertions import eventually

__all__ = ["RestEngine", "rest", "rest_sqlite"]


@dataclass
class RestEngine:
    running: RunningEngine
    client: httpx.AsyncClient
    clock: Clock

    async def deploy(self, *files: tuple[str, str | bytes]) -> dict[str, Any]:
        answer = await self.client.post(
            "/deployments", files=[("resources", (name, content)) for name, content in files]
        )
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    async def start(self, process_id: str, variables: dict[str, Any] | None = None) -> str:
        answer = await self.client.post(
            "/process-instances", json={"processDefinitionId": process_id, "variables": variables or {}}
        )
        assert answer.status_code == 200, answer.text
        key: str = answer.json()["processInstanceKey"]
        return key

    async def search(self, resource: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = await self.client.post(f"/{resource}/search", json=body or {})
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    async def until(self, check: Callable[[], Awaitable[Any]], what: str, timeout: float = 10.0) -> Any:
        """Poll `check` until it returns something truthy."""
        last: list[Any] = [None]

        async def checked() -> Any:
            last[0] = await check()
            return last[0]

        def describe() -> str:
            return f"expected {what} within {timeout:g} s, last saw {last[0]!r}"

        return await eventually(checked, describe, timeout)


async def _start(url: str, clock_control: bool = True) -> AsyncIterator[RestEngine]:
    clock = Clock()
    running = await start_engine(
        url, "127.0.0.1:0", clock, rest_address="127.0.0.1:0", clock_control=clock_control
    )
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{running.rest_port}/v2", timeout=20)
    try:
        yield RestEngine(running, client, clock)
    finally:
        await client.aclose()
        await running.stop(grace=0)


@pytest.fixture
async def rest(database_url: str) -> AsyncIterator[RestEngine]:
    """An engine serving /v2, on SQLite and on PostgreSQL (clock control enabled)."""
    async for engine in _start(database_url):
        yield engine


@pytest.fixture
async def rest_sqlite(sqlite_url: str) -> AsyncIterator[RestEngine]:
    """An engine serving /v2 on SQLite (clock control enabled)."""
    async for engine in _start(sqlite_url):
        yield engine
