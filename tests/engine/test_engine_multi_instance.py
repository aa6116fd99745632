"""Multi-instance activities: co-handling by several units, in parallel or one after another."""

from __future__ import annotations

from datetime import timedelta

from diagrams import Diagram, activate, activate_one, complete, no_job, variables_of
from pyzeebe import ZeebeClient

from engine.testing.handle import EngineHandle


def co_handle(
    *, sequential: bool = False, condition: str | None = None, boundary: str = "", inputs: str = ""
) -> Diagram:
    completion = (
        f"<bpmn:completionCondition>{condition}</bpmn:completionCondition>" if condition is not None else ""
    )
    task = (
        '<bpmn:serviceTask id="CoHandle"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="co-handle"/>{inputs}</bpmn:extensionElements>'
        f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}">'
        '<bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=units" inputElement="unit" '
        'outputCollection="opinions" outputElement="=opinion"/></bpmn:extensionElements>'
        f"{completion}</bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>"
    )
    diagram = Diagram("co-handling").start().raw(task).end().chain("start", "CoHandle", "end")
    if boundary:
        diagram.raw(boundary).end("overdue").flow("Deadline", "overdue")
    return diagram


UNITS = ["住房城乡建设委", "综合执法局", "环保局"]


async def test_parallel_co_handling_collects_every_opinion_in_order(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(co_handle().file())
    started = await client.run_process("co-handling", {"units": UNITS})
    jobs = await activate(gateway, "co-handle", max_jobs=10)
    assert sorted(variables_of(job)["unit"] for job in jobs) == sorted(UNITS)
    assert sorted(variables_of(job)["loopCounter"] for job in jobs) == [1, 2, 3]
    for job in reversed(jobs):
        unit = variables_of(job)["unit"]
        await complete(gateway, job.key, {"opinion": f"{unit}意见"})
    view = await engine.is_completed(started.process_instance_key)
    assert view.variables["opinions"] == [f"{unit}意见" for unit in UNITS]
    assert "unit" not in view.variables and "loopCounter" not in view.variables


async def test_input_mappings_of_each_instance_read_its_input_element(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    mappings = (
        '<zeebe:ioMapping><zeebe:input source="=unit + &#34;（会办）&#34;" target="role"/>'
        '<zeebe:input source="=loopCounter * 10" target="order"/></zeebe:ioMapping>'
    )
    await deploy(co_handle(inputs=mappings).file())
    await client.run_process("co-handling", {"units": UNITS})
    jobs = await activate(gateway, "co-handle", max_jobs=10)
    seen = sorted((variables_of(job)["order"], variables_of(job)["role"]) for job in jobs)
    assert seen == [(10 * (index + 1), f"{unit}（会办）") for index, unit in enumerate(UNITS)]


async def test_sequential_co_handling_runs_one_unit_after_another(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(co_handle(sequential=True).file())
    started = await client.run_process("co-handling", {"units": UNITS})
    for unit in UNITS:
        (job,) = await activate(gateway, "co-handle", max_jobs=10)
        assert variables_of(job)["unit"] == unit
        await complete(gateway, job.key, {"opinion": unit})
    view = await engine.is_completed(started.process_instance_key)
    assert view.variables["opinions"] == UNITS


async def test_the_completion_condition_ends_the_remaining_instances(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(co_handle(condition="=numberOfCompletedInstances &gt;= 2").file())
    started = await client.run_process("co-handling", {"units": UNITS})
    jobs = await activate(gateway, "co-handle", max_jobs=10)
    await complete(gateway, jobs[0].key, {"opinion": "a"})
    await complete(gateway, jobs[1].key, {"opinion": "b"})
    view = await engine.is_completed(started.process_instance_key)
    assert view.terminated.count("CoHandle") == 1
    await no_job(gateway, "co-handle", "the third unit's job must be cancelled")


async def test_an_empty_collection_completes_at_once(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    await deploy(co_handle().file())
    started = await client.run_process("co-handling", {"units": []})
    view = await engine.is_completed(started.process_instance_key)
    assert view.variables["opinions"] == []


async def test_a_collection_that_is_not_a_list_raises_an_incident(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    await deploy(co_handle().file())
    started = await client.run_process("co-handling", {"units": "环保局"})
    view = await engine.has_incident(started.process_instance_key, "EXTRACT_VALUE_ERROR")
    assert "to be 'ARRAY', but was 'STRING'" in next(iter(view.incidents.values())).error_message


async def test_a_boundary_timer_on_the_body_ends_all_inner_instances(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    boundary = (
        '<bpmn:boundaryEvent id="Deadline" attachedToRef="CoHandle"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>P30D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )
    await deploy(co_handle(boundary=boundary).file())
    started = await client.run_process("co-handling", {"units": UNITS})
    await activate_one(gateway, "co-handle")
    engine.increase_time(timedelta(days=31))
    view = await engine.has_passed(started.process_instance_key, "overdue")
    assert view.terminated.count("CoHandle") == 4, "three inner instances and the body"
    await no_job(gateway, "co-handle", "no unit may still hold a job after the deadline")


async def test_a_thousand_inner_instances(engine: EngineHandle, client: ZeebeClient, deploy, gateway) -> None:
    await deploy(co_handle().file())
    units = [f"单位{i}" for i in range(1000)]
    started = await client.run_process("co-handling", {"units": units})
    done = 0
    while done < 1000:
        jobs = await activate(gateway, "co-handle", max_jobs=200)
        for job in jobs:
            await complete(gateway, job.key, {"opinion": variables_of(job)["loopCounter"]})
        done += len(jobs)
    view = await engine.is_completed(started.process_instance_key, timeout=60)
    assert view.variables["opinions"] == list(range(1, 1001))
