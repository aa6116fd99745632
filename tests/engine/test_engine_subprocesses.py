"""Embedded subprocesses, event subprocesses, escalations and timer start events."""

from __future__ import annotations

from datetime import timedelta

from diagrams import Diagram, activate_one, complete, flow, no_job, publish, service
from pyzeebe import ZeebeClient
from pyzeebe.proto import gateway_pb2 as pb

from engine.testing.handle import EngineHandle


def subprocess(id: str, body: str, flows: str) -> str:
    return f'<bpmn:subProcess id="{id}">{body}{flows}</bpmn:subProcess>'


NESTED = subprocess(
    "Handling",
    '<bpmn:startEvent id="handling-start"/>'
    + service("Investigate", "investigate")
    + subprocess(
        "Review",
        '<bpmn:startEvent id="review-start"/>'
        + service("Check", "check")
        + '<bpmn:endEvent id="review-end"/>',
        flow("r1", "review-start", "Check") + flow("r2", "Check", "review-end"),
    )
    + '<bpmn:endEvent id="handling-end"/>',
    flow("h1", "handling-start", "Investigate")
    + flow("h2", "Investigate", "Review")
    + flow("h3", "Review", "handling-end"),
)


async def test_a_subprocess_runs_its_inner_flow_and_continues_after_it(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    diagram = Diagram("nested").start().raw(NESTED).end().chain("start", "Handling", "end")
    await deploy(diagram.file())
    started = await client.run_process("nested", {})
    key = started.process_instance_key
    await complete(gateway, (await activate_one(gateway, "investigate")).key, {"found": "漏水"})
    await complete(gateway, (await activate_one(gateway, "check")).key)
    view = await engine.is_completed(key)
    assert (
        view.passed[-4:] == ["review-end", "Review", "handling-end", "Handling"] or "Handling" in view.passed
    )
    assert view.variables["found"] == "漏水", "variables set inside the subprocess propagate to the root"


async def test_a_boundary_event_on_a_subprocess_terminates_every_child(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    boundary = (
        '<bpmn:boundaryEvent id="Deadline" attachedToRef="Handling">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>P5D</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:boundaryEvent>"
    )
    diagram = (
        Diagram("nested-deadline")
        .start()
        .raw(NESTED)
        .raw(boundary)
        .end()
        .end("overdue")
        .chain("start", "Handling", "end")
        .flow("Deadline", "overdue")
    )
    await deploy(diagram.file())
    started = await client.run_process("nested-deadline", {})
    key = started.process_instance_key
    await complete(gateway, (await activate_one(gateway, "investigate")).key)
    await engine.is_waiting_at(key, "Check")
    engine.increase_time(timedelta(days=5, seconds=1))
    view = await engine.has_passed(key, "overdue")
    assert {"Check", "Review", "Handling"} <= set(view.terminated)
    await engine.is_completed(key)
    await no_job(gateway, "check", "no job of a terminated subprocess may stay activatable")


async def test_an_interrupting_message_event_subprocess_replaces_the_main_flow(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    withdrawn = (
        '<bpmn:subProcess id="Withdrawal" triggeredByEvent="true">'
        '<bpmn:startEvent id="withdrawn" isInterrupting="true">'
        '<bpmn:messageEventDefinition messageRef="Message_w"/></bpmn:startEvent>'
        '<bpmn:endEvent id="closed"/>' + flow("w1", "withdrawn", "closed") + "</bpmn:subProcess>"
    )
    diagram = (
        Diagram("withdrawable")
        .start()
        .task("Handle", "handle")
        .end()
        .raw(withdrawn)
        .chain("start", "Handle", "end")
    )
    diagram.globals.append(
        '<bpmn:message id="Message_w" name="appeal-withdrawn"><bpmn:extensionElements>'
        '<zeebe:subscription correlationKey="=caseNo"/></bpmn:extensionElements></bpmn:message>'
    )
    await deploy(diagram.file())
    started = await client.run_process("withdrawable", {"caseNo": "RX2026-7"})
    key = started.process_instance_key
    await engine.is_waiting_at(key, "Handle")
    await publish(gateway, "appeal-withdrawn", "RX2026-7", {"reason": "已自行解决"})
    view = await engine.is_completed(key)
    assert "Handle" in view.terminated and "closed" in view.passed
    assert view.variables["reason"] == "已自行解决"


async def test_an_error_event_subprocess_catches_an_error_from_a_job(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    handler = (
        '<bpmn:subProcess id="OnError" triggeredByEvent="true">'
        '<bpmn:startEvent id="failed"><bpmn:errorEventDefinition errorRef="Error_x"/></bpmn:startEvent>'
        '<bpmn:endEvent id="handled"/>' + flow("e1", "failed", "handled") + "</bpmn:subProcess>"
    )
    diagram = (
        Diagram("error-handler").start().task("Work", "work").end().raw(handler).chain("start", "Work", "end")
    )
    diagram.globals.append('<bpmn:error id="Error_x" errorCode="NO_UNIT"/>')
    await deploy(diagram.file())
    started = await client.run_process("error-handler", {})
    job = await activate_one(gateway, "work")
    await gateway.ThrowError(
        pb.ThrowErrorRequest(jobKey=job.key, errorCode="NO_UNIT", errorMessage="无承办单位")
    )
    view = await engine.is_completed(started.process_instance_key)
    assert "handled" in view.passed and "Work" in view.terminated


async def test_an_escalation_from_a_subprocess_reaches_a_non_interrupting_boundary(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    inner = subprocess(
        "Handling",
        '<bpmn:startEvent id="s"/>'
        '<bpmn:intermediateThrowEvent id="Escalate"><bpmn:escalationEventDefinition escalationRef="Esc_1"/>'
        "</bpmn:intermediateThrowEvent>" + service("Continue", "continue") + '<bpmn:endEvent id="e"/>',
        flow("i1", "s", "Escalate") + flow("i2", "Escalate", "Continue") + flow("i3", "Continue", "e"),
    )
    boundary = (
        '<bpmn:boundaryEvent id="Supervise" attachedToRef="Handling" cancelActivity="false">'
        '<bpmn:escalationEventDefinition escalationRef="Esc_1"/></bpmn:boundaryEvent>'
    )
    diagram = (
        Diagram("escalating")
        .start()
        .raw(inner)
        .raw(boundary)
        .task("Notify", "notify-supervision")
        .end()
        .end("notified")
        .chain("start", "Handling", "end")
        .chain("Supervise", "Notify", "notified")
    )
    diagram.globals.append('<bpmn:escalation id="Esc_1" escalationCode="SUPERVISE"/>')
    await deploy(diagram.file())
    started = await client.run_process("escalating", {})
    key = started.process_instance_key
    await complete(gateway, (await activate_one(gateway, "notify-supervision")).key)
    await complete(gateway, (await activate_one(gateway, "continue")).key)
    view = await engine.is_completed(key)
    assert "Supervise" in view.passed and "Escalate" in view.passed


async def test_a_timer_start_event_starts_instances_on_its_cycle(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    weekly = (
        '<bpmn:startEvent id="EveryWeek"><bpmn:timerEventDefinition>'
        "<bpmn:timeCycle>R2/PT168H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>"
    )
    diagram = (
        Diagram("weekly-bulletin")
        .raw(weekly)
        .task("Compile", "compile-bulletin")
        .end()
        .chain("EveryWeek", "Compile", "end")
    )
    await deploy(diagram.file())
    await engine.wait_until_idle()
    await no_job(gateway, "compile-bulletin", "a cycle without a start date first fires one interval later")
    week = timedelta(days=7, seconds=1)
    engine.increase_time(week)
    await engine.wait_until_idle()
    first = await activate_one(gateway, "compile-bulletin")
    await complete(gateway, first.key)
    engine.increase_time(week)
    await engine.wait_until_idle()
    second = await activate_one(gateway, "compile-bulletin")
    assert first.processInstanceKey != second.processInstanceKey
    await complete(gateway, second.key)
    engine.increase_time(week)
    await engine.wait_until_idle()
    await no_job(gateway, "compile-bulletin", "R2 starts exactly two instances")
