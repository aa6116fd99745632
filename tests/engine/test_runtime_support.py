"""Diagrams the engine cannot run yet are refused at deployment, naming the element; script tasks run."""

from __future__ import annotations

import grpc
import pytest
from pyzeebe import ZeebeClient
from pyzeebe.errors import ProcessInvalidError

from engine.testing.handle import EngineHandle

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">"""

WITH_TIMER = f"""{HEADER}
  <bpmn:process id="waits-a-day" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:intermediateCatchEvent id="OneDayTimer">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="OneDayTimer"/>
  </bpmn:process>
</bpmn:definitions>"""

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


async def test_a_timer_event_is_refused_by_name(client: ZeebeClient, deploy) -> None:
    with pytest.raises(ProcessInvalidError) as raised:
        await deploy(("waits-a-day.bpmn", WITH_TIMER))
    cause = raised.value.__cause__
    assert isinstance(cause, grpc.aio.AioRpcError), f"expected a gRPC error, got {raised.value!r}"
    assert cause.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "waits-a-day.bpmn: element 'OneDayTimer'" in cause.details()
    assert "timer intermediate catch event is not supported" in cause.details()


async def test_a_feel_script_task_sets_its_result_variable(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    await deploy(("scripted.bpmn", SCRIPT))
    started = await client.run_process("scripted", {"items": [1, 2, 3.5]})
    view = await engine.is_completed(started.process_instance_key)
    assert view.variables["total"] == 13
