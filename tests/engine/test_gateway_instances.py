"""CreateProcessInstance (with and without result) and CancelProcessInstance."""

from __future__ import annotations

import asyncio
import json

import grpc
import pytest
from diagrams import Diagram, activate_one, complete, create, one_task, rejected, waits_for_message
from pyzeebe import ZeebeClient
from pyzeebe.errors import ProcessDefinitionNotFoundError, ProcessTimeoutError
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle


async def two_versions(deploy) -> tuple[int, int]:
    v1 = await deploy(one_task("versioned", "v1-work").file())
    v2 = await deploy(one_task("versioned", "v2-work").file())
    return v1.deployments[0].process_definition_key, v2.deployments[0].process_definition_key


async def test_by_process_id_starts_the_latest_version(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    _, latest = await two_versions(deploy)
    answer = await gateway.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(bpmnProcessId="versioned", version=-1)
    )
    assert (answer.version, answer.processDefinitionKey) == (2, latest), f"expected version 2, got {answer}"
    assert answer.bpmnProcessId == "versioned" and answer.processInstanceKey > 0, (
        f"unexpected answer {answer}"
    )
    job = await activate_one(gateway, "v2-work")
    assert job.processInstanceKey == answer.processInstanceKey, "the latest version's job must be created"


async def test_by_process_id_and_version(gateway: GatewayStub, deploy) -> None:
    first, _ = await two_versions(deploy)
    answer = await gateway.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(bpmnProcessId="versioned", version=1)
    )
    assert (answer.version, answer.processDefinitionKey) == (1, first), f"expected version 1, got {answer}"
    job = await activate_one(gateway, "v1-work")
    assert job.processInstanceKey == answer.processInstanceKey, "version 1 must run version 1's task"


async def test_by_definition_key(gateway: GatewayStub, deploy) -> None:
    first, _ = await two_versions(deploy)
    answer = await gateway.CreateProcessInstance(pb.CreateProcessInstanceRequest(processDefinitionKey=first))
    assert (answer.bpmnProcessId, answer.version) == ("versioned", 1), f"expected versioned v1, got {answer}"


async def test_with_variables(engine: EngineHandle, client: ZeebeClient, deploy) -> None:
    await deploy(one_task("with-vars", "work").file())
    created = await client.run_process("with-vars", {"citizen": {"name": "李"}, "count": 3})
    view = await engine.is_waiting_at(created.process_instance_key, "task")
    assert view.variables == {"citizen": {"name": "李"}, "count": 3}, (
        f"the start variables must be the instance's root variables, got {view.variables}"
    )


async def test_unknown_process_id_key_or_version_is_not_found(
    gateway: GatewayStub, client: ZeebeClient, deploy
) -> None:
    await deploy(one_task("known", "work").file())
    for request, what in [
        (pb.CreateProcessInstanceRequest(bpmnProcessId="unknown", version=-1), "an unknown process id"),
        (pb.CreateProcessInstanceRequest(bpmnProcessId="known", version=7), "an unknown version"),
        (pb.CreateProcessInstanceRequest(processDefinitionKey=987654321), "an unknown definition key"),
    ]:
        await rejected(
            gateway.CreateProcessInstance(request), grpc.StatusCode.NOT_FOUND, f"creating with {what}"
        )
    with pytest.raises(ProcessDefinitionNotFoundError):
        await client.run_process("unknown")


@pytest.mark.parametrize("variables", ["{not json", "[1, 2]", '"text"'])
async def test_variables_that_are_not_a_json_object_are_invalid(
    gateway: GatewayStub, deploy, variables: str
) -> None:
    await deploy(one_task("strict", "work").file())
    await rejected(
        gateway.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(bpmnProcessId="strict", variables=variables)
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        f"creating an instance with variables {variables!r}",
    )


