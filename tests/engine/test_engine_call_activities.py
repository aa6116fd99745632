"""Call activities: a shared process (unit handling) called by others, with Zeebe's variable rules."""

from __future__ import annotations

import grpc
from diagrams import Diagram, activate_one, complete, no_job, rejected, variables_of
from pyzeebe import ZeebeClient
from pyzeebe.proto import gateway_pb2 as pb

from engine.testing.handle import EngineHandle


def caller(
    process_id: str = "=handler",
    *,
    parent: bool = True,
    child: bool = True,
    outputs: str = "",
    boundary: str = "",
) -> Diagram:
    call = (
        '<bpmn:callActivity id="CallUnit"><bpmn:extensionElements>'
        f'<zeebe:calledElement processId="{process_id}" propagateAllParentVariables="{str(parent).lower()}" '
        f'propagateAllChildVariables="{str(child).lower()}"/>'
        '<zeebe:ioMapping><zeebe:input source="=unit" target="assignedUnit"/>'
        f"{outputs}</zeebe:ioMapping></bpmn:extensionElements></bpmn:callActivity>"
    )
    diagram = Diagram("appeal").start().raw(call).end().chain("start", "CallUnit", "end")
    if boundary:
        diagram.raw(boundary).end("failed").flow("UnitFailed", "failed")
    return diagram


UNIT_HANDLING = (
    Diagram("unit-handling").start().task("Handle", "unit-handle").end().chain("start", "Handle", "end")
)


async def test_the_called_process_sees_the_parent_and_returns_its_variables(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(caller().file(), UNIT_HANDLING.file())
    started = await client.run_process(
        "appeal", {"handler": "unit-handling", "unit": "环保局", "title": "噪音"}
    )
    job = await activate_one(gateway, "unit-handle")
    assert variables_of(job) == {
        "handler": "unit-handling",
        "unit": "环保局",
        "title": "噪音",
        "assignedUnit": "环保局",
    }
    assert job.processInstanceKey != started.process_instance_key, "the job belongs to the called instance"
    await complete(gateway, job.key, {"reply": "已处理"})
    view = await engine.is_completed(started.process_instance_key)
    assert view.variables["reply"] == "已处理"
    await engine.is_completed(job.processInstanceKey)


async def test_without_propagation_only_mapped_variables_cross(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    outputs = '<zeebe:output source="=reply" target="unitReply"/>'
    await deploy(
        caller("unit-handling", parent=False, child=False, outputs=outputs).file(), UNIT_HANDLING.file()
    )
    started = await client.run_process("appeal", {"unit": "环保局", "secret": "x"})
    job = await activate_one(gateway, "unit-handle")
    assert variables_of(job) == {"assignedUnit": "环保局"}
    await complete(gateway, job.key, {"reply": "已处理", "internal": 1})
    view = await engine.is_completed(started.process_instance_key)
    assert view.variables["unitReply"] == "已处理"
    assert "internal" not in view.variables and "reply" not in view.variables


async def test_an_error_from_the_called_process_reaches_the_call_activity_boundary(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    boundary = (
        '<bpmn:boundaryEvent id="UnitFailed" attachedToRef="CallUnit">'
        '<bpmn:errorEventDefinition errorRef="Error_r"/></bpmn:boundaryEvent>'
    )
    diagram = caller("unit-handling", boundary=boundary)
    diagram.globals.append('<bpmn:error id="Error_r" errorCode="RETURNED"/>')
    await deploy(diagram.file(), UNIT_HANDLING.file())
    started = await client.run_process("appeal", {"unit": "环保局"})
    job = await activate_one(gateway, "unit-handle")
    await gateway.ThrowError(
        pb.ThrowErrorRequest(jobKey=job.key, errorCode="RETURNED", errorMessage="非本单位职责")
    )
    view = await engine.is_completed(started.process_instance_key)
    assert "failed" in view.passed
    await engine.is_terminated(job.processInstanceKey)


async def test_cancelling_the_caller_cancels_the_called_instance(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(caller("unit-handling").file(), UNIT_HANDLING.file())
    started = await client.run_process("appeal", {"unit": "环保局"})
    job = await activate_one(gateway, "unit-handle")
    await rejected(
        gateway.CancelProcessInstance(
            pb.CancelProcessInstanceRequest(processInstanceKey=job.processInstanceKey)
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "a called instance cannot be cancelled on its own",
    )
    await client.cancel_process_instance(started.process_instance_key)
    await engine.is_terminated(job.processInstanceKey)
    await no_job(gateway, "unit-handle", "the called instance's job must be gone")


async def test_calling_a_process_that_is_not_deployed_is_an_incident_resolved_by_deploying_it(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(caller("unit-handling").file())
    started = await client.run_process("appeal", {"unit": "环保局"})
    view = await engine.has_incident(started.process_instance_key, "CALLED_ELEMENT_ERROR")
    (incident,) = view.incidents.values()
    assert "'unit-handling' to be deployed" in incident.error_message
    await deploy(UNIT_HANDLING.file())
    await gateway.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident.key))
    await complete(gateway, (await activate_one(gateway, "unit-handle")).key)
    await engine.is_completed(started.process_instance_key)
