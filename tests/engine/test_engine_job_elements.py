"""Every element worked by a job worker: service, send, script and business rule tasks, message
throw and end events with a job definition; headers, and job type and retries as FEEL."""

from __future__ import annotations

import json

import pytest
from diagrams import Diagram, activate_one, complete, create, no_job
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle


@pytest.mark.parametrize("kind", ["serviceTask", "sendTask", "scriptTask", "businessRuleTask"])
async def test_tasks_with_a_job_definition_are_worked_as_jobs(
    engine: EngineHandle, gateway: GatewayStub, deploy, kind: str
) -> None:
    diagram = (
        Diagram(f"{kind}-process")
        .start()
        .task("work", f"{kind}-job", kind=kind, headers={"template": "notice-v2"})
        .end()
        .chain("start", "work", "end")
    )
    await deploy(diagram.file())
    instance = await create(gateway, f"{kind}-process", {"to": "citizen"})
    job = await activate_one(gateway, f"{kind}-job")
    assert job.elementId == "work" and job.processInstanceKey == instance, (
        f"a {kind} must create its job: {job}"
    )
    assert json.loads(job.customHeaders) == {"template": "notice-v2"}, (
        f"the {kind}'s zeebe:taskHeaders must arrive as customHeaders, got {job.customHeaders!r}"
    )
    await engine.is_waiting_at(instance, "work")
    await complete(gateway, job.key, {"sent": True})
    view = await engine.is_completed(instance)
    assert view.variables == {"to": "citizen", "sent": True}, (
        f"the {kind} result must be merged: {view.variables}"
    )


@pytest.mark.parametrize("end", [False, True], ids=["intermediate-throw", "end-event"])
async def test_message_throw_events_with_a_job_definition_are_worked_as_jobs(
    engine: EngineHandle, gateway: GatewayStub, deploy, end: bool
) -> None:
    diagram = Diagram("notify").start().message_throw("notify-citizen", "send-notice", end=end)
    if end:
        diagram.chain("start", "notify-citizen")
    else:
        diagram.end().chain("start", "notify-citizen", "end")
    await deploy(diagram.file())
    instance = await create(gateway, "notify")
    job = await activate_one(gateway, "send-notice")
    assert job.elementId == "notify-citizen", f"the message event must create the job, got {job.elementId}"
    view = await engine.is_waiting_at(instance, "notify-citizen")
    assert view.state == "ACTIVE", "the instance must wait for the message event's job"
    await complete(gateway, job.key, {"noticeId": "N-1"})
    view = await engine.is_completed(instance)
    assert "notify-citizen" in view.passed and view.variables == {"noticeId": "N-1"}, (
        f"completing the job must complete the event and merge its variables; passed {view.passed}, "
        f"variables {view.variables}"
    )


async def test_job_type_and_retries_as_feel(gateway: GatewayStub, deploy) -> None:
    diagram = (
        Diagram("dynamic")
        .start()
        .task("by-kind", '="work-" + kind', retries="=attempts + 1")
        .task("fixed", "fixed-work", retries="=3")
        .end()
        .chain("start", "by-kind", "fixed", "end")
    )
    await deploy(diagram.file())
    await create(gateway, "dynamic", {"kind": "translate", "attempts": 4})
    job = await activate_one(gateway, "work-translate")
    assert (job.type, job.retries) == ("work-translate", 5), (
        'type ="work-" + kind must give work-translate and retries =attempts + 1 must give 5, '
        f"got {job.type}, "
        f"{job.retries}"
    )
    await complete(gateway, job.key)
    fixed = await activate_one(gateway, "fixed-work")
    assert fixed.retries == 3, f"retries =3 must give 3, got {fixed.retries}"


async def test_a_job_type_that_is_not_a_string_raises_an_incident(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    diagram = Diagram("typeless").start().task("by-kind", "=kind").end().chain("start", "by-kind", "end")
    await deploy(diagram.file())
    instance = await create(gateway, "typeless", {"other": 1})
    view = await engine.has_incident(instance, "EXTRACT_VALUE_ERROR")
    [incident] = view.incidents.values()
    assert incident.element_id == "by-kind" and "STRING" in incident.error_message, (
        f"a job type evaluating to null must raise an incident expecting a STRING, got {incident}"
    )
    await no_job(gateway, "null", "no job may be created without a type")
