"""An engine elsewhere, seen and driven through the /v2 REST API (Camunda's Orchestration Cluster API).

Only endpoints of Camunda 8's API are used (plus `GET /v2/clock`, Minsheng's extension, when it is
there), so a handle made with `EngineHandle.connect` also works against a Camunda 8 cluster whose
clock control is enabled. What REST cannot tell, compared with the record log:

- an element instance is ACTIVE, COMPLETED or TERMINATED: `waiting_at()` lists the ACTIVE elements,
  except those held by an incident that is not a job's (stuck activating or completing; the log
  tells which, REST does not: their intent is STUCK_ON_INCIDENT);
- `passed` is ordered by end date (then key), and `taken_flows` stays empty;
- correlated messages need `/v2/correlated-message-subscriptions/search` (Camunda 8.8+), which
  Minsheng's engine does not serve: `has_correlated_message` then raises `NotInspectable`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from engine.runtime.entities import UserTask
from engine.store.instance_view import InstanceView, OpenIncident
from engine.testing.assertions import AssertionTimeout, Inspector, NotInspectable
from engine.testing.driver import Driver

# Items per search page; pages are followed with cursors until a short page.
_PAGE = 500
# `wait_until_idle`: the engine's answers must stay the same this long.
QUIET_S = 0.25
IDLE_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class EngineOption:
    """What `pytest --engine=... [--engine-rest=...]` asks for: `kind` is "embedded", "container"
    (camunda/camunda with testcontainers) or "remote" (a gateway at `gateway`, /v2 at `rest_url`)."""

    kind: str
    gateway: str = ""
    rest_url: str = ""

    @property
    def embedded(self) -> bool:
        return self.kind == "embedded"


CONTAINER_NAMES = ("testcontainers", "camunda")


def parse_engine_option(value: str, rest_url: str | None = None) -> EngineOption:
    """`embedded` (or empty), `testcontainers`/`camunda`, or `HOST:PORT` with the REST API at
    `rest_url`, by default `http://HOST:8080` (Camunda's); raises ValueError otherwise."""
    value = value.strip()
    if value in ("", "embedded"):
        return EngineOption("embedded")
    if value in CONTAINER_NAMES:
        return EngineOption("container")
    try:
        parts = urlsplit(f"//{value}")
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or port is None or parts.path or parts.query:
        raise ValueError(f"--engine={value}: expected embedded, testcontainers or HOST:PORT")
    return EngineOption("remote", f"{host}:{port}", (rest_url or f"http://{host}:8080").rstrip("/"))


def rest_client(rest_url: str, timeout: float = 20.0) -> httpx.Client:
    """A client for the /v2 API at `rest_url` (e.g. `http://127.0.0.1:8080`, with or without /v2)."""
    base = rest_url.rstrip("/")
    if not base.endswith("/v2"):
        base += "/v2"
    return httpx.Client(base_url=base, timeout=timeout)


def epoch_ms(text: str | None) -> int:
    if not text:
        return 0
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def _key(text: str | None) -> int | None:
    return int(text) if text not in (None, "") else None


def _check(answer: httpx.Response, what: str) -> httpx.Response:
    if answer.is_error:
        raise RuntimeError(f"{what}: {answer.status_code} {answer.text}")
    return answer


class RestApi:
    """The searches and commands the handle needs, over one (thread-safe) httpx client."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def search(
        self, resource: str, filter: dict[str, Any], limit: int = _PAGE, **params: Any
    ) -> dict[str, Any]:
        body = {"filter": filter, "page": {"limit": limit}}
        answer = _check(self.http.post(f"/{resource}/search", json=body, params=params), f"{resource} search")
        found: dict[str, Any] = answer.json()
        return found

    def search_all(self, resource: str, filter: dict[str, Any], **params: Any) -> Iterator[dict[str, Any]]:
        page: dict[str, Any] = {"limit": _PAGE}
        while True:
            body = {"filter": filter, "page": page}
            answer = self.http.post(f"/{resource}/search", json=body, params=params)
            if answer.status_code in (404, 405):
                raise NotInspectable(
                    f"the engine at {self.http.base_url} does not serve POST /v2/{resource}/search"
                )
            result = _check(answer, f"{resource} search").json()
            yield from result["items"]
            cursor = result.get("page", {}).get("endCursor")
            if len(result["items"]) < _PAGE or not cursor:
                return
            page = {"limit": _PAGE, "after": cursor}

    def total(self, resource: str, filter: dict[str, Any]) -> int:
        total: int = self.search(resource, filter, limit=1)["page"]["totalItems"]
        return total


class RestInspector(Inspector):
    """Instances as the REST searches tell them: element instances, variables, incidents."""

    def __init__(self, api: RestApi) -> None:
        self.api = api

    def view(self, key: int) -> InstanceView:
        view = InstanceView(key)
        # The instance first: once it has ended, what is read after it is final.
        answer = self.api.http.get(f"/process-instances/{key}")
        if answer.status_code == 404:
            return view
        instance = _check(answer, f"process instance {key}").json()
        view.bpmn_process_id = instance["processDefinitionId"]
        view.state = instance["state"]
        of_instance = {"processInstanceKey": str(key)}
        for incident in self.api.search_all("incidents", {**of_instance, "state": "ACTIVE"}):
            incident_key = int(incident["incidentKey"])
            view.incidents[incident_key] = OpenIncident(
                incident_key,
                incident["errorType"],
                incident["errorMessage"],
                incident["elementId"],
                int(incident["elementInstanceKey"]),
                _key(incident.get("jobKey")) or -1,
            )
        ended: list[tuple[int, int, str, str]] = []
        for element in self.api.search_all("element-instances", of_instance):
            element_key = int(element["elementInstanceKey"])
            if element_key == key or element["type"] == "PROCESS":
                continue
            if element["state"] == "ACTIVE":
                view.active[element_key] = (element["elementId"], _active_intent(element, view.incidents))
            else:
                ended.append(
                    (epoch_ms(element["endDate"]), element_key, element["elementId"], element["state"])
                )
        for _, _, element_id, state in sorted(ended):
            (view.passed if state == "COMPLETED" else view.terminated).append(element_id)
        scope = {"scopeKey": str(key)}
        for variable in self.api.search_all("variables", scope, truncateValues="false"):
            view.variables[variable["name"]] = json.loads(variable["value"])
        return view

    def correlated_messages(self, key: int) -> list[str]:
        try:
            found = list(
                self.api.search_all("correlated-message-subscriptions", {"processInstanceKey": str(key)})
            )
        except NotInspectable as missing:
            raise NotInspectable(
                f"{missing}: correlated messages can only be asserted with an embedded or attached handle "
                "(one that reads the engine's database)"
            ) from None
        found.sort(key=lambda item: (epoch_ms(item.get("correlationTime")), str(item.get("messageKey"))))
        return [str(item["messageName"]) for item in found]


def _active_intent(element: dict[str, Any], incidents: dict[int, OpenIncident]) -> str:
    """An active element waits (ELEMENT_ACTIVATED) unless an incident other than its job's holds it:
    then it is stuck activating or completing, which REST does not tell apart (STUCK_ON_INCIDENT)."""
    incident = incidents.get(_key(element.get("incidentKey")) or -1)
    return "STUCK_ON_INCIDENT" if incident is not None and incident.job_key < 0 else "ELEMENT_ACTIVATED"


def user_task(item: dict[str, Any]) -> UserTask:
    """A user task of the REST API, as the engine's own entity."""
    return UserTask(
        key=int(item["userTaskKey"]),
        element_instance_key=int(item["elementInstanceKey"]),
        process_instance_key=int(item["processInstanceKey"]),
        bpmn_process_id=item["processDefinitionId"],
        process_definition_key=int(item["processDefinitionKey"]),
        version=int(item.get("processDefinitionVersion") or 0),
        element_id=item["elementId"],
        created_at=epoch_ms(item.get("creationDate")),
        assignee=item.get("assignee"),
        candidate_groups=tuple(item.get("candidateGroups") or ()),
        candidate_users=tuple(item.get("candidateUsers") or ()),
        due_date=item.get("dueDate"),
        follow_up_date=item.get("followUpDate"),
        priority=int(item.get("priority", 50)),
        form_key=_key(item.get("formKey")),
        external_form_reference=item.get("externalFormReference"),
        custom_headers=dict(item.get("customHeaders") or {}),
    )


class RestDriver(Driver):
    """The clock, idling and user tasks of an engine elsewhere, through REST.

    The clock is moved by pinning it (`PUT /v2/clock`): after `increase_time` or `set_time` it stands
    still until moved again or `reset_time()`, unlike an embedded engine's clock, which keeps running
    from where it was moved to.
    """

    def __init__(self, api: RestApi) -> None:
        self.api = api
        self._pinned: int | None = None

    def now_ms(self) -> int:
        """`GET /v2/clock` where the engine serves it; else the time pinned last, else wall time."""
        answer = self.api.http.get("/clock")
        if answer.status_code == 200:
            timestamp: int = answer.json()["timestamp"]
            return timestamp
        return self._pinned if self._pinned is not None else int(time.time() * 1000)

    def set_time(self, epoch_ms: int) -> None:
        answer = self.api.http.put("/clock", json={"timestamp": epoch_ms})
        _check(answer, "pinning the clock (is the engine's clock control enabled?)")
        self._pinned = epoch_ms

    def increase_time(self, milliseconds: int) -> None:
        if milliseconds < 0:
            raise ValueError(f"the clock only moves forward, got {milliseconds} ms")
        self.set_time(self.now_ms() + milliseconds)

    def reset_time(self) -> None:
        _check(self.api.http.post("/clock/reset"), "resetting the clock")
        self._pinned = None

    def fingerprint(self) -> tuple[int, ...]:
        """Counts that change whenever the engine does something a test can see."""
        api = self.api
        return (
            api.total("process-instances", {}),
            api.total("process-instances", {"state": "ACTIVE"}),
            api.total("element-instances", {}),
            api.total("element-instances", {"state": "ACTIVE"}),
            api.total("variables", {}),
            api.total("incidents", {"state": "ACTIVE"}),
            api.total("user-tasks", {"state": "CREATED"}),
            api.total("jobs", {}),
        )

    async def wait_until_idle(self, quiet: float = QUIET_S, timeout: float = IDLE_TIMEOUT_S) -> None:
        """Best effort: pin the clock (so wall time makes nothing more due), then wait until the
        engine's answers (counts of instances, element instances, variables, incidents, user tasks,
        jobs) stay the same for `quiet` seconds.

        What it guarantees: nothing the searches count changed during the last `quiet` seconds. Work
        due at the pinned time is normally done well within that (the engine fires due timers as soon
        as the clock moves), but unlike the embedded engine's `wait_until_idle` nothing proves it:
        prefer the polling assertions, and use this before asserting that something did *not* happen.
        It fails with `AssertionTimeout` when the engine keeps changing (e.g. busy workers).
        """
        if self._pinned is None:
            await asyncio.to_thread(lambda: self.set_time(self.now_ms()))
        give_up = time.monotonic() + timeout
        last = await asyncio.to_thread(self.fingerprint)
        since = time.monotonic()
        while True:
            await asyncio.sleep(quiet / 5)
            now = await asyncio.to_thread(self.fingerprint)
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            if time.monotonic() >= give_up:
                raise AssertionTimeout(
                    f"expected the engine at {self.api.http.base_url} to settle within {timeout:g} s, "
                    f"but it kept changing (last counts {now})"
                )

    def called_instances(self, process_instance_key: int) -> list[int]:
        """The instance and, down the chain of call activities, every active instance it called."""
        found, pending = [process_instance_key], [process_instance_key]
        while pending:
            for key in self._called_by(pending.pop()):
                if key not in found:
                    found.append(key)
                    pending.append(key)
        return found

    def _called_by(self, key: int) -> set[int]:
        active = {"state": "ACTIVE"}
        children = {
            int(child["processInstanceKey"])
            for child in self.api.search_all(
                "process-instances", {**active, "parentProcessInstanceKey": str(key)}
            )
        }
        if children:
            return children
        # Camunda fills parentProcessInstanceKey; an engine that leaves it empty is still found
        # through the instance's active call activities (parentElementInstanceKey).
        calls = {"processInstanceKey": str(key), "type": "CALL_ACTIVITY", **active}
        for call in self.api.search_all("element-instances", calls):
            of_call = {**active, "parentElementInstanceKey": str(call["elementInstanceKey"])}
            children.update(
                int(child["processInstanceKey"])
                for child in self.api.search_all("process-instances", of_call)
            )
        return children

    async def user_tasks(self, process_instance_key: int) -> list[UserTask]:
        """As the embedded driver: a task of a called process belongs to its callers too."""

        def search() -> list[UserTask]:
            tasks = [
                user_task(item)
                for key in self.called_instances(process_instance_key)
                for item in self.api.search_all(
                    "user-tasks", {"processInstanceKey": str(key), "state": "CREATED"}
                )
            ]
            return sorted(tasks, key=lambda task: task.key)

        return await asyncio.to_thread(search)

    def active_root_instances(self) -> set[int]:
        return {
            int(instance["processInstanceKey"])
            for instance in self.api.search_all("process-instances", {"state": "ACTIVE"})
            if instance.get("parentProcessInstanceKey") in (None, "")
            and instance.get("parentElementInstanceKey") in (None, "")
        }

    def cancel_active_instances(self, keep: set[int]) -> list[int]:
        """Cancel the active root instances except `keep` (their called instances end with them).

        Tests that share an engine elsewhere call this when they end, keeping what was active when
        they began: what one test left waiting must not take the messages, jobs and timers of the next.
        """
        cancelled = []
        for key in sorted(self.active_root_instances() - keep):
            answer = self.api.http.post(f"/process-instances/{key}/cancellation", json={})
            if answer.status_code != 404:  # 404: it ended meanwhile
                _check(answer, f"cancelling process instance {key}")
            cancelled.append(key)
        return cancelled

    async def complete_user_task(self, user_task_key: int, variables: dict[str, Any]) -> None:
        def complete() -> None:
            answer = self.api.http.post(
                f"/user-tasks/{user_task_key}/completion", json={"variables": variables}
            )
            _check(answer, f"completing user task {user_task_key}")

        await asyncio.to_thread(complete)

    def close(self) -> None:
        self.api.http.close()
