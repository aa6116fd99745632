"""A clean restart on SQLite and on PostgreSQL: every instance, job, incident and buffered message
is still there afterwards and goes on where it stood."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc
from diagrams import (
    activate,
    activate_one,
    complete,
    create,
    no_job,
    one_task,
    publish,
    rejected,
    stub,
    waits_for_message,
)
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle

DIAGRAMS = [
    one_task("persist-job", "persist-work").file(),
    one_task("persist-fail", "persist-fail-work").file(),
    waits_for_message("persist-message", "persist-signal").file(),
    waits_for_message("persist-buffer", "buffered-signal").file(),
]


@asynccontextmanager
async def running(database_url: str) -> AsyncIterator[tuple[EngineHandle, GatewayStub]]:
    handle = EngineHandle.start_embedded(database_url)
    channel, gateway = stub(handle.address)
    try:
        yield handle, gateway
    finally:
        await channel.close()
        handle.stop()


async def deploy_all(gateway: GatewayStub) -> dict[str, int]:
    answer = await gateway.DeployResource(
        pb.DeployResourceRequest(resources=[pb.Resource(name=n, content=t.encode()) for n, t in DIAGRAMS])
    )
    return {d.process.bpmnProcessId: d.process.processDefinitionKey for d in answer.deployments}


async def test_everything_survives_a_clean_restart(database_url: str) -> None:
    async with running(database_url) as (engine, gateway):
        definitions = await deploy_all(gateway)
        waiting_job = await create(gateway, "persist-job", {"citizen": "钱", "n": 1})
        activated = await create(gateway, "persist-job", {"n": 2})
        first = await activate_one(gateway, "persist-work", timeout_ms=60_000)
        second = await activate_one(gateway, "persist-work", timeout_ms=60_000)
        assert {first.processInstanceKey, second.processInstanceKey} == {waiting_job, activated}
        # Hand one back so that it waits activatable; the other stays activated across the restart.
        handed_back = first if first.processInstanceKey == waiting_job else second
        kept = second if handed_back is first else first
        await gateway.FailJob(pb.FailJobRequest(jobKey=handed_back.key, retries=3))
        message_waiter = await create(gateway, "persist-message", {"key": "m-key"})
        failing = await create(gateway, "persist-fail")
        failed_job = await activate_one(gateway, "persist-fail-work")
        await gateway.FailJob(
            pb.FailJobRequest(jobKey=failed_job.key, retries=0, errorMessage="archive offline")
        )
        await engine.has_incident(failing, "JOB_NO_RETRIES")
        await publish(
            gateway, "buffered-signal", "b-key", {"payload": "kept"}, ttl_ms=3_600_000, message_id="b-1"
        )
        await engine.is_waiting_at(message_waiter, "wait")
        last_key_before = max(waiting_job, activated, message_waiter, failing)

    async with running(database_url) as (engine, gateway):
        redeployed = await deploy_all(gateway)
        assert redeployed == definitions, (
            "the same files after a restart must give back the same definitions, "
            f"got {redeployed} for {definitions}"
        )
        view = engine.instance(waiting_job)
        assert view.state == "ACTIVE" and view.variables == {"citizen": "钱", "n": 1}, (
            f"the instance and its variables must survive, got {view.state} with {view.variables}"
        )
        again = await activate_one(gateway, "persist-work")
        assert (again.key, again.processInstanceKey) == (handed_back.key, waiting_job), (
            "the activatable job must still be there with its key, "
            f"got {again.key} of {again.processInstanceKey}"
        )
        assert json.loads(again.variables) == {"citizen": "钱", "n": 1}
        await complete(gateway, again.key, {"done": True})
        await engine.is_completed(waiting_job)

        await no_job(
            gateway, "persist-work", "the other job is still activated and its timeout has not passed"
        )
        engine.increase_time(61_000)
        timed_out = await activate_one(gateway, "persist-work")
        assert timed_out.key == kept.key, (
            "the activated job's deadline must survive and time it out afterwards"
        )
        await complete(gateway, timed_out.key)
        await engine.is_completed(activated)

        await engine.is_waiting_at(message_waiter, "wait")
        await publish(gateway, "persist-signal", "m-key", {"arrived": True})
        view = await engine.is_completed(message_waiter)
        assert view.variables.get("arrived") is True, "the message subscription must survive the restart"

        await rejected(
            publish(gateway, "buffered-signal", "b-key", ttl_ms=60_000, message_id="b-1"),
            grpc.StatusCode.ALREADY_EXISTS,
            "the buffered message's id after a restart",
        )
        late = await create(gateway, "persist-buffer", {"key": "b-key"})
        view = await engine.is_completed(late)
        assert view.variables.get("payload") == "kept", "the buffered message must survive and correlate"

        view = engine.instance(failing)
        incidents = list(view.incidents.values())
        assert [(i.error_type, i.error_message, i.job_key) for i in incidents] == [
            ("JOB_NO_RETRIES", "archive offline", failed_job.key)
        ], f"the incident must survive the restart, got {incidents}"
        await no_job(gateway, "persist-fail-work", "its job has no retries")
        await gateway.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=failed_job.key, retries=1))
        await gateway.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incidents[0].key))
        resumed = await activate_one(gateway, "persist-fail-work")
        assert resumed.key == failed_job.key
        await complete(gateway, resumed.key)
        await engine.is_completed(failing)

        fresh = await create(gateway, "persist-job")
        assert fresh > last_key_before, (
            f"keys must not be reused after a restart: {fresh} <= {last_key_before}"
        )
        assert await activate(gateway, "persist-work", request_timeout_ms=3_000), (
            "a new instance must work too"
        )