async def test_with_result_answers_with_the_fetched_variables(gateway: GatewayStub, deploy) -> None:
    await deploy(one_task("result", "compute").file())
    call = asyncio.ensure_future(
        gateway.CreateProcessInstanceWithResult(
            pb.CreateProcessInstanceWithResultRequest(
                request=pb.CreateProcessInstanceRequest(bpmnProcessId="result", variables='{"input": 1}'),
                requestTimeout=20_000,
                fetchVariables=["answer"],
            ),
            timeout=30,
        )
    )
    job = await activate_one(gateway, "compute")
    assert not call.done(), "CreateProcessInstanceWithResult must wait until the instance completes"
    await complete(gateway, job.key, {"answer": 42, "noise": "x"})
    answer = await call
    assert json.loads(answer.variables) == {"answer": 42}, (
        f"fetchVariables ['answer'] must return only that variable, got {answer.variables}"
    )
    assert answer.processInstanceKey == job.processInstanceKey and answer.bpmnProcessId == "result"


async def test_with_result_without_fetch_returns_every_variable(client: ZeebeClient, deploy) -> None:
    await deploy(("passthrough.bpmn", _start_end("passthrough")))
    answer = await client.run_process_with_result("passthrough", {"a": 1, "b": [2]}, timeout=10_000)
    assert answer.variables == {"a": 1, "b": [2]}, (
        f"every root variable must be returned, got {answer.variables}"
    )


def _start_end(process_id: str) -> str:
    return Diagram(process_id).start().end().chain("start", "end").xml()


async def test_with_result_times_out_with_deadline_exceeded(
    engine: EngineHandle, gateway: GatewayStub, client: ZeebeClient, deploy
) -> None:
    await deploy(waits_for_message("waiting", "never-sent").file())
    details = await rejected(
        gateway.CreateProcessInstanceWithResult(
            pb.CreateProcessInstanceWithResultRequest(
                request=pb.CreateProcessInstanceRequest(bpmnProcessId="waiting", variables='{"key": "k"}'),
                requestTimeout=500,
            ),
            timeout=15,
        ),
        grpc.StatusCode.DEADLINE_EXCEEDED,
        "a result request whose requestTimeout passes while the instance waits for a message",
    )
    assert details, "DEADLINE_EXCEEDED must carry a message"
    with pytest.raises(ProcessTimeoutError):
        await client.run_process_with_result("waiting", {"key": "k"}, timeout=300)


async def test_cancel_terminates_the_instance_and_its_jobs(
    engine: EngineHandle, gateway: GatewayStub, client: ZeebeClient, deploy
) -> None:
    await deploy(one_task("cancellable", "slow").file())
    created = await client.run_process("cancellable")
    job = await activate_one(gateway, "slow")
    await client.cancel_process_instance(created.process_instance_key)
    view = await engine.is_terminated(created.process_instance_key)
    assert "task" in view.terminated, (
        f"the waiting task must be terminated with the instance, got {view.terminated}"
    )
    await rejected(
        complete(gateway, job.key), grpc.StatusCode.NOT_FOUND, "completing a job of a cancelled instance"
    )
    await rejected(
        gateway.CancelProcessInstance(
            pb.CancelProcessInstanceRequest(processInstanceKey=created.process_instance_key)
        ),
        grpc.StatusCode.NOT_FOUND,
        "cancelling an instance that is already terminated",
    )


async def test_cancel_of_an_unknown_key_is_not_found(gateway: GatewayStub) -> None:
    await rejected(
        gateway.CancelProcessInstance(pb.CancelProcessInstanceRequest(processInstanceKey=2251799813685249)),
        grpc.StatusCode.NOT_FOUND,
        "cancelling an unknown process instance",
    )


async def test_cancel_of_an_element_instance_key_is_not_found(gateway: GatewayStub, deploy) -> None:
    await deploy(one_task("not-a-process", "np-work").file())
    await create(gateway, "not-a-process")
    job = await activate_one(gateway, "np-work")
    await rejected(
        gateway.CancelProcessInstance(
            pb.CancelProcessInstanceRequest(processInstanceKey=job.elementInstanceKey)
        ),
        grpc.StatusCode.NOT_FOUND,
        "cancelling by the key of a task instead of a process instance",
    )
