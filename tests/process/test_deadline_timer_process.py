"""A working-day deadline from the deadlines worker drives a BPMN timer (`timeDate="=dueAt"`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pyzeebe import ZeebeClient
from scenario import after

from engine.testing.handle import EngineHandle
from workers.ids import JobType

DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="deadline-demo" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="ComputeDeadline"><bpmn:extensionElements>
      <zeebe:taskDefinition type="{JobType.COMPUTE_DEADLINE}"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:intermediateCatchEvent id="Due"><bpmn:timerEventDefinition>
      <bpmn:timeDate>=dueAt</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="overdue"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ComputeDeadline"/>
    <bpmn:sequenceFlow id="f2" sourceRef="ComputeDeadline" targetRef="Due"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Due" targetRef="overdue"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.usefixtures("workers")
async def test_the_timer_fires_at_the_computed_due_date_not_before(
    engine: EngineHandle, client: ZeebeClient, tmp_path: Path, engine_clock: Callable[[], datetime]
) -> None:
    path = tmp_path / "deadline-demo.bpmn"
    path.write_text(DIAGRAM)
    await client.deploy_resource(str(path))
    dispatched = engine_clock()
    started = await client.run_process(
        "deadline-demo",
        {"channel": "hotline-ticket", "category": "咨询", "dispatchedAt": dispatched.isoformat()},
    )
    key = started.process_instance_key
    view = await engine.is_waiting_at(key, "Due")
    due = datetime.fromisoformat(view.variables["dueAt"])
    assert due.utcoffset() == timedelta(hours=8), "due dates are written in Asia/Shanghai time"
    assert due > dispatched + timedelta(days=1), "two working days start the day after dispatch"
    await after(engine, due - timedelta(seconds=1))
    assert engine.instance(key).waiting_at() == ["Due"], "the deadline must not pass early"
    engine.increase_time(timedelta(seconds=2))
    await engine.is_completed(key)
