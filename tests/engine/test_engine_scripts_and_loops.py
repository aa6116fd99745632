"""Script tasks, and a process whose loop never waits: refused without stopping the engine."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
from diagrams import rejected
from pyzeebe import ZeebeClient
from pyzeebe.proto import gateway_pb2 as pb

from engine.testing.handle import EngineHandle

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">"""

SCRIPT = f"""{HEADER}
  <bpmn:process id="scripted" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:scriptTask id="Total">
      <bpmn:extensionElements>
        <zeebe:script expression="=sum(items) * 2" resultVariable="total"/>
      </bpmn:extensionElements>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Total"/>
  </bpmn:process>
</bpmn:definitions>"""


async def test_a_feel_script_task_sets_its_result_variable(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    await deploy(("scripted.bpmn", SCRIPT))
    started = await client.run_process("scripted", {"items": [1, 2, 3.5]})
    view = await engine.is_completed(started.process_instance_key)
    assert view.variables["total"] == 13


async def test_feel_now_and_today_read_the_engines_clock(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    await deploy(
        ("scripted.bpmn", SCRIPT.replace("=sum(items) * 2", "={at: string(now()), day: string(today())}"))
    )
    engine.set_time(int(datetime(2026, 9, 29, 2, 0, tzinfo=UTC).timestamp() * 1000))
    started = await client.run_process("scripted", {})
    view = await engine.is_completed(started.process_instance_key)
    assert view.variables["total"] == {"at": "2026-09-29T02:00:00Z", "day": "2026-09-29"}, (
        "FEEL's now() must read the engine's (moved) clock, not the wall clock"
    )


async def test_a_loop_that_never_waits_is_refused_and_the_engine_keeps_serving(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    spinning = f"""{HEADER}
  <bpmn:process id="spinning" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:exclusiveGateway id="Again"/>
    <bpmn:task id="Nothing"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Again"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Again" targetRef="Nothing"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Nothing" targetRef="Again"/>
  </bpmn:process>
</bpmn:definitions>"""
    await deploy(("spinning.bpmn", spinning), ("scripted.bpmn", SCRIPT))
    details = await rejected(
        gateway.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="spinning")),
        grpc.StatusCode.INTERNAL,
        "a loop that never waits cannot be run",
    )
    assert "did not come to rest" in details
    started = await client.run_process("scripted", {"items": [1]})
    await engine.is_completed(started.process_instance_key)
