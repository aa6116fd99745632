"""One engine per PostgreSQL database, across the loss of the session that holds the lock.

The engine owns its database through a session advisory lock. A server restart ends that session,
and the lock with it; here the restart is simulated by terminating the lock-holding backend from
a connection of the test's own (`pg_terminate_backend`), as a restart would, but without stopping
the server other tests share. The engine must take the lock again before it writes, and stop when
another engine took it meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from pyzeebe.errors import ZeebeGatewayUnavailableError, ZeebeInternalError
from sqlalchemy import Engine as Database

from engine.store.database import DatabaseInUse, advisory_lock_id
from engine.testing.handle import EngineHandle

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="http://minsheng.test">
  <bpmn:process id="{id}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="flow" sourceRef="start" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
ANSWER_S = 60


@pytest.fixture
def admin(postgres_url: str) -> Iterator[Database]:
    database = sqlalchemy.create_engine(postgres_url)
    yield database
    database.dispose()


def lock_holder(admin: Database, url: str) -> int | None:
    """The backend that holds the engine's advisory lock on `url`, if one does."""
    # A bigint advisory key shows in pg_locks as classid (high half) and objid (low half).
    with admin.connect() as connection:
        return connection.execute(
            sqlalchemy.text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid = 0 AND objid = :id AND objsubid = 1"
            ),
            {"id": advisory_lock_id(url)},
        ).scalar()


def end_lock_session(admin: Database, url: str) -> int:
    holder = lock_holder(admin, url)
    assert holder is not None, "the engine holds no advisory lock on its database"
    with admin.connect() as connection:
        ended = connection.execute(sqlalchemy.text("SELECT pg_terminate_backend(:pid)"), {"pid": holder})
        assert ended.scalar(), f"pg_terminate_backend({holder}) did not end the lock's session"
    # The backend is signalled; its lock goes when it has exited.
    for _ in range(500):
        if lock_holder(admin, url) != holder:
            return holder
        time.sleep(0.01)
    raise AssertionError(f"the backend {holder} still holds the lock 5 s after pg_terminate_backend")


async def deploy(engine: EngineHandle, directory: Path, process_id: str) -> None:
    path = directory / f"{process_id}.bpmn"
    path.write_text(PROCESS.format(id=process_id))
    await asyncio.wait_for(engine.client().deploy_resource(str(path)), ANSWER_S)


async def test_the_engine_takes_its_lock_again_and_a_second_engine_is_refused(
    postgres_url: str, admin: Database, tmp_path: Path
) -> None:
    first = EngineHandle.start_embedded(postgres_url)
    try:
        ended = end_lock_session(admin, postgres_url)
        # The engine's next write finds its lock session gone and takes the lock again first.
        await deploy(first, tmp_path, "lock-again")
        holder = lock_holder(admin, postgres_url)
        assert holder is not None and holder != ended, (
            f"after its lock session ({ended}) ended and it wrote again, the engine holds no lock"
        )
        try:
            second = EngineHandle.start_embedded(postgres_url)
        except DatabaseInUse as refusal:
            assert "another engine is using the database" in str(refusal)
        else:
            second.stop()
            pytest.fail("a second engine started on the database the first one still serves")
        created = await asyncio.wait_for(first.client().run_process("lock-again"), ANSWER_S)
        assert created.process_instance_key > 0, "the first engine stopped serving"
    finally:
        await first.aclose()


async def test_an_engine_whose_lock_another_engine_took_stops(
    postgres_url: str, admin: Database, tmp_path: Path
) -> None:
    first = EngineHandle.start_embedded(postgres_url)
    other = admin.connect()
    try:
        end_lock_session(admin, postgres_url)
        # Another engine starting now would take the free lock: this connection does so instead.
        taken = other.execute(
            sqlalchemy.text("SELECT pg_try_advisory_lock(:id)"), {"id": advisory_lock_id(postgres_url)}
        ).scalar()
        assert taken, "the lock was not free after its session ended"
        with pytest.raises(ZeebeInternalError) as stopped:
            await deploy(first, tmp_path, "lock-lost")
        details = stopped.value.grpc_error.details() or ""
        assert "another engine took the database" in details, (
            f"the failure must say why the engine stopped: {details}"
        )
        with admin.connect() as connection:
            written = connection.execute(
                sqlalchemy.text("SELECT count(*) FROM engine_records WHERE value LIKE '%lock-lost%'")
            ).scalar()
        assert written == 0, "the engine wrote to a database another engine owns"
        # The gateway closes: clients go to the engine that owns the database now.
        for _ in range(100):
            try:
                await asyncio.wait_for(first.client().topology(), 5)
            except ZeebeGatewayUnavailableError:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the stopped engine's gateway still answers")
    finally:
        other.close()
        await first.aclose()
