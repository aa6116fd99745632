"""Fixtures of the console tests: the console served over real HTTP in the test's event loop, in
front of the embedded engine's /v2 API (the real diagrams and forms deployed, the real workers
running) and a real ledger; users of every role, and signed-in HTTP clients.

Import them into a conftest with `from console_support import *  # noqa: F403` (after
`from process_support import *`, whose `workers` and `engine_clock` they use).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from ledger_support import ledger_settings

from console.app import create_app
from console.demo import DEMO_PASSWORD, create_demo_users
from console.engine_client import EngineClient
from console.policy import load_console_policy
from console.store import ConsoleStore, open_console_store
from engine.api.server import start_rest_server
from engine.testing.handle import EngineHandle
from workers.ledger.service import Ledger

__all__ = ["OPEN311_API_KEY", "ConsoleStack", "console", "sign_in"]

SESSION_KEY = "test-console-session-key-" + "k7Qp2Zx9"
# The Open311 portals' keys the console accepts; tests post as the second.
OPEN311_API_KEY = "portal-key-2026"
OPEN311_API_KEYS = f"another-portal, {OPEN311_API_KEY}"


@dataclass
class ConsoleStack:
    url: str
    engine: EngineHandle
    ledger: Ledger
    store: ConsoleStore

    async def client(self, username: str, password: str = DEMO_PASSWORD) -> httpx.AsyncClient:
        """An HTTP client signed in as `username` (a demo user unless created otherwise)."""
        return await sign_in(self.url, username, password)


async def sign_in(url: str, username: str, password: str = DEMO_PASSWORD) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=url, timeout=20, follow_redirects=False)
    answer = await client.post("/login", data={"username": username, "password": password, "next": "/"})
    assert answer.status_code == 303, f"{username} could not sign in: {answer.status_code}"
    page = await client.get("/")
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert found, "the start page carries no CSRF token"
    client.headers["X-CSRF-Token"] = found.group(1)
    return client


@pytest.fixture
async def console(
    engine: EngineHandle,
    workers: Ledger,
    engine_clock: Callable[[], datetime],
    tmp_path: Path,
) -> AsyncIterator[ConsoleStack]:
    """The console on a free port, the demo users created; its clock is the engine's."""
    assert engine.rest_url is not None, "the console needs the engine's /v2 REST API"
    settings = ledger_settings(
        f"sqlite:///{tmp_path / 'ledger.db'}",
        console_rest_url=f"{engine.rest_url}/v2",
        console_database_url=f"sqlite:///{tmp_path / 'console.db'}",
        report_dir=tmp_path / "reports",
        env="development",
        open311_api_keys=OPEN311_API_KEYS,
    )
    store = open_console_store(str(settings.console_database_url))
    create_demo_users(store, load_console_policy(settings.config_dir), engine_clock())
    client = EngineClient(settings)
    app = create_app(settings, store, workers, client, session_key=SESSION_KEY, clock=engine_clock)
    server = await start_rest_server(app, "127.0.0.1:0")
    try:
        yield ConsoleStack(f"http://127.0.0.1:{server.port}", engine, workers, store)
    finally:
        await server.stop()
        await client.aclose()
        store.close()
