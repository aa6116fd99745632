"""The task list part of /v2: search, get, assign, unassign, complete with variables, form."""

from __future__ import annotations

from diagrams import Diagram, form
from rest_fixtures import RestEngine

TASK = (
    '<bpmn:userTask id="Review" name="审核"><bpmn:extensionElements><zeebe:userTask/>'
    '<zeebe:formDefinition formId="review-form"/>'
    '<zeebe:assignmentDefinition assignee="=clerk" candidateGroups="热线中心, 督查室"/>'
    '<zeebe:taskSchedule dueDate="=due"/><zeebe:priorityDefinition priority="=prio"/>'
    "</bpmn:extensionElements></bpmn:userTask>"
)


def review() -> Diagram:
    return Diagram("review").start().raw(TASK).end().chain("start", "Review", "end")


async def start_review(rest: RestEngine, clerk: str | None, prio: int = 50) -> str:
    return await rest.start("review", {"clerk": clerk, "due": "2026-12-01T17:00:00+08:00", "prio": prio})


async def test_user_task_lifecycle(rest: RestEngine) -> None:
    deployed = await rest.deploy(review().file(), ("review-form.form", form("review-form")))
    form_key = deployed["deployments"][1]["form"]["formKey"]
    key = await start_review(rest, "wang", prio=80)

    found = await rest.search("user-tasks", {"filter": {"processInstanceKey": key}})
    assert found["page"]["totalItems"] == 1
    task = found["items"][0]
    assert task["state"] == "CREATED" and task["assignee"] == "wang" and task["name"] == "审核"
    assert task["candidateGroups"] == ["热线中心", "督查室"] and task["candidateUsers"] == []
    assert task["priority"] == 80 and task["formKey"] == form_key and task["elementId"] == "Review"
    assert task["dueDate"] == "2026-12-01T09:00:00.000Z" and "completionDate" not in task
    assert task["processDefinitionId"] == "review" and task["processDefinitionVersion"] == 1
    task_key = task["userTaskKey"]
    assert (await rest.client.get(f"/user-tasks/{task_key}")).json() == task

    user_form = (await rest.client.get(f"/user-tasks/{task_key}/form")).json()
    assert user_form["formKey"] == form_key and user_form["schema"]["id"] == "review-form"

    assert (await rest.client.delete(f"/user-tasks/{task_key}/assignee")).status_code == 204
    assert "assignee" not in (await rest.client.get(f"/user-tasks/{task_key}")).json()
    assign = await rest.client.post(f"/user-tasks/{task_key}/assignment", json={"assignee": "li"})
    assert assign.status_code == 204
    refused = await rest.client.post(
        f"/user-tasks/{task_key}/assignment", json={"assignee": "zhao", "allowOverride": False}
    )
    assert refused.status_code == 409 and "already assigned to 'li'" in refused.json()["detail"]
    mine = await rest.search("user-tasks", {"filter": {"assignee": "li", "candidateGroup": "督查室"}})
    assert [t["userTaskKey"] for t in mine["items"]] == [task_key]

    done = await rest.client.post(
        f"/user-tasks/{task_key}/completion", json={"variables": {"approved": True}}
    )
    assert done.status_code == 204, done.text
    completed = (await rest.client.get(f"/user-tasks/{task_key}")).json()
    assert completed["state"] == "COMPLETED" and completed["completionDate"] is not None
    instance = (await rest.client.get(f"/process-instances/{key}")).json()
    assert instance["state"] == "COMPLETED"
    approved = await rest.search("variables", {"filter": {"processInstanceKey": key, "name": "approved"}})
    assert approved["items"][0]["value"] == "true"
    again = await rest.client.post(f"/user-tasks/{task_key}/completion")
    assert again.status_code == 404


async def test_user_task_search_filters_sorting_and_errors(rest: RestEngine) -> None:
    await rest.deploy(review().file(), ("review-form.form", form("review-form")))
    keys = [await start_review(rest, clerk, prio) for clerk, prio in [("wang", 10), (None, 90), ("li", 50)]]
    by_priority = await rest.search("user-tasks", {"sort": [{"field": "priority", "order": "DESC"}]})
    assert [t["priority"] for t in by_priority["items"]] == [90, 50, 10]
    unassigned = await rest.search("user-tasks", {"filter": {"assignee": {"$exists": False}}})
    assert [t["processInstanceKey"] for t in unassigned["items"]] == [keys[1]]
    urgent = await rest.search("user-tasks", {"filter": {"priority": {"$gte": 50}}})
    assert urgent["page"]["totalItems"] == 2
    named = await rest.search("user-tasks", {"filter": {"name": "审核", "state": "CREATED"}})
    assert named["page"]["totalItems"] == 3
    by_variable = await rest.search(
        "user-tasks", {"filter": {"processInstanceVariables": [{"name": "clerk", "value": '"li"'}]}}
    )
    assert [t["processInstanceKey"] for t in by_variable["items"]] == [keys[2]]
    assert (await rest.client.get("/user-tasks/777")).status_code == 404
    assert (await rest.client.get("/user-tasks/777/form")).status_code == 404
    assert (await rest.client.post("/user-tasks/777/assignment", json={"assignee": "x"})).status_code == 404
    empty = await rest.client.post(
        f"/user-tasks/{by_priority['items'][0]['userTaskKey']}/assignment", json={}
    )
    assert empty.status_code == 400
