"""A value the database refuses for good (one longer than its column) costs its own command only.

PostgreSQL refuses a process id of more than 255 characters in the search tables' VARCHAR(255)
columns. SQLite checks no lengths, so on SQLite a trigger stands in for the check, raising as a
constraint does. Either way the engine must reject the command that carries the value, say which
value and column, keep what it accepted before, and go on serving: retrying the batch would stall
every command behind it for ever.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import grpc
import pytest
from diagrams import Diagram, create, rejected, stub
from sqlalchemy import Engine as Database
from sqlalchemy.engine import make_url

from engine.gateway.server import start_server
from engine.runtime import commands
from engine.runtime.engine import Engine
from engine.runtime.errors import Rejection, RejectionType
from engine.store.database import open_database
from engine.store.repository import Repository
from engine.testing.assertions import eventually

LONG_ID = "refusal-" + "x" * 292  # 300 characters
ANSWER_S = 60


def start_end(process_id: str) -> bytes:
    return Diagram(process_id).start().end().chain("start", "end").xml().encode()


def open_refusing(url: str) -> Database:
    database = open_database(url)
    if make_url(url).get_backend_name() == "sqlite":
        with database.begin() as connection:
            connection.exec_driver_sql(
                "CREATE TRIGGER varchar_255 BEFORE INSERT ON proj_process_instances "
                "WHEN length(NEW.bpmn_process_id) > 255 "
                "BEGIN SELECT RAISE(ABORT, 'value too long for type character varying(255)'); END"
            )
    return database


async def deploy_both(engine: Engine) -> None:
    resources = [("ok.bpmn", start_end("refusal-ok")), ("long.bpmn", start_end(LONG_ID))]
    await engine.execute(lambda ctx: commands.deploy(ctx, resources))


class HeldRepository(Repository):
    """A repository whose next write, once `hold` is set, waits until the test sets `go`."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.hold = threading.Event()
        self.entered = threading.Event()
        self.go = threading.Event()

    def write(self, *args: Any, **kwargs: Any) -> None:
        if self.hold.is_set():
            self.hold.clear()
            self.entered.set()
            self.go.wait(ANSWER_S)
        super().write(*args, **kwargs)


@pytest.fixture
async def running(database_url: str) -> AsyncIterator[tuple[Engine, HeldRepository]]:
    repository = HeldRepository(open_refusing(database_url))
    engine = Engine(repository)
    await engine.start()
    yield engine, repository
    await engine.stop()


async def answered(call: Awaitable[Any], what: str) -> Any:
    try:
        return await asyncio.wait_for(call, ANSWER_S)
    except TimeoutError:
        pytest.fail(f"{what} got no answer in {ANSWER_S} s: the engine is stuck on the refused batch")


def completed(repository: Repository, key: int) -> bool:
    return any(
        r.intent == "ELEMENT_COMPLETED" and r.key == key and r.value.get("bpmnElementType") == "PROCESS"
        for r in repository.records_of(key)
    )


async def test_a_process_id_too_long_for_its_column_is_rejected_and_the_engine_goes_on(
    running: tuple[Engine, HeldRepository],
) -> None:
    engine, repository = running
    await deploy_both(engine)
    server, port = await start_server(engine, "127.0.0.1:0")
    channel, gateway = stub(f"127.0.0.1:{port}")
    try:
        before = await answered(create(gateway, "refusal-ok"), "the first CreateProcessInstance")
        details = await answered(
            rejected(
                create(gateway, LONG_ID),
                grpc.StatusCode.INVALID_ARGUMENT,
                "CreateProcessInstance of a process id too long for its column",
            ),
            "CreateProcessInstance of the long process id",
        )
        assert "bpmn_process_id" in details and "300 characters" in details and "255" in details, (
            f"the refusal must name the field, the value's length and the column's, but says: {details}"
        )
        after = await answered(create(gateway, "refusal-ok"), "CreateProcessInstance after the refusal")
        assert completed(repository, before), "the instance created before the refusal was lost"
        assert completed(repository, after), "the engine did not go on after the refusal"
    finally:
        await channel.close()
        await server.stop(0)


async def test_only_the_refused_command_of_a_batch_is_rejected(
    running: tuple[Engine, HeldRepository], caplog: pytest.LogCaptureFixture
) -> None:
    engine, repository = running
    caplog.set_level(logging.ERROR, logger="engine.runtime.engine")
    await deploy_both(engine)

    def creating(process_id: str) -> asyncio.Task[int]:
        return asyncio.create_task(
            engine.execute(lambda ctx: commands.create_process_instance(ctx, process_id, -1, 0, {}).key)
        )

    repository.hold.set()
    # Queued in one go, the three share a batch; its write is held until the fourth is processed on
    # top of it, so that one too saw the changes of the batch the database then refuses.
    batch = [creating("refusal-ok"), creating(LONG_ID), creating("refusal-ok")]
    assert await asyncio.to_thread(repository.entered.wait, ANSWER_S), "the batch was never written"
    on_top = creating("refusal-ok")
    # Taken from the queue, the fourth command is processed while the held batch is written.

    async def taken() -> bool:
        return not engine._queue

    await eventually(taken, lambda: "the fourth command was never taken from the queue")
    repository.go.set()

    outcomes = await answered(asyncio.gather(*batch, on_top, return_exceptions=True), "the commands")
    refused = outcomes.pop(1)
    assert isinstance(refused, Rejection) and refused.type is RejectionType.INVALID_ARGUMENT, (
        f"the command with the long process id must be rejected as an invalid argument, got {refused!r}"
    )
    assert "bpmn_process_id" in str(refused), f"the rejection must name the field: {refused}"
    for key in outcomes:
        assert isinstance(key, int), f"a command sharing the refused batch was not accepted: {key!r}"
        assert completed(repository, key), f"the accepted instance {key} is not in the database"
    assert "the database refused a batch of 3 commands" in caplog.text, (
        f"the three commands were expected to share the refused batch; the log says: {caplog.text}"
    )
