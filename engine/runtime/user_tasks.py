"""User tasks: Zeebe user tasks (`zeebe:userTask`) and, for older diagrams, job-based ones.

Assignment, schedule and priority are evaluated when the task is created, as Zeebe does; a failure
there is an incident on the element like any other activation failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.jsoncodec import dumps
from engine.model.elements import Expr, FlowNode
from engine.runtime.context import Context
from engine.runtime.entities import ElementInstance, FormDefinition, Kind, UserTask
from engine.runtime.expressions import EvaluationFailure, evaluate, result_type
from engine.runtime.records import ValueType

# The job type Zeebe gives user tasks that are not Zeebe user tasks, and its header names.
JOB_WORKER_USER_TASK = "io.camunda.zeebe:userTask"
_HEADER = "io.camunda.zeebe:"
DEFAULT_PRIORITY = 50


def user_task_value(task: UserTask) -> dict[str, Any]:
    return {
        "userTaskKey": task.key,
        "elementId": task.element_id,
        "elementInstanceKey": task.element_instance_key,
        "processInstanceKey": task.process_instance_key,
        "bpmnProcessId": task.bpmn_process_id,
        "processDefinitionKey": task.process_definition_key,
        "assignee": task.assignee,
        "candidateGroups": list(task.candidate_groups),
        "candidateUsers": list(task.candidate_users),
        "dueDate": task.due_date,
        "followUpDate": task.follow_up_date,
        "priority": task.priority,
        "formKey": task.form_key,
        "externalFormReference": task.external_form_reference,
    }


def store(ctx: Context, task: UserTask, intent: str) -> UserTask:
    ctx.layer.put(Kind.USER_TASK, task.key, task)
    ctx.record(ValueType.USER_TASK, intent, task.key, user_task_value(task), task.process_instance_key)
    return task


def remove(ctx: Context, task: UserTask, intent: str) -> None:
    ctx.layer.delete(Kind.USER_TASK, task.key)
    ctx.record(ValueType.USER_TASK, intent, task.key, user_task_value(task), task.process_instance_key)


def cancel_of(ctx: Context, element_instance_key: int) -> None:
    for task in ctx.layer.find(Kind.USER_TASK, "element_instance", element_instance_key):
        remove(ctx, task, "CANCELED")


def _text(expr: Any, variables: Mapping[str, Any], what: str) -> str | None:
    if expr is None:
        return None
    value = evaluate(expr, variables)
    if value is None or isinstance(value, str):
        return value or None
    raise EvaluationFailure(f"Expected {what} to be a string, but was '{result_type(value)}'.")


def _names(expr: Any, variables: Mapping[str, Any], what: str) -> tuple[str, ...]:
    """A list of names: a FEEL list of strings, or a comma-separated static value."""
    if expr is None:
        return ()
    value = evaluate(expr, variables)
    if isinstance(value, str):
        return tuple(name.strip() for name in value.split(",") if name.strip())
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return tuple(value)
    if value is None:
        return ()
    raise EvaluationFailure(f"Expected {what} to be a list of strings, but was '{result_type(value)}'.")


class Assignment:
    """What a user task element asks for, evaluated against the instance's variables."""

    def __init__(self, ctx: Context, element: FlowNode, variables: Mapping[str, Any]) -> None:
        assignment = element.properties.get("assignmentDefinition", {})
        schedule = element.properties.get("taskSchedule", {})
        self.assignee = _text(assignment.get("assignee"), variables, "the assignee")
        self.candidate_groups = _names(assignment.get("candidateGroups"), variables, "the candidate groups")
        self.candidate_users = _names(assignment.get("candidateUsers"), variables, "the candidate users")
        self.due_date = _text(schedule.get("dueDate"), variables, "the due date")
        self.follow_up_date = _text(schedule.get("followUpDate"), variables, "the follow-up date")
        priority_expr: Expr | None = element.properties.get("priorityDefinition", {}).get("priority")
        priority = evaluate(priority_expr, variables) if priority_expr is not None else DEFAULT_PRIORITY
        if isinstance(priority, str) and priority.isdigit():
            priority = int(priority)
        if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 100:
            raise EvaluationFailure(
                f"Expected the priority to be a number between 0 and 100, but was {priority!r}."
            )
        self.priority = priority
        self.form_key = _form_key(ctx, element)
        self.external_form_reference = _text(
            element.properties.get("formDefinition", {}).get("externalReference"),
            variables,
            "the external form reference",
        )

    def job_headers(self) -> dict[str, str]:
        """The custom headers Zeebe gives a job-based user task."""
        headers = {
            "assignee": self.assignee,
            "candidateGroups": dumps(list(self.candidate_groups)) if self.candidate_groups else None,
            "candidateUsers": dumps(list(self.candidate_users)) if self.candidate_users else None,
            "dueDate": self.due_date,
            "followUpDate": self.follow_up_date,
            "formKey": str(self.form_key) if self.form_key is not None else None,
        }
        return {_HEADER + name: value for name, value in headers.items() if value is not None}


def _form_key(ctx: Context, element: FlowNode) -> int | None:
    if element.form_id is None:
        return None
    versions: list[FormDefinition] = ctx.layer.find(Kind.FORM, "form_id", element.form_id)
    if not versions:
        raise EvaluationFailure(
            f"Expected to find a form with id '{element.form_id}', but no form with this id is deployed."
        )
    return max(versions, key=lambda form: form.version).key


def create(
    ctx: Context, instance: ElementInstance, assignment: Assignment, headers: dict[str, str]
) -> UserTask:
    task = UserTask(
        key=ctx.new_key(),
        element_instance_key=instance.key,
        process_instance_key=instance.process_instance_key,
        bpmn_process_id=instance.bpmn_process_id,
        process_definition_key=instance.process_definition_key,
        version=instance.version,
        element_id=instance.element_id,
        created_at=ctx.now,
        assignee=assignment.assignee,
        candidate_groups=assignment.candidate_groups,
        candidate_users=assignment.candidate_users,
        due_date=assignment.due_date,
        follow_up_date=assignment.follow_up_date,
        priority=assignment.priority,
        form_key=assignment.form_key,
        external_form_reference=assignment.external_form_reference,
        custom_headers=headers,
    )
    return store(ctx, task, "CREATED")
