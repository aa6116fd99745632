"""Faults under load, light enough for CI; `bench/fault_harness.py` runs the long versions.

- the engine SIGKILLed 3 times during a stream of instances (the harness does 20), on SQLite and
  PostgreSQL: every acknowledged instance completes, every job completes once, no message is lost;
- a worker SIGKILLed while it holds an activated job: the job times out and another worker does it;
- a throwaway PostgreSQL server restarted under load: the same engine process and workers go on;
- back-pressure: past `--max-in-flight` waiting commands the gateway answers RESOURCE_EXHAUSTED,
  and clients and pyzeebe workers that back off get all their work done afterwards.

`test_crash_recovery.py` covers what a single kill -9 must keep (activated jobs, buffered messages,
incidents); these tests add repetition, workers in subprocesses, and the other faults.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import fault_harness  # the bench harness, imported as a module
import grpc
import pytest
import sqlalchemy
from fault_harness import EngineProcess, Load, WorkerProcess
from one_task_throughput import one_task_diagram as one_task
from pyzeebe import ZeebeClient, create_insecure_channel
from pyzeebe.errors import ZeebeBackPressureError
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.gateway.server import start_server
from engine.runtime.engine import Engine
from engine.store.database import open_database
from engine.store.repository import Repository
from engine.testing.handle import EngineHandle

# Worker subprocesses need a few seconds to import pyzeebe and connect on a busy machine.
SUBPROCESS_WAIT_S = 60


async def deploy(address: str, directory: Path, name: str, text: str) -> None:
    path = directory / name
    path.write_text(text)
    channel = create_insecure_channel(address)
    try:
        await ZeebeClient(channel).deploy_resource(str(path))
    finally:
        await channel.close()


async def poll(condition: object, what: str, timeout: float = SUBPROCESS_WAIT_S) -> None:
    """Poll a real process's observable state until `condition()` holds."""
    assert callable(condition)
    give_up = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        await asyncio.sleep(0.05)


# ----------------------------------------------------------------------- kill -9 during a stream


@pytest.mark.timeout(600)
def test_the_engine_killed_three_times_during_a_stream_loses_nothing(
    database_url: str, tmp_path: Path
) -> None:
    load = Load(workers=2, producers=4, rate=30, job_timeout_ms=2_000, settle_s=1, drain_timeout_s=120)
    figures = fault_harness.kill_engine(database_url, tmp_path, kills=3, pause_s=(0.2, 1.5), load=load)
    print(figures.report())
    assert figures.ok, figures.report()
    assert figures.faults_survived == 3
    assert figures.engine_starts >= 4
    assert figures.completed == figures.acknowledged > 0
    assert figures.messages_acknowledged == figures.acknowledged


# ------------------------------------------------------------------------- a worker killed mid-job


async def test_a_job_held_by_a_killed_worker_times_out_and_another_worker_completes_it(
    engine: EngineHandle, tmp_path: Path
) -> None:
    await deploy(engine.address, tmp_path, "held.bpmn", one_task("fault-held", "fault-held-work"))
    holder = WorkerProcess(engine.address, tmp_path, "holder", 2_000, hold=True, job_type="fault-held-work")
    rescuer: WorkerProcess | None = None
    try:
        channel = create_insecure_channel(engine.address)
        try:
            created = await ZeebeClient(channel).run_process("fault-held", {"case": 7})
        finally:
            await channel.close()
        key = created.process_instance_key
        await poll(lambda: holder.entries("worked"), "the holding worker activating the job")
        [job_key] = holder.entries("worked")
        holder.kill()

        # Nobody may have the job before its deadline; then the next worker that asks gets it.
        rescuer = WorkerProcess(engine.address, tmp_path, "rescuer", 2_000, job_type="fault-held-work")
        view = await engine.is_completed(key, timeout=SUBPROCESS_WAIT_S)
        assert view.variables == {"case": 7, "workedBy": "rescuer"}
        assert rescuer.entries("worked") == [job_key]
        # The worker writes down the completion when the engine's answer reaches it, a moment after
        # the engine completed the instance.
        await poll(lambda: rescuer.entries("completed"), "the rescuing worker hearing its completion")
        assert rescuer.entries("completed") == [job_key]
        assert holder.entries("completed") == []
        records = engine.running.engine.repository.records_of(key)
        job_intents = [r.intent for r in records if r.value_type == "JOB" and r.key == job_key]
        assert job_intents == ["CREATED", "ACTIVATED", "TIMED_OUT", "ACTIVATED", "COMPLETED"]
        activations = [
            r.value["worker"] for r in records if r.value_type == "JOB" and r.intent == "ACTIVATED"
        ]
        assert activations == ["holder", "rescuer"]
    finally:
        holder.kill()
        if rescuer is not None:
            rescuer.stop()


# ----------------------------------------------------------- PostgreSQL restarted under the engine


@pytest.mark.timeout(600)
def test_the_engine_and_workers_go_on_when_postgresql_restarts_under_load(tmp_path: Path) -> None:
    # A server of the test's own: the machine's shared server is never restarted.
    load = Load(workers=1, producers=4, rate=30, job_timeout_ms=2_000, settle_s=1, drain_timeout_s=120)
    figures = fault_harness.restart_postgres(tmp_path, restarts=2, load=load)
    print(figures.report())
    assert figures.ok, figures.report()
    assert figures.engine_starts == 1
    assert figures.completed == figures.acknowledged > 0


