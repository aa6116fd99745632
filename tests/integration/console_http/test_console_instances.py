"""Live processes: the instance list, an instance on its diagram kept current by Server-Sent Events,
incidents retried and resolved, cancellation, and who may see and do which."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from console_support import ConsoleStack
from pyzeebe import ZeebeClient, create_insecure_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from console.routes.instances import LiveStreams
from engine.testing.handle import EngineHandle
from workers.ids import HotlineTicket, ProcessId, UnitHandling

NOISE: dict[str, Any] = {
    "title": "酒吧噪音扰民",
    "content": "楼下酒吧每晚噪音扰民到凌晨，投诉多次仍未解决，请尽快处理",
    "appellant": {"name": "张三", "phone": "13800001111", "address": "铁东区某小区3栋"},
}
# A service task whose job type no worker subscribes to: its job fails only when the test fails it.
NOBODY = "minsheng.test.nobody"
BROKEN_PROCESS = "console-broken-call"
BROKEN_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
    id="defs" targetNamespace="http://minsheng.test">
  <bpmn:process id="{BROKEN_PROCESS}" name="外部接口调用" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="CallOutsideTask" name="调用外部接口">
      <bpmn:extensionElements><zeebe:taskDefinition type="{NOBODY}"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="toCall" sourceRef="start" targetRef="CallOutsideTask"/>
    <bpmn:sequenceFlow id="toEnd" sourceRef="CallOutsideTask" targetRef="end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="{BROKEN_PROCESS}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="100" y="100" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="call_di" bpmnElement="CallOutsideTask">
        <dc:Bounds x="200" y="78" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end">
        <dc:Bounds x="370" y="100" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="toCall_di" bpmnElement="toCall">
        <di:waypoint x="136" y="118"/><di:waypoint x="200" y="118"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="toEnd_di" bpmnElement="toEnd">
        <di:waypoint x="300" y="118"/><di:waypoint x="370" y="118"/>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
FAILURE = "外部接口无响应（连接超时）"
# Everything of an instance the console offers, as (method, path template).
ENDPOINTS = (
    ("GET", "/instances"),
    ("GET", "/instances/{key}"),
    ("GET", "/api/instances/{key}"),
    ("GET", "/api/instances/{key}/diagram"),
    ("GET", "/api/instances/{key}/variables"),
    ("GET", "/api/instances/{key}/events"),
    ("POST", "/api/instances/{key}/incidents/1/retry"),
    ("POST", "/api/instances/{key}/incidents/1/resolution"),
    ("POST", "/api/instances/{key}/cancellation"),
)


async def start_ticket(engine: EngineHandle, client: ZeebeClient) -> int:
    """A hotline ticket received on Friday 25 September 2026, waiting at the operator's intake."""
    engine.set_time(int(datetime(2026, 9, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000))
    started = await client.run_process(ProcessId.HOTLINE_TICKET, NOISE)
    await engine.is_waiting_at(started.process_instance_key, HotlineTicket.INTAKE)
    return started.process_instance_key


def dispatch_form(engine: EngineHandle, key: int) -> dict[str, Any]:
    variables = engine.instance(key).variables
    return {
        "intakeAction": "dispatch",
        "category": variables["category"],
        "leadUnit": variables["leadUnit"],
        "coUnits": variables["coUnits"],
    }


def counts_of(snapshot: dict[str, Any], element_id: str) -> dict[str, int]:
    found = [item for item in snapshot["elements"] if item["elementId"] == element_id]
    return found[0] if found else {"active": 0, "incidents": 0, "completed": 0, "canceled": 0}


async def snapshots(stream: httpx.Response) -> Any:
    """The `snapshot` events of an open event stream, parsed, as they arrive."""
    event = None
    async for line in stream.aiter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "snapshot":
            yield json.loads(line.removeprefix("data: "))


async def broken_instance(engine: EngineHandle, client: ZeebeClient, deploy: Any) -> tuple[int, int]:
    """An instance whose only job failed with no retries left: (instance key, job key)."""
    await deploy(("broken.bpmn", BROKEN_BPMN))
    started = await client.run_process(BROKEN_PROCESS, {"caseNumber": "TEST-INCIDENT-1"})
    job = await activate_once(engine, started.process_instance_key)
    channel = create_insecure_channel(engine.address)
    try:
        await GatewayStub(channel).FailJob(pb.FailJobRequest(jobKey=job.key, retries=0, errorMessage=FAILURE))
    finally:
        await channel.close()
    return started.process_instance_key, job.key


async def activate_once(engine: EngineHandle, instance_key: int, within_s: float = 10.0) -> pb.ActivatedJob:
    """Take the instance's job of type NOBODY as a worker would, waiting until it is activatable."""
    channel = create_insecure_channel(engine.address)
    gateway = GatewayStub(channel)
    give_up = time.monotonic() + within_s
    try:
        while True:
            request = pb.ActivateJobsRequest(
                type=NOBODY, worker="console-test", timeout=60_000, maxJobsToActivate=1, requestTimeout=1_000
            )
            async for response in gateway.ActivateJobs(request, timeout=15):
                for job in response.jobs:
                    assert job.processInstanceKey == instance_key, "a job of another instance was activated"
                    activated: pb.ActivatedJob = job
                    return activated
            assert time.monotonic() < give_up, f"no job of type {NOBODY} became activatable in {within_s} s"
    finally:
        await channel.close()


# ------------------------------------------------------------------------------------- list, page


async def test_the_list_shows_instances_by_process_with_counts_and_filters(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    key = await start_ticket(console.engine, client)
    supervisor = await console.client("supervisor")
    page = await supervisor.get("/instances")
    assert page.status_code == 200, page.text[:300]
    assert 'data-testid="process-counts"' in page.text
    assert "12345热线工单" in page.text, "the process is not named by its deployed (Chinese) name"
    assert f'data-key="{key}"' in page.text, "the running ticket is not among the active instances"
    row = page.text.split(f'data-process="{ProcessId.HOTLINE_TICKET}"')[1].split("</tr>")[0]
    assert '<td data-testid="count-active">1</td>' in row, f"expected one running hotline ticket, got {row}"
    case_number = console.engine.instance(key).variables["caseNumber"]
    instance_row = page.text.split(f'data-key="{key}"')[1].split("</tr>")[0]
    assert f'<a href="/cases/{case_number}" data-testid="instance-case-link">' in instance_row, (
        f"the instance's case number does not lead to its case page: {instance_row}"
    )

    other = await supervisor.get("/instances", params={"process": ProcessId.FORUM_POST, "state": "all"})
    assert f'data-key="{key}"' not in other.text, "a hotline ticket shows under another process"
    finished = await supervisor.get("/instances", params={"state": "completed"})
    assert f'data-key="{key}"' not in finished.text, "a running instance shows among the completed ones"
    with_incident = await supervisor.get("/instances", params={"state": "all", "incident": "true"})
    assert f'data-key="{key}"' not in with_incident.text, "an instance without incident shows as failed"
    await supervisor.aclose()


async def test_the_instance_page_and_its_snapshot_show_where_the_ticket_stands(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    key = await start_ticket(console.engine, client)
    supervisor = await console.client("supervisor")
    page = await supervisor.get(f"/instances/{key}")
    assert page.status_code == 200, page.text[:300]
    assert 'id="instance-diagram"' in page.text and f'data-instance-key="{key}"' in page.text
    assert 'data-definition-key="' in page.text and "bpmn-navigated-viewer.production.min.js" in page.text
    assert 'data-testid="instance-cancel"' in page.text, "a supervisor is not offered to cancel"
    process = page.text.split('data-testid="instance-process">')[1].split("</dd>")[0]
    assert process.startswith("12345热线工单 · 版本"), f"the process is not named in Chinese first: {process}"

    snapshot = (await supervisor.get(f"/api/instances/{key}")).json()
    assert snapshot["state"] == "ACTIVE" and snapshot["processDefinitionName"] == "12345热线工单"
    assert counts_of(snapshot, HotlineTicket.INTAKE)["active"] == 1, f"IntakeTask not active in {snapshot}"
    assert counts_of(snapshot, HotlineTicket.TICKET_RECEIVED)["completed"] == 1
    assert snapshot["flows"], "no taken sequence flow is reported for a ticket past its start"
    assert snapshot["incidents"] == [] and snapshot["children"] == []

    diagram = await supervisor.get(f"/api/instances/{key}/diagram")
    assert diagram.status_code == 200 and HotlineTicket.INTAKE in diagram.text
    await supervisor.aclose()


async def test_variables_mask_the_appellant_unless_the_role_may_read_it_and_clear_views_are_audited(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    key = await start_ticket(console.engine, client)
    admin = await console.client("admin")
    masked = {v["name"]: v for v in (await admin.get(f"/api/instances/{key}/variables")).json()["items"]}
    assert "张三" not in masked["appellant"]["value"] and "张**" in masked["appellant"]["value"]
    assert "13800001111" not in masked["appellant"]["value"]
    assert not console.store.audit_log(username="admin"), "a masked view was written to the audit log"

    supervisor = await console.client("supervisor")
    clear = {v["name"]: v for v in (await supervisor.get(f"/api/instances/{key}/variables")).json()["items"]}
    assert "张三" in clear["appellant"]["value"], "the supervision office reads appellants in the clear"
    assert clear["title"]["value"] == json.dumps(NOISE["title"], ensure_ascii=False)
    entries = console.store.audit_log(username="supervisor")
    assert [entry.action for entry in entries] == ["view-appellant"], "the clear view was not audited"
    await admin.aclose()
    await supervisor.aclose()


# -------------------------------------------------------------------------------------------- live


async def test_the_event_stream_delivers_the_move_within_a_second(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    engine = console.engine
    key = await start_ticket(engine, client)
    supervisor = await console.client("supervisor")
    async with asyncio.timeout(30), supervisor.stream("GET", f"/api/instances/{key}/events") as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = snapshots(stream)
        first = await anext(events)
        assert counts_of(first, HotlineTicket.INTAKE)["active"] == 1, f"IntakeTask not active in {first}"
        assert LiveStreams.open == 1, "the open stream is not counted"

        await engine.complete_user_task(key, HotlineTicket.INTAKE, dispatch_form(engine, key))
        moved_at = time.monotonic()
        async with asyncio.timeout(1.0):
            while counts_of(snapshot := await anext(events), HotlineTicket.INTAKE)["active"]:
                pass
        took = time.monotonic() - moved_at
        assert counts_of(snapshot, HotlineTicket.INTAKE)["completed"] == 1
        assert took < 1.0, f"the page learnt of the move after {took:.2f} s"

        # The ticket goes on to the unit's handling: the called instance appears as a child.
        async with asyncio.timeout(10):
            while not snapshot["children"]:
                snapshot = await anext(events)
        child = snapshot["children"][0]
        assert child["processDefinitionName"] == "承办单位办理"
        assert child["elementId"] == HotlineTicket.UNIT_HANDLING, "the child is not tied to its call activity"
        await events.aclose()
    await supervisor.aclose()

    # The client went away: the console stops polling the engine for it.
    give_up = time.monotonic() + 5
    while LiveStreams.open and time.monotonic() < give_up:
        await asyncio.sleep(0.05)
    assert LiveStreams.open == 0, "the stream kept polling after its client disconnected"

    centre = await console.client("centre")
    child_page = await centre.get(f"/instances/{child['key']}")
    assert child_page.status_code == 200 and f'href="/instances/{key}"' in child_page.text, (
        "the called instance's page does not link to the ticket that called it"
    )
    child_snapshot = (await centre.get(f"/api/instances/{child['key']}")).json()
    assert child_snapshot["parentProcessInstanceKey"] == str(key)
    assert counts_of(child_snapshot, UnitHandling.SIGN_FOR)["active"] == 1
    await centre.aclose()


# ----------------------------------------------------------------------------------- operations


async def test_an_incident_is_shown_and_retried_from_the_console(
    console: ConsoleStack, client: ZeebeClient, deploy: Any
) -> None:
    key, job_key = await broken_instance(console.engine, client, deploy)
    supervisor = await console.client("supervisor")
    snapshot: dict[str, Any] = {}
    give_up = time.monotonic() + 10
    while not snapshot.get("incidents") and time.monotonic() < give_up:
        snapshot = (await supervisor.get(f"/api/instances/{key}")).json()
        await asyncio.sleep(0.05)
    assert snapshot["hasIncident"], f"the failed job raised no incident: {snapshot}"
    [incident] = snapshot["incidents"]
    assert incident["elementId"] == "CallOutsideTask" and incident["errorMessage"] == FAILURE
    assert incident["jobKey"] == str(job_key)
    assert counts_of(snapshot, "CallOutsideTask")["incidents"] == 1

    failed = await supervisor.get("/instances", params={"state": "active", "incident": "true"})
    assert f'data-key="{key}"' in failed.text, "the failed instance is not listed among those with incident"

    centre = await console.client("centre")
    refused = await centre.post(f"/api/instances/{key}/incidents/{incident['incidentKey']}/retry")
    assert refused.status_code == 403, "a role without instances.operate retried an incident"

    other = await client.run_process(BROKEN_PROCESS, {})
    elsewhere = await supervisor.post(
        f"/api/instances/{other.process_instance_key}/incidents/{incident['incidentKey']}/retry"
    )
    assert elsewhere.status_code == 404, "an incident was retried through another instance's page"
    cancelled = await supervisor.post(f"/api/instances/{other.process_instance_key}/cancellation")
    assert cancelled.status_code == 200, f"could not cancel the second instance: {cancelled.text}"

    answer = await supervisor.post(f"/api/instances/{key}/incidents/{incident['incidentKey']}/retry")
    assert answer.status_code == 200, answer.text
    assert "重试" in answer.json()["message"]
    after = (await supervisor.get(f"/api/instances/{key}")).json()
    assert after["incidents"] == [] and not after["hasIncident"], f"the incident is still open: {after}"
    again = await activate_once(console.engine, key)
    assert again.key == job_key and again.retries == 1, "the job was not given one more try"

    resolved_again = await supervisor.post(f"/api/instances/{key}/incidents/{incident['incidentKey']}/retry")
    assert resolved_again.status_code == 409, "a resolved incident was resolved a second time"
    await supervisor.aclose()
    await centre.aclose()


async def test_cancel_needs_instances_operate_and_the_csrf_token(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    key = await start_ticket(console.engine, client)
    centre = await console.client("centre")
    page = await centre.get(f"/instances/{key}")
    assert page.status_code == 200 and 'data-testid="instance-cancel"' not in page.text, (
        "the hotline centre may watch but is offered to cancel"
    )
    refused = await centre.post(f"/api/instances/{key}/cancellation")
    assert refused.status_code == 403, "the hotline centre (no instances.operate) cancelled an instance"

    supervisor = await console.client("supervisor")
    token = supervisor.headers.pop("X-CSRF-Token")
    forged = await supervisor.post(f"/api/instances/{key}/cancellation")
    assert forged.status_code == 403, "a cancellation without the CSRF token was accepted"
    supervisor.headers["X-CSRF-Token"] = token
    answer = await supervisor.post(f"/api/instances/{key}/cancellation")
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"] == f"已取消流程实例 {key}"
    assert (await supervisor.get(f"/api/instances/{key}")).json()["state"] == "TERMINATED"
    twice = await supervisor.post(f"/api/instances/{key}/cancellation")
    assert twice.status_code == 409 and "已终止" in twice.json()["detail"]
    terminated = await supervisor.get("/instances", params={"state": "terminated"})
    assert f'data-key="{key}"' in terminated.text
    await centre.aclose()
    await supervisor.aclose()


# -------------------------------------------------------------------------------- authorisation


@pytest.mark.parametrize("username", ["zhujian", "operator", "leader"])
async def test_users_without_the_instances_permission_are_refused_everywhere(
    console: ConsoleStack, client: ZeebeClient, username: str
) -> None:
    key = await start_ticket(console.engine, client)
    user = await console.client(username)
    for method, path in ENDPOINTS:
        answer = await user.request(method, path.format(key=key))
        assert answer.status_code == 403, f"{username}: {method} {path} answered {answer.status_code}"
    listed = await user.get("/")
    assert "流程监控" not in listed.text, f"{username} is offered the live process view"
    await user.aclose()


async def test_an_unknown_or_malformed_key_is_not_found(console: ConsoleStack) -> None:
    supervisor = await console.client("supervisor")
    for path in ("/api/instances/2251799813999999", "/api/instances/abc", "/instances/1;drop"):
        answer = await supervisor.get(path)
        assert answer.status_code == 404, f"{path} answered {answer.status_code}"
    await supervisor.aclose()
