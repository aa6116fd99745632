"""Fixtures shared by every test level: databases, the engine, pyzeebe clients and workers.

The engine the tests run on is chosen with `--engine`:

- `embedded` (default): a fresh engine in this process for each test (`EngineHandle.start_embedded`).
- `HOST:PORT`: the Zeebe gateway of an engine elsewhere, with its /v2 REST API at `--engine-rest`
  (default `http://HOST:8080`) and clock control enabled (`python -m engine --enable-clock-control`,
  or Camunda 8 with `ZEEBE_CLOCK_CONTROLLED=true`). Tests share it: each one's process instances are
  cancelled and the clock reset when it ends.
- `testcontainers` (or `camunda`): `camunda/camunda` started in a container for the session, where a
  Docker engine answers; where none does, the tests that need the engine are skipped saying so.

Under an engine elsewhere, tests marked `embedded_only` are skipped: those of tests/engine and
tests/integration that use the `engine` fixture are marked so here, since they check Minsheng's
engine itself (its record log, database and commands), not the processes.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy
from pyzeebe import ZeebeClient, ZeebeWorker, create_insecure_channel
from sqlalchemy.engine import make_url

from engine.testing.handle import EngineHandle
from engine.testing.remote import EngineOption, RestDriver, parse_engine_option

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TESTS = Path(__file__).resolve().parent
# Their tests that use the `engine` fixture check Minsheng's engine itself: embedded only.
ENGINE_OWN_TESTS = (TESTS / "engine", TESTS / "integration")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("minsheng", "the engine the tests run on")
    group.addoption(
        "--engine",
        default="embedded",
        metavar="embedded|testcontainers|HOST:PORT",
        help="embedded (default): an engine in this process per test; HOST:PORT: the Zeebe gateway of "
        "an engine elsewhere (clock control enabled); testcontainers: camunda/camunda in Docker",
    )
    group.addoption(
        "--engine-rest",
        default=None,
        metavar="URL",
        help="the /v2 REST API of the engine at --engine=HOST:PORT (default http://HOST:8080)",
    )


def engine_choice(config: pytest.Config) -> EngineOption:
    try:
        return parse_engine_option(str(config.getoption("--engine")), config.getoption("--engine-rest"))
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_configure(config: pytest.Config) -> None:
    engine_choice(config)  # a malformed --engine fails the run at once


def pytest_report_header(config: pytest.Config) -> str:
    choice = engine_choice(config)
    if choice.kind == "remote":
        return f"engine: {choice.gateway} (REST {choice.rest_url}); embedded_only tests are skipped"
    if choice.kind == "container":
        return "engine: camunda/camunda in a container (testcontainers); embedded_only tests are skipped"
    return "engine: embedded"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        uses_engine = "engine" in getattr(item, "fixturenames", ())
        if uses_engine and any(item.path.is_relative_to(folder) for folder in ENGINE_OWN_TESTS):
            item.add_marker(pytest.mark.embedded_only)
    choice = engine_choice(config)
    if choice.embedded:
        return
    value = config.getoption("--engine")
    skip = pytest.mark.skip(
        reason=f"embedded_only: needs the embedded engine's internals, but --engine={value}"
    )
    for item in items:
        if item.get_closest_marker("embedded_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def remote_engine(request: pytest.FixtureRequest) -> Iterator[tuple[str, str] | None]:
    """(gateway, REST URL) of the engine elsewhere that `--engine` names, or None for embedded."""
    choice = engine_choice(request.config)
    if choice.embedded:
        yield None
    elif choice.kind == "container":
        from engine.testing.camunda_container import CamundaContainer, docker_unavailable

        reason = docker_unavailable()
        if reason is not None:
            pytest.skip(f"--engine=testcontainers: {reason}")
        container = CamundaContainer().start()
        try:
            yield container.gateway, container.rest_url
        finally:
            container.stop()
    else:
        try:
            answer = httpx.get(f"{choice.rest_url}/v2/topology", timeout=5)
        except httpx.TransportError as error:
            pytest.fail(
                f"--engine={choice.gateway}: its REST API at {choice.rest_url} does not answer ({error!r}); "
                "pass --engine-rest=URL"
            )
        if answer.status_code != 200:
            pytest.fail(
                f"--engine={choice.gateway}: GET {choice.rest_url}/v2/topology answered {answer.status_code}"
            )
        yield choice.gateway, choice.rest_url


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
def engine(request: pytest.FixtureRequest, remote_engine: tuple[str, str] | None) -> Iterator[EngineHandle]:
    """The engine of the test: embedded on its own database, or the one `--engine` names."""
    if remote_engine is None:
        handle = EngineHandle.start_embedded(str(request.getfixturevalue("sqlite_url")))
        yield handle
        handle.stop()
        return
    handle = EngineHandle.connect(*remote_engine)
    driver = handle.driver
    assert isinstance(driver, RestDriver)
    handle.reset_time()  # as an embedded engine's, the clock starts at wall time
    before = driver.active_root_instances()
    try:
        yield handle
    finally:
        # What this test left waiting must not take the next one's messages, jobs and timers.
        driver.cancel_active_instances(keep=before)
        handle.reset_time()
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
