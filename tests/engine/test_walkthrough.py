"""A first pass through the engine over pyzeebe: deploy, start, work a job, branch, complete."""

from __future__ import annotations

from pyzeebe import ZeebeClient, ZeebeWorker

from engine.testing.handle import EngineHandle

ONE_TASK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="walkthrough" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="double"><bpmn:extensionElements>
      <zeebe:taskDefinition type="double"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:exclusiveGateway id="size" default="to-small"/>
    <bpmn:endEvent id="big"/>
    <bpmn:endEvent id="small"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="double"/>
    <bpmn:sequenceFlow id="f2" sourceRef="double" targetRef="size"/>
    <bpmn:sequenceFlow id="to-big" sourceRef="size" targetRef="big">
      <bpmn:conditionExpression>=x &gt; 10</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to-small" sourceRef="size" targetRef="small"/>
  </bpmn:process>
</bpmn:definitions>
"""


async def test_job_result_picks_the_branch(
    engine: EngineHandle, client: ZeebeClient, deploy, new_worker, start_worker
) -> None:
    await deploy(("walkthrough.bpmn", ONE_TASK))
    worker: ZeebeWorker = new_worker()

    @worker.task(task_type="double")
    async def double(n: int) -> dict[str, int]:
        return {"x": n * 2}

    start_worker(worker)
    big = await client.run_process("walkthrough", {"n": 6})
    small = await client.run_process("walkthrough", {"n": 2})
    view = await engine.has_passed(big.process_instance_key, "big")
    assert view.variables == {"n": 6, "x": 12}
    assert view.taken_flows == ["f1", "f2", "to-big"]
    await engine.is_completed(big.process_instance_key)
    await engine.has_passed(small.process_instance_key, "small")
