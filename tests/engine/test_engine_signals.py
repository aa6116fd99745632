"""Signals: one broadcast reaches every waiting instance and starts processes with a signal start."""

from __future__ import annotations

import json

from diagrams import Diagram, activate, activate_one
from pyzeebe import ZeebeClient
from pyzeebe.proto import gateway_pb2 as pb

from engine.testing.handle import EngineHandle

SIGNAL = '<bpmn:signal id="Signal_t" name="typhoon-warning"/>'
ON_SIGNAL = '<bpmn:signalEventDefinition signalRef="Signal_t"/>'


def waiting_for_the_signal() -> Diagram:
    diagram = (
        Diagram("storm-watch")
        .start()
        .raw(
            '<bpmn:intermediateCatchEvent id="Warned"><bpmn:signalEventDefinition signalRef="Signal_t"/>'
            "</bpmn:intermediateCatchEvent>"
        )
        .end()
        .chain("start", "Warned", "end")
    )
    diagram.globals.append(SIGNAL)
    return diagram


def started_by_the_signal() -> Diagram:
    diagram = (
        Diagram("storm-response")
        .raw(f'<bpmn:startEvent id="Warning">{ON_SIGNAL}</bpmn:startEvent>')
        .task("Prepare", "prepare-shelters")
        .end()
        .chain("Warning", "Prepare", "end")
    )
    diagram.globals.append(SIGNAL)
    return diagram


async def test_a_signal_is_caught_by_several_instances_and_starts_a_process(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(waiting_for_the_signal().file(), started_by_the_signal().file())
    watching = [await client.run_process("storm-watch", {"district": d}) for d in ("鼓楼", "台江", "仓山")]
    for instance in watching:
        await engine.is_waiting_at(instance.process_instance_key, "Warned")
    await gateway.BroadcastSignal(
        pb.BroadcastSignalRequest(signalName="typhoon-warning", variables=json.dumps({"level": "红色"}))
    )
    for instance in watching:
        view = await engine.is_completed(instance.process_instance_key)
        assert view.variables["level"] == "红色"
    job = await activate_one(gateway, "prepare-shelters")
    assert json.loads(job.variables)["level"] == "红色"
    assert await activate(gateway, "prepare-shelters", max_jobs=5) == [], "one broadcast starts one instance"


async def test_a_signal_end_event_broadcasts(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    thrower = (
        Diagram("issue-warning")
        .start()
        .raw('<bpmn:endEvent id="Issued"><bpmn:signalEventDefinition signalRef="Signal_t"/></bpmn:endEvent>')
        .chain("start", "Issued")
    )
    thrower.globals.append(SIGNAL)
    await deploy(waiting_for_the_signal().file(), thrower.file())
    watching = await client.run_process("storm-watch", {})
    await engine.is_waiting_at(watching.process_instance_key, "Warned")
    issued = await client.run_process("issue-warning", {})
    await engine.is_completed(issued.process_instance_key)
    await engine.is_completed(watching.process_instance_key)