class AnswerLostOnce(Repository):
    """The first batch commits and then fails, as when the connection drops after the database
    committed but before its answer arrived."""

    lost = False

    def write(self, *args: Any, **kwargs: Any) -> None:
        super().write(*args, **kwargs)
        if not self.lost:
            self.lost = True
            raise sqlalchemy.exc.OperationalError(
                "COMMIT", None, ConnectionError("server closed the connection unexpectedly")
            )


async def test_a_batch_committed_before_the_connection_dropped_is_not_written_again(
    database_url: str, tmp_path: Path
) -> None:
    repository = AnswerLostOnce(open_database(database_url))
    engine = Engine(repository)
    await engine.start()
    server, port = await start_server(engine, "127.0.0.1:0")
    channel = create_insecure_channel(f"127.0.0.1:{port}")
    try:
        # The deployment is the first batch: stored, its answer lost; the engine finds it stored
        # instead of colliding with it for ever, and answers.
        path = tmp_path / "lost.bpmn"
        path.write_text(one_task("fault-lost", "fault-lost-work"))
        client = ZeebeClient(channel)
        await asyncio.wait_for(client.deploy_resource(str(path)), 60)
        assert repository.lost
        created = await asyncio.wait_for(client.run_process("fault-lost", {"x": 1}), 60)
        deployments = [
            r for r in repository.records(after=0) if r.value_type == "DEPLOYMENT" and r.intent == "CREATED"
        ]
        assert len(deployments) == 1
        records = repository.records_of(created.process_instance_key)
        assert [r.intent for r in records if r.value_type == "JOB"] == ["CREATED"]
    finally:
        await channel.close()
        await server.stop(0)
        await engine.stop()


# ---------------------------------------------------------------------------------- back-pressure

FLOOD = 300
MAX_IN_FLIGHT = 20


@pytest.mark.timeout(300)
async def test_past_max_in_flight_the_gateway_answers_resource_exhausted_and_work_recovers(
    tmp_path: Path,
) -> None:
    engine = EngineProcess(
        f"sqlite:///{tmp_path / 'engine.db'}",
        tmp_path / "engine.log",
        extra_args=("--max-in-flight", str(MAX_IN_FLIGHT)),
    )
    await engine.launch_async()
    workers: list[WorkerProcess] = []
    channel = create_insecure_channel(engine.address)
    try:
        await deploy(engine.address, tmp_path, "flood.bpmn", one_task("fault-flood", "fault-flood-work"))
        workers = [
            WorkerProcess(engine.address, tmp_path, f"flood-worker-{i}", 2_000, job_type="fault-flood-work")
            for i in range(2)
        ]
        await poll(lambda: all(worker.journal.exists() for worker in workers), "the workers starting")
        stub = GatewayStub(channel)

        async def create(n: int) -> int | grpc.StatusCode:
            request = pb.CreateProcessInstanceRequest(
                bpmnProcessId="fault-flood", version=-1, variables=f'{{"n": {n}}}'
            )
            try:
                return int((await stub.CreateProcessInstance(request, timeout=60)).processInstanceKey)
            except grpc.aio.AioRpcError as error:
                assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, error
                assert f"at most {MAX_IN_FLIGHT}" in (error.details() or "")
                return error.code()

        answers = await asyncio.gather(*(create(n) for n in range(FLOOD)))
        acknowledged = {n: key for n, key in enumerate(answers) if isinstance(key, int)}
        refused = [n for n, key in enumerate(answers) if not isinstance(key, int)]
        print(f"flood of {FLOOD}: {len(refused)} refused")
        assert refused, "a flood far past the limit should be refused in part"
        assert acknowledged, "the engine should go on taking what fits"

        # pyzeebe turns the answer into ZeebeBackPressureError, and does not count it as a
        # connection failure: the client stays usable.
        client = ZeebeClient(channel)
        results = await asyncio.gather(
            *(client.run_process("fault-flood", {"n": -1}) for _ in range(50)), return_exceptions=True
        )
        unexpected = [
            r for r in results if isinstance(r, BaseException) and not isinstance(r, ZeebeBackPressureError)
        ]
        assert not unexpected, unexpected[:3]
        extra = {r.process_instance_key for r in results if not isinstance(r, BaseException)}

        # A client that backs off gets the rest in.
        for n in refused:
            delay = 0.05
            while not isinstance(key := await create(n), int):
                await asyncio.sleep(delay)
                delay = min(2 * delay, 1.0)
            acknowledged[n] = key
        assert len(acknowledged) == FLOOD

        expected = set(acknowledged.values()) | extra
        await poll(
            lambda: fault_harness.count_completed(engine.database_url, expected) == len(expected),
            f"all {len(expected)} acknowledged instances completing",
        )
        facts = fault_harness.read_log(engine.database_url)
        per_instance = {key: 0 for key in expected}
        for job, count in facts.job_completions.items():
            if facts.job_instance[job] in per_instance:
                per_instance[facts.job_instance[job]] += count
        assert set(per_instance.values()) == {1}
        for worker in workers:
            assert worker.process.poll() is None, f"{worker.name} stopped:\n{worker.log()[-3000:]}"
        assert engine.alive
    finally:
        await channel.close()
        for worker in workers:
            worker.stop()
        engine.stop()
