"""Fixtures shared by every test level: databases, an embedded engine, pyzeebe clients and workers."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy
from pyzeebe import ZeebeClient, ZeebeWorker, create_insecure_channel
from sqlalchemy.engine import make_url

from engine.testing.handle import EngineHandle

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'engine.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose tables live in a schema of this test's own, dropped afterwards."""
    server = os.environ.get("MINSHENG_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(server)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except sqlalchemy.exc.OperationalError as error:
        pytest.fail(
            f"PostgreSQL at {server} is not reachable ({error.orig}); `make test` starts one, "
            "or set MINSHENG_TEST_POSTGRES_URL"
        )
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Both of the engine's databases: a test using this runs once on each."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[EngineHandle]:
    handle = EngineHandle.start_embedded(sqlite_url)
    yield handle
    handle.stop()


@pytest.fixture
async def client(engine: EngineHandle) -> AsyncIterator[ZeebeClient]:
    channel = create_insecure_channel(engine.address)
    yield ZeebeClient(channel)
    await channel.close()


@pytest.fixture
async def deploy(client: ZeebeClient, tmp_path: Path) -> Callable[..., Awaitable[object]]:
    """Deploy resources given as (file name, text) pairs through pyzeebe."""

    async def deploy(*resources: tuple[str, str | bytes]) -> object:
        paths = []
        for name, content in resources:
            path = tmp_path / "resources" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
            paths.append(str(path))
        return await client.deploy_resource(*paths)

    return deploy


@pytest.fixture
async def start_worker(engine: EngineHandle) -> AsyncIterator[Callable[[ZeebeWorker], None]]:
    """Run pyzeebe workers for the test; they are stopped when it ends."""
    running: list[tuple[ZeebeWorker, asyncio.Task[None]]] = []

    def start(worker: ZeebeWorker) -> None:
        running.append((worker, asyncio.create_task(worker.work())))

    yield start
    for worker, task in running:
        await worker.stop()
        task.cancel()
    await asyncio.gather(*(task for _, task in running), return_exceptions=True)


@pytest.fixture
def new_worker(engine: EngineHandle) -> Callable[[], ZeebeWorker]:
    def new() -> ZeebeWorker:
        return ZeebeWorker(
            create_insecure_channel(engine.address), poll_retry_delay=0.05, max_connection_retries=-1
        )

    return new
