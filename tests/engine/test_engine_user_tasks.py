"""User tasks: Zeebe user tasks with assignment, schedule, priority and a linked form; job-based ones."""

from __future__ import annotations

import json

import pytest
from diagrams import Diagram, activate_one, form
from pyzeebe import ZeebeClient

from engine.runtime import commands
from engine.runtime.errors import Rejection
from engine.testing.handle import EngineHandle


def review(assignment: str, *, native: bool = True, outputs: str = "") -> Diagram:
    zeebe_user_task = "<zeebe:userTask/>" if native else ""
    task = (
        '<bpmn:userTask id="Review"><bpmn:extensionElements>'
        f'{zeebe_user_task}<zeebe:formDefinition formId="review-form"/>{assignment}{outputs}'
        "</bpmn:extensionElements></bpmn:userTask>"
    )
    return Diagram("review").start().raw(task).end().chain("start", "Review", "end")


ASSIGNMENT = (
    '<zeebe:assignmentDefinition assignee="=clerk" candidateGroups="热线中心, 督查室"/>'
    '<zeebe:taskSchedule dueDate="=due"/>'
    '<zeebe:priorityDefinition priority="=if urgent then 80 else 50"/>'
)


async def test_a_zeebe_user_task_is_created_assigned_and_completed(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    deployed = await deploy(review(ASSIGNMENT).file(), ("review-form.form", form("review-form")))
    form_key = next(d.form_key for d in deployed.deployments if hasattr(d, "form_key"))
    started = await client.run_process(
        "review", {"clerk": "wang", "due": "2026-12-01T17:00:00+08:00", "urgent": True}
    )
    key = started.process_instance_key
    task = await engine.user_task_at(key, "Review")
    assert task.assignee == "wang"
    assert task.candidate_groups == ("热线中心", "督查室")
    assert task.due_date == "2026-12-01T17:00:00+08:00"
    assert task.priority == 80
    assert task.form_key == form_key
    await engine.is_waiting_at(key, "Review")

    await engine.execute(lambda ctx: commands.unassign_user_task(ctx, task.key))
    assert (await engine.user_task_at(key, "Review")).assignee is None
    await engine.execute(lambda ctx: commands.assign_user_task(ctx, task.key, "li"))
    with pytest.raises(Rejection, match="already assigned to 'li'"):
        await engine.execute(
            lambda ctx: commands.assign_user_task(ctx, task.key, "zhao", allow_override=False)
        )

    await engine.complete_user_task(key, "Review", {"approved": True})
    view = await engine.is_completed(key)
    assert view.variables["approved"] is True
    assert await engine.user_tasks(key) == []


async def test_an_unknown_user_task_is_not_found(engine: EngineHandle) -> None:
    with pytest.raises(Rejection, match="no such user task"):
        await engine.execute(lambda ctx: commands.complete_user_task(ctx, 42, {}))


async def test_a_user_task_linking_a_missing_form_raises_an_incident(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    await deploy(review("").file())
    started = await client.run_process("review", {})
    view = await engine.has_incident(started.process_instance_key, "EXTRACT_VALUE_ERROR")
    (incident,) = view.incidents.values()
    assert "form with id 'review-form'" in incident.error_message


async def test_cancelling_the_instance_cancels_its_user_task(
    engine: EngineHandle, client: ZeebeClient, deploy
) -> None:
    await deploy(review(ASSIGNMENT).file(), ("review-form.form", form("review-form")))
    started = await client.run_process("review", {"clerk": "wang", "due": None, "urgent": False})
    await engine.user_task_at(started.process_instance_key, "Review")
    await client.cancel_process_instance(started.process_instance_key)
    await engine.is_terminated(started.process_instance_key)
    assert await engine.user_tasks(started.process_instance_key) == []


async def test_a_job_based_user_task_is_a_job_with_zeebe_headers(
    engine: EngineHandle, client: ZeebeClient, deploy, gateway
) -> None:
    await deploy(review(ASSIGNMENT, native=False).file(), ("review-form.form", form("review-form")))
    started = await client.run_process("review", {"clerk": "wang", "due": None, "urgent": False})
    job = await activate_one(gateway, "io.camunda.zeebe:userTask")
    headers = json.loads(job.customHeaders)
    assert headers["io.camunda.zeebe:assignee"] == "wang"
    assert json.loads(headers["io.camunda.zeebe:candidateGroups"]) == ["热线中心", "督查室"]
    assert "io.camunda.zeebe:formKey" in headers
    assert job.processInstanceKey == started.process_instance_key
