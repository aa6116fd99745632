"""Events in the positions the other tests do not reach: non-interrupting event subprocesses,
signal and escalation starts, multi-instance subprocesses and call activities."""

from __future__ import annotations

import json

from diagrams import Diagram, activate, activate_one, complete, flow, publish, service, variables_of
from pyzeebe import ZeebeClient
from pyzeebe.proto import gateway_pb2 as pb

from engine.testing.handle import EngineHandle

ON_SIGNAL = '<bpmn:signalEventDefinition signalRef="Signal_s"/>'
ESCALATE = '<bpmn:escalationEventDefinition escalationRef="Esc_s"/>'
# Only the answer comes back: copying every child variable would also copy back the stale output
# collection the child was started with (the same as on Zeebe).
CALL_UNIT = (
    '<zeebe:calledElement processId="unit-work" propagateAllChildVariables="false"/>'
    '<zeebe:ioMapping><zeebe:output source="=answer" target="answer"/></zeebe:ioMapping>'
)


def event_subprocess(id: str, start: str, body: str = "") -> str:
    inner = body or '<bpmn:endEvent id="' + id + '-end"/>'
    target = "Note" if body else f"{id}-end"
    return (
        f'<bpmn:subProcess id="{id}" triggeredByEvent="true">{start}{inner}'
        f"{flow(id + '-f', id + '-start', target)}</bpmn:subProcess>"
    )


async def test_a_non_interrupting_message_event_subprocess_runs_beside_the_main_flow(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    start = (
        '<bpmn:startEvent id="Supplement-start" isInterrupting="false">'
        '<bpmn:messageEventDefinition messageRef="Message_sup"/></bpmn:startEvent>'
    )
    body = service("Note", "note-supplement") + '<bpmn:endEvent id="noted"/>' + flow("n1", "Note", "noted")
    diagram = (
        Diagram("supplementable")
        .start()
        .task("Handle", "handle")
        .end()
        .raw(event_subprocess("Supplement", start, body))
        .chain("start", "Handle", "end")
    )
    diagram.globals.append(
        '<bpmn:message id="Message_sup" name="appeal-supplemented"><bpmn:extensionElements>'
        '<zeebe:subscription correlationKey="=caseNo"/></bpmn:extensionElements></bpmn:message>'
    )
    await deploy(diagram.file())
    started = await client.run_process("supplementable", {"caseNo": "S-1"})
    key = started.process_instance_key
    await engine.is_waiting_at(key, "Handle")
    for text in ("补充照片", "补充地址"):
        await publish(gateway, "appeal-supplemented", "S-1", {"supplement": text})
        note = await activate_one(gateway, "note-supplement")
        assert variables_of(note)["supplement"] == text
        await complete(gateway, note.key)
    await engine.has_passed(key, "noted")
    assert "Handle" in engine.instance(key).waiting_at(), "the main flow goes on beside the supplements"
    await complete(gateway, (await activate_one(gateway, "handle")).key)
    view = await engine.is_completed(key)
    assert view.passed.count("noted") == 2


async def test_signal_and_escalation_starts_of_event_subprocesses(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    on_signal = f'<bpmn:startEvent id="Suspend-start">{ON_SIGNAL}</bpmn:startEvent>'
    on_escalation = (
        '<bpmn:startEvent id="Supervise-start" isInterrupting="false">'
        '<bpmn:escalationEventDefinition escalationRef="Esc_s"/></bpmn:startEvent>'
    )
    diagram = (
        Diagram("supervised")
        .start()
        .raw(f'<bpmn:intermediateThrowEvent id="Escalate">{ESCALATE}</bpmn:intermediateThrowEvent>')
        .task("Handle", "handle")
        .end()
        .raw(event_subprocess("Suspend", on_signal))
        .raw(event_subprocess("Supervise", on_escalation))
        .chain("start", "Escalate", "Handle", "end")
    )
    diagram.globals += [
        '<bpmn:signal id="Signal_s" name="suspend-all"/>',
        '<bpmn:escalation id="Esc_s" escalationCode="SUPERVISE"/>',
    ]
    await deploy(diagram.file())
    started = await client.run_process("supervised", {})
    key = started.process_instance_key
    await engine.is_waiting_at(key, "Handle")
    assert "Supervise-end" in engine.instance(key).passed, "the escalation started its event subprocess"
    await gateway.BroadcastSignal(pb.BroadcastSignalRequest(signalName="suspend-all"))
    view = await engine.is_completed(key)
    assert "Handle" in view.terminated and "Suspend-end" in view.passed


async def test_a_multi_instance_subprocess_and_call_activity(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    loop = (
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>"
        '<zeebe:loopCharacteristics inputCollection="=units" inputElement="unit" outputCollection="answers" '
        'outputElement="=answer"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>'
    )
    per_unit = (
        # The input mapping makes `answer` local to each inner instance (Zeebe's advice for output
        # elements): without it every unit's answer would land in the same root variable.
        '<bpmn:subProcess id="PerUnit"><bpmn:extensionElements><zeebe:ioMapping>'
        '<zeebe:input source="=null" target="answer"/></zeebe:ioMapping></bpmn:extensionElements>'
        f'{loop}<bpmn:startEvent id="u-start"/>'
        f'<bpmn:callActivity id="CallUnit"><bpmn:extensionElements>{CALL_UNIT}</bpmn:extensionElements>'
        "</bpmn:callActivity>"
        f'<bpmn:endEvent id="u-end"/>{flow("u1", "u-start", "CallUnit")}{flow("u2", "CallUnit", "u-end")}'
        "</bpmn:subProcess>"
    )
    main = Diagram("dispatch-all").start().raw(per_unit).end().chain("start", "PerUnit", "end")
    unit_work = Diagram("unit-work").start().task("Work", "unit-work").end().chain("start", "Work", "end")
    await deploy(main.file(), unit_work.file())
    started = await client.run_process("dispatch-all", {"units": ["甲", "乙"]})
    jobs = await activate(gateway, "unit-work", max_jobs=5)
    while len(jobs) < 2:
        jobs += await activate(gateway, "unit-work", max_jobs=5)
    for job in jobs:
        await complete(gateway, job.key, {"answer": f"{variables_of(job)['unit']}已办"})
    view = await engine.is_completed(started.process_instance_key)
    assert view.variables["answers"] == ["甲已办", "乙已办"]
    assert json.loads(jobs[0].variables)["units"] == ["甲", "乙"]
