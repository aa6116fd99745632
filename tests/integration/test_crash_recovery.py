"""`kill -9` of the engine process, then a restart on the same database, on SQLite and PostgreSQL.

Whatever a client was told has happened (an instance key, an activated job, a buffered message, an
incident) must still be there after the restart.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
from one_task_throughput import one_task_diagram
from pyzeebe import Job, ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.errors import MessageAlreadyExistsError
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle

if TYPE_CHECKING:  # tests/ has no packages: the fixture's class is named for the reader only
    from conftest import EngineProcess

STREAM_TASK = "crash-stream-work"
STREAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="crash-stream" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="work"><bpmn:extensionElements>
      <zeebe:taskDefinition type="{STREAM_TASK}"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


MESSAGE_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d-message" targetNamespace="t">
  <bpmn:message id="paid-message" name="crash-paid"><bpmn:extensionElements>
    <zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="crash-message" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:intermediateCatchEvent id="wait-paid">
      <bpmn:messageEventDefinition messageRef="paid-message"/></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait-paid"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait-paid" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

HOUR_MS = 3_600_000


async def _deploy(client: ZeebeClient, directory: Path, *resources: tuple[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in resources:
        path = directory / name
        path.write_text(text)
        paths.append(str(path))
    await client.deploy_resource(*paths)


async def _activate(
    stub: GatewayStub, job_type: str, expected: int, request_timeout_ms: int = 5_000
) -> list[pb.ActivatedJob]:
    """Long-poll ActivateJobs until `expected` jobs came back or a poll returns none."""
    jobs: list[pb.ActivatedJob] = []
    while len(jobs) < expected:
        request = pb.ActivateJobsRequest(
            type=job_type,
            worker="crash-test",
            timeout=10 * 60_000,
            maxJobsToActivate=expected - len(jobs),
            requestTimeout=request_timeout_ms,
        )
        got = [job async for response in stub.ActivateJobs(request, timeout=30) for job in response.jobs]
        if not got:
            break
        jobs.extend(got)
    return jobs


async def _wait_all_completed(handle: EngineHandle, keys: set[int], timeout: float) -> set[int]:
    """Poll the log until every instance in `keys` completed; returns those that did not."""
    remaining = set(keys)
    give_up = time.monotonic() + timeout
    while remaining and time.monotonic() < give_up:
        for key in list(remaining):
            if handle.instance(key).state == "COMPLETED":
                remaining.discard(key)
        if remaining:
            await asyncio.sleep(0.1)
    return remaining


# ----------------------------------------------------------------------------- (a) a stream of creations

KILL_AFTER_ACKNOWLEDGED = 200
PRODUCERS = 16


async def test_kill_9_during_a_stream_of_creations_loses_no_acknowledged_instance(
    database_url: str, engine_process: Callable[[str], EngineProcess], tmp_path: Path
) -> None:
    engine = engine_process(database_url)
    channel = create_insecure_channel(engine.address)
    # Unlimited: after 10 UNAVAILABLE answers pyzeebe would close the channel, cancelling the calls
    # still in flight, which would then never get an answer either way.
    client = ZeebeClient(channel, max_connection_retries=-1)
    await _deploy(client, tmp_path / "resources", ("crash-stream.bpmn", STREAM))

    acknowledged: dict[int, int] = {}  # instance key -> the `n` it was created with
    errors_before_kill: list[BaseException] = []
    in_flight_at_kill: list[int] = []
    in_flight = 0
    sequence = iter(range(1_000_000))
    killed = asyncio.Event()
    enough = asyncio.Event()

    async def produce() -> None:
        nonlocal in_flight
        while True:
            n = next(sequence)
            in_flight += 1
            try:
                created = await client.run_process("crash-stream", {"n": n})
            except Exception as error:
                if not killed.is_set():
                    errors_before_kill.append(error)
                return  # the engine is gone: this producer's stream ends
            finally:
                in_flight -= 1
            acknowledged[created.process_instance_key] = n
            if len(acknowledged) >= KILL_AFTER_ACKNOWLEDGED:
                enough.set()

    async def kill_mid_stream() -> None:
        await enough.wait()
        in_flight_at_kill.append(in_flight)
        engine.kill()
        killed.set()

    await asyncio.wait_for(asyncio.gather(kill_mid_stream(), *(produce() for _ in range(PRODUCERS))), 120)
    await channel.close()
    assert not errors_before_kill, f"calls failed before the kill: {errors_before_kill[:3]}"
    assert in_flight_at_kill[0] > 0, "the kill should hit while create calls are in flight"

    engine.start()
    handle = engine.handle()

    lost = []
    for key, n in acknowledged.items():
        view = handle.instance(key)
        if view.state != "ACTIVE" or view.waiting_at() != ["work"] or view.variables != {"n": n}:
            lost.append(f"{key} (n={n}): {view.state}, waiting at {view.waiting_at()}, {view.variables}")
    assert not lost, (
        f"{len(lost)} of {len(acknowledged)} acknowledged instances are not as acknowledged: "
        + ("; ".join(lost[:10]))
    )

    channel = create_insecure_channel(engine.address)
    client = ZeebeClient(channel)
    try:
        # The engine goes on where it stopped: new instances get keys of their own.
        after = [
            (await client.run_process("crash-stream", {"n": -i})).process_instance_key for i in range(20)
        ]
        assert not set(after) & set(acknowledged), "a key handed out before the crash was handed out again"

        worked: set[int] = set()
        worker = ZeebeWorker(channel, poll_retry_delay=0.05, max_connection_retries=-1)  # type: ignore[arg-type]

        async def remember(job: Job) -> Job:
            worked.add(job.process_instance_key)
            return job

        @worker.task(task_type=STREAM_TASK, max_jobs_to_activate=64, max_running_jobs=128, before=[remember])
        async def work() -> dict[str, bool]:
            return {"worked": True}

        running = asyncio.create_task(worker.work())
        try:
            expected = set(acknowledged) | set(after)
            not_completed = await _wait_all_completed(handle, expected, timeout=60)
            assert not not_completed, (
                f"{len(not_completed)} acknowledged instances did not complete after the restart, "
                f"e.g. {sorted(not_completed)[:10]}"
            )
            assert expected <= worked
            view = handle.instance(next(iter(acknowledged)))
            assert view.passed[-2:] == ["work", "end"]
            assert view.variables["worked"] is True
        finally:
            await worker.stop()
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
    finally:
        await channel.close()


# ---------------------------------------------------- (b) activated jobs, a buffered message, an incident


async def test_kill_9_keeps_activated_jobs_buffered_messages_and_incidents(
    database_url: str, engine_process: Callable[[str], EngineProcess], tmp_path: Path
) -> None:
    engine = engine_process(database_url)
    handle = engine.handle()
    channel = create_insecure_channel(engine.address)
    client, stub = ZeebeClient(channel), GatewayStub(channel)
    await _deploy(
        client,
        tmp_path / "resources",
        ("crash-jobs.bpmn", one_task_diagram("crash-jobs", "crash-held")),
        ("crash-incident.bpmn", one_task_diagram("crash-incident", "crash-fragile")),
        ("crash-message.bpmn", MESSAGE_PROCESS),
    )

    # Activated jobs, held by a worker when the engine dies.
    held_instances = [
        (await client.run_process("crash-jobs", {"i": i})).process_instance_key for i in range(3)
    ]
    held = await _activate(stub, "crash-held", expected=3)
    assert sorted(job.processInstanceKey for job in held) == sorted(held_instances)

    # A buffered message that no subscription has taken yet.
    await client.publish_message(
        "crash-paid", "order-7", {"paid": 99}, time_to_live_in_milliseconds=HOUR_MS, message_id="pay-7"
    )

    # An open incident: the job failed with no retries left.
    fragile_instance = (await client.run_process("crash-incident", {"attempt": 1})).process_instance_key
    [fragile] = await _activate(stub, "crash-fragile", expected=1)
    await stub.FailJob(pb.FailJobRequest(jobKey=fragile.key, retries=0, errorMessage="printer on fire"))
    view = await handle.has_incident(fragile_instance, "JOB_NO_RETRIES")
    [incident_before] = view.incidents.values()
    await channel.close()

    engine.kill()
    engine.start()

    channel = create_insecure_channel(engine.address)
    client, stub = ZeebeClient(channel), GatewayStub(channel)
    try:
        # The jobs are still activated (their deadline is ten minutes away): nobody else gets them,
        # and the worker that holds their keys completes them.
        for key in held_instances:
            assert handle.instance(key).waiting_at() == ["task"]
        assert await _activate(stub, "crash-held", expected=3, request_timeout_ms=500) == []
        for job in held:
            await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables='{"done": true}'))
        for key in held_instances:
            view = await handle.is_completed(key)
            assert view.variables["done"] is True

        # The message is still buffered: its id is still taken, and it correlates once a
        # subscription opens.
        with pytest.raises(MessageAlreadyExistsError):
            await client.publish_message(
                "crash-paid", "order-7", {"paid": 0}, time_to_live_in_milliseconds=HOUR_MS, message_id="pay-7"
            )
        waiting = (await client.run_process("crash-message", {"orderId": "order-7"})).process_instance_key
        view = await handle.is_completed(waiting)
        assert view.variables == {"orderId": "order-7", "paid": 99}

        # The incident is still open; after UpdateJobRetries it can be resolved and the job works.
        view = handle.instance(fragile_instance)
        assert list(view.incidents.values()) == [incident_before]
        assert incident_before.job_key == fragile.key
        assert incident_before.error_message == "printer on fire"
        await stub.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=fragile.key, retries=1))
        await stub.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident_before.key))
        [again] = await _activate(stub, "crash-fragile", expected=1)
        assert again.key == fragile.key
        assert again.retries == 1
        await stub.CompleteJob(pb.CompleteJobRequest(jobKey=again.key, variables='{"printed": true}'))
        view = await handle.is_completed(fragile_instance)
        assert view.incidents == {}
        assert view.variables == {"attempt": 1, "printed": True}

        # Completing a job twice is refused: its key is gone, across the restart too.
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.CompleteJob(pb.CompleteJobRequest(jobKey=held[0].key, variables="{}"))
        assert refused.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        await channel.close()
