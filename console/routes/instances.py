"""Live processes, what Camunda Operate shows: instances by process, state and incident, and one
instance on its diagram (active, completed and failed elements, taken flows, incidents, variables,
called and calling instances), with retry, resolve and cancel.

Everything comes from the engine's `/v2` API, so the page works against a Camunda 8 cluster too. An
open instance page follows the instance through Server-Sent Events: the console polls the engine a
few times a second and pushes a new snapshot only when something changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from console.auth import Allowed, ConsoleDep, CsrfDep, Principal, audit, principal
from console.context import Console
from console.engine_client import EngineClient, EngineError
from console.pages import render
from console.policy import Permission
from workers.ledger.masking import Appellant, shown_to
from workers.ledger.policy import PrivacyPolicy, load_ledger_policy

router = APIRouter()

Watcher = Annotated[Principal, Depends(Allowed(Permission.INSTANCES))]
Operator = Annotated[Principal, Depends(Allowed(Permission.INSTANCES_OPERATE))]

PAGE_SIZE = 20
# The filter's states: query value -> (Camunda's state, label).
STATES = {
    "active": ("ACTIVE", "运行中"),
    "completed": ("COMPLETED", "已完成"),
    "terminated": ("TERMINATED", "已终止"),
}
STATE_LABELS = {state: label for state, label in STATES.values()}
# How often an open page's stream asks the engine: four times a second keeps a move visible within
# a second; a finished instance changes no more, so it is asked rarely.
POLL_S = 0.25
FINISHED_POLL_S = 2.0
# A comment line now and then keeps proxies from closing a quiet stream, and rechecks the session.
HEARTBEAT_S = 15.0
# Variables and called instances of one instance: far more than any Minsheng process has.
VARIABLE_LIMIT = 1000
CHILD_LIMIT = 200
# The variable that holds an appellant's personal data (workers/ledger_tasks.py), masked as the
# ledger masks it.
APPELLANT_VARIABLE = "appellant"
CASE_NUMBER_VARIABLE = "caseNumber"


@dataclass(frozen=True)
class ProcessCount:
    process_id: str
    name: str
    active: int | str
    incidents: int | str


class LiveStreams:
    """How many instance pages are following their instance: a stream whose client went away must
    stop polling the engine, and this is how that can be seen."""

    open = 0


def _instance_key(text: str) -> int:
    """A process instance key from a URL; anything but a Zeebe key is an instance that does not exist."""
    if not text.isdigit() or len(text) > 19:
        raise HTTPException(404, f"流程实例 {text} 不存在")
    return int(text)


# ------------------------------------------------------------------------------------- the list


@router.get("/instances", response_class=HTMLResponse)
async def instances_page(
    request: Request,
    console: ConsoleDep,
    user: Watcher,
    process: str = "",
    state: str = "active",
    incident: bool = False,
    page: int = 1,
) -> Response:
    engine = console.engine
    page = max(page, 1)
    counts = await _process_counts(engine)
    query: dict[str, Any] = {}
    if process:
        query["processDefinitionId"] = process
    if state in STATES:
        query["state"] = STATES[state][0]
    if incident:
        query["hasIncident"] = True
    found = await engine.search(
        "process-instances",
        {
            "filter": query,
            "sort": [{"field": "startDate", "order": "DESC"}],
            "page": {"from": (page - 1) * PAGE_SIZE, "limit": PAGE_SIZE},
        },
    )
    items: list[dict[str, Any]] = found["items"]
    total = int(found["page"]["totalItems"])
    case_numbers = await _case_numbers(engine, [item["processInstanceKey"] for item in items])
    return render(
        request,
        user,
        "instances.html",
        counts=counts,
        instances=items,
        case_numbers=case_numbers,
        total=_shown_total(found["page"]),
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        process=process,
        state=state if state in STATES else "",
        incident=incident,
        states=STATES,
        state_labels=STATE_LABELS,
    )


def _shown_total(page: dict[str, Any]) -> int | str:
    """The engine counts matches up to a cap (Camunda's `hasMoreTotalItems`): past it, only a bound."""
    total = int(page["totalItems"])
    return f"超过{total}" if page.get("hasMoreTotalItems") else total


async def _process_counts(engine: EngineClient) -> list[ProcessCount]:
    """Every deployed process by its latest version's (Chinese) name, with its running instances and
    those of them that have an incident."""
    definitions = await engine.search(
        "process-definitions",
        {
            "filter": {"isLatestVersion": True},
            "sort": [{"field": "processDefinitionId"}],
            "page": {"limit": 500},
        },
    )

    async def count(process_id: str, **extra: Any) -> int | str:
        found = await engine.search(
            "process-instances",
            {"filter": {"processDefinitionId": process_id, "state": "ACTIVE", **extra}, "page": {"limit": 1}},
        )
        return _shown_total(found["page"])

    async def of(definition: dict[str, Any]) -> ProcessCount:
        process_id = definition["processDefinitionId"]
        active, incidents = await asyncio.gather(count(process_id), count(process_id, hasIncident=True))
        return ProcessCount(process_id, definition.get("name") or process_id, active, incidents)

    return list(await asyncio.gather(*(of(definition) for definition in definitions["items"])))


async def _case_numbers(engine: EngineClient, keys: list[str]) -> dict[str, str]:
    """The case number (案件编号) of each of these instances that has one."""
    if not keys:
        return {}
    found = await engine.search(
        "variables",
        {
            "filter": {
                "name": CASE_NUMBER_VARIABLE,
                "processInstanceKey": {"$in": keys},
                "scopeKey": {"$in": keys},
            },
            "page": {"limit": len(keys)},
        },
    )
    numbers = {}
    for variable in found["items"]:
        value = _parsed(variable["value"])
        if isinstance(value, str):
            numbers[variable["processInstanceKey"]] = value
    return numbers


# ------------------------------------------------------------------------------------ an instance


@router.get("/instances/{key}", response_class=HTMLResponse)
async def instance_page(request: Request, console: ConsoleDep, user: Watcher, key: str) -> Response:
    instance_key = _instance_key(key)
    instance = await console.engine.get(f"/process-instances/{instance_key}")
    case_numbers = await _case_numbers(console.engine, [str(instance_key)])
    return render(
        request,
        user,
        "instance.html",
        instance=instance,
        case_number=case_numbers.get(str(instance_key)),
        state_labels=STATE_LABELS,
        may_operate=user.may(Permission.INSTANCES_OPERATE),
    )


@router.get("/api/instances/{key}")
async def instance_snapshot(console: ConsoleDep, user: Watcher, key: str) -> dict[str, Any]:
    return await _snapshot(console.engine, _instance_key(key))


@router.get("/api/instances/{key}/diagram")
async def instance_diagram(console: ConsoleDep, user: Watcher, key: str) -> Response:
    """The BPMN XML of the instance's process definition, for the page's viewer."""
    instance = await console.engine.get(f"/process-instances/{_instance_key(key)}")
    xml = await console.engine.text(f"/process-definitions/{instance['processDefinitionKey']}/xml")
    return Response(xml, media_type="text/xml; charset=utf-8")


@router.get("/api/instances/{key}/variables")
async def instance_variables(
    request: Request, console: ConsoleDep, user: Watcher, key: str
) -> dict[str, Any]:
    """The instance's variables (every scope), the appellant's data masked unless the user's role
    may read it in the clear, which the audit log then records."""
    instance_key = _instance_key(key)
    items = await _variables(console.engine, instance_key)
    privacy = _privacy(console.settings.config_dir)
    rows = []
    unmasked = False
    for variable in items:
        value = _parsed(variable["value"])
        if variable["name"] == APPELLANT_VARIABLE:
            value, clear = _appellant_as_shown(value, user, privacy)
            unmasked = unmasked or clear
        rows.append(
            {
                "name": variable["name"],
                "value": json.dumps(value, ensure_ascii=False),
                "scope": "process" if variable["scopeKey"] == str(instance_key) else "local",
                "scopeKey": variable["scopeKey"],
                "truncated": bool(variable.get("isTruncated")),
            }
        )
    if unmasked:
        case_number = next(
            (str(_parsed(v["value"])) for v in items if v["name"] == CASE_NUMBER_VARIABLE),
            f"流程实例 {instance_key}",
        )
        audit(console, request, user, "view-appellant", case_number, f"流程实例 {instance_key} 的变量")
    rows.sort(key=lambda row: (row["scope"] != "process", row["name"]))
    return {"items": rows}


@router.get("/api/instances/{key}/events")
async def instance_events(request: Request, console: ConsoleDep, user: Watcher, key: str) -> Response:
    """Server-Sent Events: a `snapshot` event whenever the instance moved, a comment every
    HEARTBEAT_S. An unknown instance is refused before the stream opens."""
    instance_key = _instance_key(key)
    first = await _snapshot(console.engine, instance_key)
    return StreamingResponse(
        _follow(request, console, instance_key, first),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _follow(
    request: Request, console: Console, instance_key: int, snapshot: dict[str, Any]
) -> AsyncIterator[str]:
    LiveStreams.open += 1
    try:
        sent = None
        last_beat = time.monotonic()
        failing = False
        while not await request.is_disconnected():
            text = json.dumps(snapshot, ensure_ascii=False, sort_keys=True)
            if text != sent:
                yield f"event: snapshot\ndata: {text}\n\n"
                sent, last_beat = text, time.monotonic()
            elif time.monotonic() - last_beat >= HEARTBEAT_S:
                if not _still_allowed(request, console):
                    yield 'event: closed\ndata: {"detail": "登录已失效，请重新登录"}\n\n'
                    return
                yield ": heartbeat\n\n"
                last_beat = time.monotonic()
            await asyncio.sleep(POLL_S if snapshot["state"] == "ACTIVE" else FINISHED_POLL_S)
            try:
                snapshot = await _snapshot(console.engine, instance_key)
                failing = False
            except EngineError as error:
                # The page says so and the stream keeps trying: the engine may be restarting.
                if not failing:
                    problem = json.dumps({"detail": f"流程引擎暂不可用：{error.detail}"}, ensure_ascii=False)
                    yield f"event: unavailable\ndata: {problem}\n\n"
                    sent, failing = None, True
    finally:
        LiveStreams.open -= 1


def _still_allowed(request: Request, console: Console) -> bool:
    """Whether the stream's user is still signed in and may still watch instances."""
    try:
        return principal(request, console).may(Permission.INSTANCES)
    except HTTPException:
        return False


async def _snapshot(engine: EngineClient, instance_key: int) -> dict[str, Any]:
    """Where the instance stands: what the diagram marks, its incidents, the instances it called and
    a digest of its variables (whose values the page fetches, masked, when the digest changes)."""
    path = f"/process-instances/{instance_key}"
    instance = await engine.get(path)
    statistics, flows, incidents, children, variables = await asyncio.gather(
        engine.get(f"{path}/statistics/element-instances"),
        engine.get(f"{path}/sequence-flows"),
        engine.search(
            "incidents",
            {
                "filter": {"processInstanceKey": str(instance_key), "state": "ACTIVE"},
                "sort": [{"field": "creationTime"}],
                "page": {"limit": 100},
            },
        ),
        engine.search(
            "process-instances",
            {
                "filter": {"parentProcessInstanceKey": str(instance_key)},
                "sort": [{"field": "startDate"}],
                "page": {"limit": CHILD_LIMIT},
            },
        ),
        _variables(engine, instance_key),
    )
    called_from = await _call_activities(engine, instance_key) if children["items"] else {}
    digest = hashlib.sha256(
        json.dumps(sorted((v["variableKey"], v["value"]) for v in variables)).encode()
    ).hexdigest()
    return {
        "key": str(instance_key),
        "state": instance["state"],
        "stateLabel": STATE_LABELS.get(instance["state"], instance["state"]),
        "hasIncident": instance["hasIncident"],
        "processDefinitionId": instance["processDefinitionId"],
        "processDefinitionName": instance.get("processDefinitionName") or instance["processDefinitionId"],
        "processDefinitionKey": instance["processDefinitionKey"],
        "startDate": instance["startDate"],
        "endDate": instance.get("endDate"),
        "parentProcessInstanceKey": instance.get("parentProcessInstanceKey"),
        "elements": [
            {name: item[name] for name in ("elementId", "active", "incidents", "completed", "canceled")}
            for item in statistics["items"]
        ],
        "flows": sorted({flow["elementId"] for flow in flows["items"]}),
        "incidents": [
            {
                "incidentKey": incident["incidentKey"],
                "elementId": incident["elementId"],
                "errorType": incident["errorType"],
                "errorMessage": incident["errorMessage"],
                "jobKey": incident.get("jobKey"),
                "creationTime": incident["creationTime"],
            }
            for incident in incidents["items"]
        ],
        "children": [
            {
                "key": child["processInstanceKey"],
                "processDefinitionName": child.get("processDefinitionName") or child["processDefinitionId"],
                "state": child["state"],
                "stateLabel": STATE_LABELS.get(child["state"], child["state"]),
                "hasIncident": child["hasIncident"],
                "startDate": child["startDate"],
                # The call activity that called it, where the diagram links to it.
                "elementId": called_from.get(child.get("parentElementInstanceKey", "")),
            }
            for child in children["items"]
        ],
        "variablesDigest": digest,
    }


async def _call_activities(engine: EngineClient, instance_key: int) -> dict[str, str]:
    """The instance's call activity instances: element instance key -> element id."""
    found = await engine.search(
        "element-instances",
        {
            "filter": {"processInstanceKey": str(instance_key), "type": "CALL_ACTIVITY"},
            "page": {"limit": CHILD_LIMIT},
        },
    )
    return {item["elementInstanceKey"]: item["elementId"] for item in found["items"]}


async def _variables(engine: EngineClient, instance_key: int) -> list[dict[str, Any]]:
    found = await engine.search(
        "variables",
        {
            "filter": {"processInstanceKey": str(instance_key)},
            "sort": [{"field": "name"}],
            "page": {"limit": VARIABLE_LIMIT},
        },
    )
    items: list[dict[str, Any]] = found["items"]
    return items


def _parsed(value: str) -> Any:
    """A variable's value as JSON, or the text itself when the engine truncated it."""
    try:
        return json.loads(value)
    except ValueError:
        return value


@cache
def _privacy(config_dir: Path) -> PrivacyPolicy:
    return load_ledger_policy(config_dir).privacy


def _appellant_as_shown(value: Any, user: Principal, privacy: PrivacyPolicy) -> tuple[Any, bool]:
    """The `appellant` variable as the user may read it, and whether that is in the clear. An
    appellant is an object {name, phone, address, confidential} or, from some channels, a phone."""
    if isinstance(value, str):
        appellant = Appellant(name=None, phone=value, address=None, confidential=False)
    elif isinstance(value, dict):
        appellant = Appellant(
            name=_text(value.get("name")),
            phone=_text(value.get("phone")),
            address=_text(value.get("address")),
            confidential=bool(value.get("confidential")),
        )
    else:
        return value, False
    shown = shown_to(user.viewer, appellant, privacy)
    clear = shown == appellant and any((appellant.name, appellant.phone, appellant.address))
    if isinstance(value, str):
        return shown.phone, clear
    return {**value, "name": shown.name, "phone": shown.phone, "address": shown.address}, clear


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


# ------------------------------------------------------------------------------------ operations


async def _incident_of(engine: EngineClient, instance_key: int, incident_key: str) -> dict[str, Any]:
    """The incident, which must belong to this instance (a key from another is not found here)."""
    if not incident_key.isdigit():
        raise HTTPException(404, f"事件 {incident_key} 不存在")
    incident: dict[str, Any] = await engine.get(f"/incidents/{incident_key}")
    if incident["processInstanceKey"] != str(instance_key):
        raise HTTPException(404, f"流程实例 {instance_key} 没有事件 {incident_key}")
    if incident["state"] != "ACTIVE":
        raise HTTPException(409, "该事件已解决")
    return incident


@router.post("/api/instances/{key}/incidents/{incident_key}/retry")
async def retry_incident(
    request: Request, console: ConsoleDep, user: Operator, _csrf: CsrfDep, key: str, incident_key: str
) -> dict[str, str]:
    """Give the failed job one more try and resolve the incident, so a worker takes the job again."""
    instance_key = _instance_key(key)
    incident = await _incident_of(console.engine, instance_key, incident_key)
    job_key = incident.get("jobKey")
    if job_key:
        await console.engine.request("PATCH", f"/jobs/{job_key}", {"changeset": {"retries": 1}})
    await console.engine.post(f"/incidents/{incident_key}/resolution", {})
    audit(console, request, user, "retry-incident", str(instance_key), f"事件 {incident_key}")
    what = "已将任务重试次数设为1并解决事件，任务将重新执行" if job_key else "已解决事件，流程将继续执行"
    return {"message": what}


@router.post("/api/instances/{key}/incidents/{incident_key}/resolution")
async def resolve_incident(
    request: Request, console: ConsoleDep, user: Operator, _csrf: CsrfDep, key: str, incident_key: str
) -> dict[str, str]:
    instance_key = _instance_key(key)
    await _incident_of(console.engine, instance_key, incident_key)
    await console.engine.post(f"/incidents/{incident_key}/resolution", {})
    audit(console, request, user, "resolve-incident", str(instance_key), f"事件 {incident_key}")
    return {"message": "已将事件标记为解决"}


@router.post("/api/instances/{key}/cancellation")
async def cancel_instance(
    request: Request, console: ConsoleDep, user: Operator, _csrf: CsrfDep, key: str
) -> dict[str, str]:
    instance_key = _instance_key(key)
    instance = await console.engine.get(f"/process-instances/{instance_key}")
    if instance["state"] != "ACTIVE":
        raise HTTPException(409, f"流程实例已{STATE_LABELS.get(instance['state'], '结束')}，无法取消")
    await console.engine.post(f"/process-instances/{instance_key}/cancellation", {})
    audit(console, request, user, "cancel-instance", str(instance_key), instance["processDefinitionId"])
    return {"message": f"已取消流程实例 {instance_key}"}
