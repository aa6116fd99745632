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

WITH_SIGNAL = f"""{HEADER}
  <bpmn:signal id="Signal_1" name="typhoon-warning"/>
  <bpmn:process id="waits-for-a-signal" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:intermediateCatchEvent id="TyphoonWarning">
      <bpmn:signalEventDefinition signalRef="Signal_1"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="TyphoonWarning"/>
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


async def test_an_element_the_runtime_cannot_run_is_refused_by_name(client: ZeebeClient, deploy) -> None:
    with pytest.raises(ProcessInvalidError) as raised:
        await deploy(("waits-for-a-signal.bpmn", WITH_SIGNAL))
    cause = raised.value.__cause__
    assert isinstance(cause, grpc.aio.AioRpcError), f"expected a gRPC error, got {raised.value!r}"
    assert cause.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "waits-for-a-signal.bpmn: element 'TyphoonWarning'" in cause.details()
    assert "signal intermediate catch event is not supported" in cause.details()


async def test_a_feel_script_task_sets_its_result_variable(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    await deploy(("scripted.bpmn", SCRIPT))
    started = await client.run_process("scripted", {"items": [1, 2, 3.5]})
    view = await engine.is_completed(started.process_instance_key)
    assert view.variables["total"] == 13
