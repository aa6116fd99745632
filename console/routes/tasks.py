"""The task list (待办任务): the signed-in user's user tasks, claim and unclaim, and completion with
the task's deployed Camunda Form.

A user's tasks are the open user tasks whose candidate groups meet the user's groups, plus those
assigned to the user, by username or by the person's name a diagram assigns (`Principal.names`:
the display name without its bracketed title, so 陈建国（分管副市长） receives the receptions
assigned to 陈建国) (`Principal.may_work_on`); every endpoint answers 404 for any other task, so a
unit's user learns nothing of another unit's task from its key.

Decisions:
- "Due soon" means due within the next 24 hours (and not yet overdue), as a timer counts, not in
  working days: the due dates the deadlines worker sets already are working-day deadlines.
- Completing an unassigned task claims it for the user first, so the engine and the ledger record
  who did it; a task claimed by someone else cannot be completed or claimed (409).
- A submission may set only the form's fields, and the form's required fields (those it shows for
  the data) are checked here as well as in the browser (400 naming the fields).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from console.auth import Allowed, ConsoleDep, CsrfDep, Principal, audit
from console.context import Console
from console.engine_client import EngineError
from console.pages import render
from console.policy import Permission
from console.task_forms import field_names, missing_required, referenced_names, shown_only
from console.times import is_instant, local_deadline, local_time
from workers.ledger.masking import Appellant, shown_to
from workers.ledger.policy import PrivacyPolicy, load_ledger_policy

router = APIRouter()

TaskUser = Annotated[Principal, Depends(Allowed(Permission.TASKS))]
TaskKey = Annotated[str, PathParam(pattern=r"^[0-9]{1,20}$")]
DueFilter = Literal["", "overdue", "soon"]
AssignmentFilter = Literal["", "mine", "unassigned"]

OPEN = "CREATED"
DUE_SOON = timedelta(hours=24)
# One page of each search: more open tasks than this for one user is a backlog no list helps with.
TASK_LIMIT = 500
# The case's number and title, shown with each task; child processes (unit handling, review
# chains) carry the number, the title is their root instance's.
CASE_FACTS = ("caseNumber", "title")
NOT_YOURS = "任务不存在，或不在您的待办范围内"


@router.get("/tasks", response_class=HTMLResponse)
async def tasks_page(request: Request, console: ConsoleDep, user: TaskUser) -> Response:
    return render(request, user, "tasks.html", processes=sorted((await process_names(console)).items()))


@router.get("/tasks/{key}", response_class=HTMLResponse)
async def task_page(request: Request, console: ConsoleDep, user: TaskUser, key: TaskKey) -> Response:
    task = await _task_of(console, user, key)
    return render(request, user, "task.html", task=task, key=key)


@router.get("/api/tasks")
async def list_tasks(
    console: ConsoleDep,
    user: TaskUser,
    process: Annotated[str, Query(max_length=200)] = "",
    due: DueFilter = "",
    assignment: AssignmentFilter = "",
) -> dict[str, Any]:
    now = console.clock()
    base: dict[str, Any] = {"state": OPEN}
    if process:
        base["processDefinitionId"] = process
    if due == "overdue":
        base["dueDate"] = {"$lt": _iso(now)}
    elif due == "soon":
        base["dueDate"] = {"$gte": _iso(now), "$lt": _iso(now + DUE_SOON)}
    items, truncated = await open_tasks(console, user, base, assignment)
    return {"items": items, "truncated": truncated, "now": _iso(now)}


async def case_tasks(console: Console, user: Principal, case_number: str) -> list[dict[str, Any]]:
    """The case's open tasks that are the user's to do, in its own instance or in those it called
    (a unit's handling, a review chain), which carry its number too."""
    if not user.may(Permission.TASKS):
        return []
    number = {"name": "caseNumber", "value": json.dumps(case_number, ensure_ascii=False)}
    items, _truncated = await open_tasks(console, user, {"state": OPEN, "processInstanceVariables": [number]})
    return items


async def open_tasks(
    console: Console, user: Principal, base: dict[str, Any], assignment: AssignmentFilter = ""
) -> tuple[list[dict[str, Any]], bool]:
    """The user tasks matching `base` the user may work on, by due date, and whether a search was
    cut at TASK_LIMIT."""
    now = console.clock()
    searches: list[dict[str, Any]] = []
    if assignment != "mine" and user.groups:
        by_group = {**base, "candidateGroup": {"$in": list(user.groups)}}
        if assignment == "unassigned":
            by_group["assignee"] = {"$exists": False}
        searches.append(by_group)
    if assignment != "unassigned":
        searches.append({**base, "assignee": {"$in": list(user.names)}})
    found: dict[str, dict[str, Any]] = {}
    truncated = False
    for task_filter in searches:
        result = await console.engine.search(
            "user-tasks",
            {"filter": task_filter, "sort": [{"field": "dueDate"}], "page": {"limit": TASK_LIMIT}},
        )
        truncated |= result["page"]["totalItems"] > len(result["items"])
        for task in result["items"]:
            if user.may_work_on(task["candidateGroups"], task.get("assignee")):
                found[task["userTaskKey"]] = task
    tasks = sorted(found.values(), key=_by_due_date)
    facts = await _case_facts(console, [task["processInstanceKey"] for task in tasks])
    names = await process_names(console)
    return [_summary(console, user, task, facts, names, now) for task in tasks], truncated


@router.get("/api/tasks/{key}")
async def get_task(request: Request, console: ConsoleDep, user: TaskUser, key: TaskKey) -> dict[str, Any]:
    task = await _task_of(console, user, key)
    schema = await _form_schema(console, key)
    variables = await _form_variables(console, request, user, task, schema)
    facts = await _case_facts(console, [task["processInstanceKey"]])
    return {
        "task": _summary(console, user, task, facts, await process_names(console), console.clock()),
        "schema": schema,
        "variables": variables,
    }


@router.post("/api/tasks/{key}/claim")
async def claim_task(console: ConsoleDep, user: TaskUser, _csrf: CsrfDep, key: TaskKey) -> dict[str, Any]:
    task = await _open_task_of(console, user, key)
    if not user.is_assignee(task.get("assignee")):
        await _claim(console, user, task)
    return {"claimed": True, "assignee": task.get("assignee") or user.username}


@router.post("/api/tasks/{key}/unclaim")
async def unclaim_task(console: ConsoleDep, user: TaskUser, _csrf: CsrfDep, key: TaskKey) -> dict[str, Any]:
    task = await _open_task_of(console, user, key)
    _refuse_if_taken(console, user, task)
    assignee = task.get("assignee")
    if assignee is not None and assignee != user.username:
        # Assigned by the process to the person (a receiving leader): nobody else would see it.
        raise HTTPException(409, "此任务由流程指定您本人办理，不能退回")
    if assignee is not None:
        await console.engine.request("DELETE", f"/user-tasks/{key}/assignee")
    return {"claimed": False}


@router.post("/api/tasks/{key}/complete")
async def complete_task(
    console: ConsoleDep,
    user: TaskUser,
    _csrf: CsrfDep,
    key: TaskKey,
    variables: Annotated[dict[str, Any], Body(embed=True)],
) -> dict[str, Any]:
    task = await _open_task_of(console, user, key)
    _refuse_if_taken(console, user, task)
    schema = await _form_schema(console, key)
    if schema is not None:
        unknown = sorted(set(variables) - field_names(schema))
        if unknown:
            raise HTTPException(400, f"表单中没有这些字段：{'、'.join(unknown)}")
        known = await _visible_variables(console, task, referenced_names(schema))
        missing = missing_required(schema, {**known, **variables})
        if missing:
            raise HTTPException(400, f"请填写必填项：{'、'.join(missing)}")
    if task.get("assignee") is None:
        await _claim(console, user, task)
    try:
        await console.engine.post(f"/user-tasks/{key}/completion", {"variables": variables})
    except EngineError as error:
        if error.status in (400, 409):
            raise HTTPException(error.status, f"流程引擎未接受此次办理：{error.detail}") from error
        raise
    return {"completed": True}


# ------------------------------------------------------------------------------------------ the task


async def _task_of(console: Console, user: Principal, key: str) -> dict[str, Any]:
    """The task, if it is the user's to see; the same 404 whether it exists or not."""
    try:
        task: dict[str, Any] = await console.engine.get(f"/user-tasks/{key}")
    except EngineError as error:
        if error.status == 404:
            raise HTTPException(404, NOT_YOURS) from error
        raise
    if not user.may_work_on(task.get("candidateGroups") or [], task.get("assignee")):
        raise HTTPException(404, NOT_YOURS)
    return task


async def _open_task_of(console: Console, user: Principal, key: str) -> dict[str, Any]:
    task = await _task_of(console, user, key)
    if task["state"] != OPEN:
        raise HTTPException(409, "此任务已办结或已撤销，请刷新待办列表")
    return task


def _refuse_if_taken(console: Console, user: Principal, task: dict[str, Any]) -> None:
    assignee = task.get("assignee")
    if assignee is not None and not user.is_assignee(assignee):
        name = _display_name(console, assignee)
        raise HTTPException(409, f"此任务已由{name}认领，需其退回后您才能认领或办理")


async def _claim(console: Console, user: Principal, task: dict[str, Any]) -> None:
    _refuse_if_taken(console, user, task)
    try:
        await console.engine.post(
            f"/user-tasks/{task['userTaskKey']}/assignment",
            {"assignee": user.username, "allowOverride": False},
        )
    except EngineError as error:
        if error.status == 409:
            # Someone claimed it between our read and our claim.
            raise HTTPException(409, "此任务刚被他人认领，请刷新后查看") from error
        raise


async def _form_schema(console: Console, key: str) -> dict[str, Any] | None:
    form = await console.engine.get(f"/user-tasks/{key}/form")
    if form is None:
        return None
    schema = form["schema"]
    # Camunda answers the schema as JSON text; the embedded engine as an object.
    parsed: dict[str, Any] = json.loads(schema) if isinstance(schema, str) else schema
    return parsed


async def _form_variables(
    console: Console,
    request: Request,
    user: Principal,
    task: dict[str, Any],
    schema: dict[str, Any] | None,
) -> dict[str, Any]:
    """The variables the form reads, the appellant's data as the user's role may see it."""
    if schema is None:
        return {}
    variables = await _visible_variables(console, task, referenced_names(schema))
    appellant = variables.get("appellant")
    if isinstance(appellant, dict):
        case_number = variables.get("caseNumber")
        variables["appellant"] = _appellant_for(console, request, user, appellant, case_number)
    for name in shown_only(schema):
        value = variables.get(name)
        if isinstance(value, str) and is_instant(value):
            variables[name] = _readable_instant(name, value, console)
    return variables


def _readable_instant(name: str, value: str, console: Console) -> str:
    """An instant a form prints, in local time rather than as ISO text; a deadline (dueAt,
    previewDueAt, ...) that runs out at midnight as 24:00 of its last day."""
    if name.lower().endswith("dueat"):
        return local_deadline(value, console.timezone)
    return local_time(value, console.timezone)


def _appellant_for(
    console: Console, request: Request, user: Principal, given: dict[str, Any], case_number: Any
) -> dict[str, Any]:
    appellant = Appellant(
        name=given.get("name"),
        phone=given.get("phone"),
        address=given.get("address"),
        confidential=bool(given.get("confidential")),
    )
    shown = shown_to(user.viewer, appellant, _privacy(console.settings.config_dir))
    if shown == appellant and any((appellant.name, appellant.phone, appellant.address)):
        audit(console, request, user, "view-appellant", str(case_number or ""), "待办任务表单")
    return {**given, **vars(shown)}


@cache
def _privacy(config_dir: Path) -> PrivacyPolicy:
    return load_ledger_policy(config_dir).privacy


async def _visible_variables(console: Console, task: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """The values of `names` as the task sees them: its own local variables, then its instance's,
    then those of the instances that called it (a unit's handling reads the case's title)."""
    if not names:
        return {}
    chains = await _ancestry(console, [task["processInstanceKey"]])
    chain = chains[task["processInstanceKey"]]
    found = await _variables(console, chain, names)
    values: dict[str, Any] = {}
    for scope in (task["elementInstanceKey"], *chain):
        for name, value in found.get(scope, {}).items():
            values.setdefault(name, value)
    return values


async def _case_facts(console: Console, instance_keys: list[str]) -> dict[str, dict[str, Any]]:
    """For each instance: the case number and title, from it or the instances that called it."""
    if not instance_keys:
        return {}
    chains = await _ancestry(console, instance_keys)
    found = await _variables(console, sorted({key for chain in chains.values() for key in chain}), CASE_FACTS)
    facts: dict[str, dict[str, Any]] = {}
    for key, chain in chains.items():
        merged: dict[str, Any] = {}
        for scope in chain:
            for name, value in found.get(scope, {}).items():
                merged.setdefault(name, value)
        facts[key] = merged
    return facts


async def _ancestry(console: Console, instance_keys: list[str]) -> dict[str, list[str]]:
    """Each instance with the instances that called it, nearest first."""
    parents: dict[str, str | None] = {}
    pending = set(instance_keys)
    while pending:
        result = await console.engine.search(
            "process-instances",
            {"filter": {"processInstanceKey": {"$in": sorted(pending)}}, "page": {"limit": len(pending)}},
        )
        for instance in result["items"]:
            parents[instance["processInstanceKey"]] = instance.get("parentProcessInstanceKey")
        for key in pending - parents.keys():
            parents[key] = None
        pending = {parent for parent in parents.values() if parent is not None and parent not in parents}
    chains: dict[str, list[str]] = {}
    for key in instance_keys:
        chain: list[str] = []
        current: str | None = key
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        chains[key] = chain
    return chains


async def _variables(
    console: Console, instance_keys: list[str], names: set[str] | tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """Variables named `names` of these instances, by scope key (the instance or one of its elements)."""
    body = {
        "filter": {"processInstanceKey": {"$in": instance_keys}, "name": {"$in": sorted(names)}},
        "page": {"limit": 10_000},
    }
    result = await console.engine.post("/variables/search?truncateValues=false", body)
    by_scope: dict[str, dict[str, Any]] = {}
    for variable in result["items"]:
        by_scope.setdefault(variable["scopeKey"], {})[variable["name"]] = json.loads(variable["value"])
    return by_scope


# ------------------------------------------------------------------------------------------ the list


async def process_names(console: Console) -> dict[str, str]:
    """Process id → its Chinese name (the latest version's)."""
    result = await console.engine.search(
        "process-definitions", {"filter": {"isLatestVersion": True}, "page": {"limit": 1000}}
    )
    items = result["items"]
    return {item["processDefinitionId"]: item.get("name") or item["processDefinitionId"] for item in items}


def _summary(
    console: Console,
    user: Principal,
    task: dict[str, Any],
    facts: dict[str, dict[str, Any]],
    names: dict[str, str],
    now: datetime,
) -> dict[str, Any]:
    case = facts.get(task["processInstanceKey"], {})
    assignee = task.get("assignee")
    process_id = task["processDefinitionId"]
    return {
        "key": task["userTaskKey"],
        "name": task.get("name") or task["elementId"],
        "elementId": task["elementId"],
        "state": task["state"],
        "processDefinitionId": process_id,
        "processName": names.get(process_id) or task.get("processName") or process_id,
        "processInstanceKey": task["processInstanceKey"],
        "caseNumber": case.get("caseNumber"),
        "title": case.get("title"),
        "creationDate": task.get("creationDate"),
        "dueDate": task.get("dueDate"),
        "dueText": local_deadline(task.get("dueDate"), console.timezone) or None,
        "due": _due_state(task.get("dueDate"), now),
        "assignee": assignee,
        "assigneeName": None if assignee is None else _display_name(console, assignee),
        "mine": user.is_assignee(assignee),
        # Assigned to the person by the process, not claimed: theirs to do, not to hand back.
        "assignedByProcess": user.is_assignee(assignee) and assignee != user.username,
    }


def _due_state(due: str | None, now: datetime) -> str | None:
    if not due:
        return None
    at = datetime.fromisoformat(due.replace("Z", "+00:00"))
    if at < now:
        return "overdue"
    return "soon" if at < now + DUE_SOON else None


def _by_due_date(task: dict[str, Any]) -> tuple[bool, datetime, str]:
    due = task.get("dueDate")
    at = datetime.fromisoformat((due or task["creationDate"]).replace("Z", "+00:00"))
    return (due is None, at, task["userTaskKey"])


def _display_name(console: Console, username: str) -> str:
    account = console.store.account(username)
    return account.display_name if account is not None else username


def _iso(moment: datetime) -> str:
    return moment.isoformat()
