"""The /v2 REST API: every endpoint, its JSON shapes and its errors, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from diagrams import Diagram, form, one_task, waits_for_message
from rest_fixtures import RestEngine


def gateway_incident(process_id: str) -> Diagram:
    """A process whose exclusive gateway raises a CONDITION_ERROR incident when `x` is not above 1."""
    return (
        Diagram(process_id)
        .start()
        .exclusive("gw")
        .end("high")
        .chain("start", "gw")
        .flow("gw", "high", condition="=x > 1")
    )


def started_form(process_id: str, form_id: str) -> Diagram:
    start = (
        f'<bpmn:startEvent id="start"><bpmn:extensionElements><zeebe:formDefinition formId="{form_id}"/>'
        "</bpmn:extensionElements></bpmn:startEvent>"
    )
    return Diagram(process_id).raw(start).end().chain("start", "end")


def is_iso(text: str) -> bool:
    return datetime.fromisoformat(text).tzinfo is not None


# ----------------------------------------------------------------------------------------- cluster


async def test_topology_and_openapi(rest_sqlite: RestEngine) -> None:
    answer = await rest_sqlite.client.get("/topology")
    assert answer.status_code == 200
    topology = answer.json()
    assert topology["clusterSize"] == 1 and topology["partitionsCount"] == 1
    assert topology["brokers"][0]["partitions"] == [{"partitionId": 1, "role": "leader", "health": "healthy"}]
    assert topology["brokers"][0]["port"] == rest_sqlite.running.port
    spec = (await rest_sqlite.client.get("/openapi.json")).json()
    for path in (
        "/v2/topology",
        "/v2/deployments",
        "/v2/process-definitions/search",
        "/v2/process-instances/{processInstanceKey}/cancellation",
        "/v2/element-instances/search",
        "/v2/variables/{variableKey}",
        "/v2/incidents/{incidentKey}/resolution",
        "/v2/jobs/search",
        "/v2/messages/publication",
        "/v2/clock/reset",
        "/v2/user-tasks/{userTaskKey}/assignee",
    ):
        assert path in spec["paths"], f"{path} missing from the OpenAPI description"


async def test_clock_pin_and_reset(rest_sqlite: RestEngine) -> None:
    client = rest_sqlite.client
    assert (await client.put("/clock", json={"timestamp": 1_700_000_000_000})).status_code == 204
    assert rest_sqlite.clock.now_ms() == 1_700_000_000_000
    assert (await client.get("/clock")).json() == {"timestamp": 1_700_000_000_000}
    assert (await client.post("/clock/reset")).status_code == 204
    assert abs(rest_sqlite.clock.now_ms() - datetime.now(UTC).timestamp() * 1000) < 5_000
    bad = await client.put("/clock", json={"timestamp": "soon"})
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"


async def test_clock_control_is_forbidden_unless_enabled(sqlite_url: str) -> None:
    from rest_fixtures import _start

    async for engine in _start(sqlite_url, clock_control=False):
        answer = await engine.client.put("/clock", json={"timestamp": 1})
        assert answer.status_code == 403, answer.text
        assert answer.json()["status"] == 403 and answer.json()["instance"] == "/v2/clock"
        assert (await engine.client.post("/clock/reset")).status_code == 403


# ------------------------------------------------------------------------------------- deployments


async def test_deploy_processes_and_forms(rest: RestEngine) -> None:
    result = await rest.deploy(one_task("deployed", "work").file(), ("review.form", form("review")))
    assert result["tenantId"] == "<default>" and result["deploymentKey"].isdigit()
    process, deployed_form = result["deployments"]
    assert process["processDefinition"]["processDefinitionId"] == "deployed"
    assert process["processDefinition"]["processDefinitionVersion"] == 1
    assert process["processDefinition"]["resourceName"] == "deployed.bpmn"
    # Camunda's schema has no nulls here: an entry holds only the kind of resource it is.
    assert set(process) == {"processDefinition"} and set(deployed_form) == {"form"}
    assert deployed_form["form"]["formId"] == "review" and deployed_form["form"]["formKey"].isdigit()


async def test_invalid_deployment_is_400_with_the_engine_message(rest_sqlite: RestEngine) -> None:
    answer = await rest_sqlite.client.post(
        "/deployments", files=[("resources", ("broken.bpmn", b"<bpmn:definitions"))]
    )
    assert answer.status_code == 400
    problem = answer.json()
    assert problem["title"] == "INVALID_ARGUMENT" and problem["status"] == 400
    assert "Expected to deploy new resources" in problem["detail"] and "broken.bpmn" in problem["detail"]
    assert problem["instance"] == "/v2/deployments"
    missing = await rest_sqlite.client.post("/deployments")
    assert missing.status_code == 400


# ----------------------------------------------------------------------------- process definitions


async def test_process_definitions_search_get_xml_and_start_form(rest: RestEngine) -> None:
    await rest.deploy(one_task("alpha", "a").file())
    second = await rest.deploy(one_task("alpha", "a2").file())
    await rest.deploy(started_form("beta", "intake").file(), ("intake.form", form("intake")))
    everything = await rest.search("process-definitions")
    assert everything["page"]["totalItems"] == 3
    latest = await rest.search("process-definitions", {"filter": {"isLatestVersion": True}})
    assert sorted((d["processDefinitionId"], d["version"]) for d in latest["items"]) == [
        ("alpha", 2),
        ("beta", 1),
    ]
    by_version = await rest.search(
        "process-definitions",
        {"sort": [{"field": "version", "order": "DESC"}], "filter": {"processDefinitionId": "alpha"}},
    )
    assert [d["version"] for d in by_version["items"]] == [2, 1]

    key = second["deployments"][0]["processDefinition"]["processDefinitionKey"]
    definition = (await rest.client.get(f"/process-definitions/{key}")).json()
    # Without a name or version tag, the fields are left out (Camunda's schema has no nulls).
    assert definition == {
        "resourceName": "alpha.bpmn",
        "version": 2,
        "processDefinitionId": "alpha",
        "tenantId": "<default>",
        "processDefinitionKey": key,
        "hasStartForm": False,
    }
    xml = await rest.client.get(f"/process-definitions/{key}/xml")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("text/xml")
    assert 'id="alpha"' in xml.text
    assert (await rest.client.get(f"/process-definitions/{key}/form")).status_code == 204

    beta = (await rest.search("process-definitions", {"filter": {"processDefinitionId": "beta"}}))["items"][0]
    assert beta["hasStartForm"] is True
    start_form = (await rest.client.get(f"/process-definitions/{beta['processDefinitionKey']}/form")).json()
    assert start_form["formId"] == "intake" and start_form["schema"]["id"] == "intake"
    assert start_form["version"] == 1 and start_form["tenantId"] == "<default>"


async def test_unknown_or_malformed_definition_keys(rest_sqlite: RestEngine) -> None:
    missing = await rest_sqlite.client.get("/process-definitions/123456")
    assert missing.status_code == 404 and missing.json()["title"] == "NOT_FOUND"
    malformed = await rest_sqlite.client.get("/process-definitions/abc")
    assert malformed.status_code == 400 and "not a valid key" in malformed.json()["detail"]
    assert (await rest_sqlite.client.get("/process-definitions/123456/xml")).status_code == 404


# ------------------------------------------------------------------------------- process instances


async def test_create_get_search_and_cancel_instances(rest: RestEngine) -> None:
    deployed = await rest.deploy(one_task("order", "pack").file())
    definition_key = deployed["deployments"][0]["processDefinition"]["processDefinitionKey"]
    created = await rest.client.post(
        "/process-instances", json={"processDefinitionKey": definition_key, "variables": {"n": 1}}
    )
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["processDefinitionId"] == "order" and body["processDefinitionVersion"] == 1
    assert body["processDefinitionKey"] == definition_key and body["variables"] == {}
    key = body["processInstanceKey"]
    other = await rest.start("order")

    instance = (await rest.client.get(f"/process-instances/{key}")).json()
    assert instance["state"] == "ACTIVE" and "endDate" not in instance and is_iso(instance["startDate"])
    assert instance["hasIncident"] is False and instance["processInstanceKey"] == key

    assert (await rest.client.post(f"/process-instances/{key}/cancellation")).status_code == 204
    cancelled = (await rest.client.get(f"/process-instances/{key}")).json()
    assert cancelled["state"] == "TERMINATED" and is_iso(cancelled["endDate"])

    active = await rest.search("process-instances", {"filter": {"state": "ACTIVE"}})
    assert [i["processInstanceKey"] for i in active["items"]] == [other]
    ended = await rest.search(
        "process-instances", {"filter": {"state": {"$in": ["COMPLETED", "TERMINATED"]}}}
    )
    assert [i["processInstanceKey"] for i in ended["items"]] == [key]
    with_variable = await rest.search(
        "process-instances", {"filter": {"variables": [{"name": "n", "value": "1"}]}}
    )
    assert [i["processInstanceKey"] for i in with_variable["items"]] == [key]

    again = await rest.client.post(f"/process-instances/{key}/cancellation")
    assert again.status_code == 404 and "Expected to cancel" in again.json()["detail"]


async def test_create_instance_errors(rest_sqlite: RestEngine) -> None:
    client = rest_sqlite.client
    unknown = await client.post("/process-instances", json={"processDefinitionId": "nope"})
    assert unknown.status_code == 404 and "nope" in unknown.json()["detail"]
    neither = await client.post("/process-instances", json={"variables": {}})
    assert neither.status_code == 400
    bad_json = await client.post(
        "/process-instances", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400 and bad_json.json()["type"] == "about:blank"
    unknown_field = await client.post("/process-instances", json={"processDefinitionId": "x", "bogus": 1})
    assert unknown_field.status_code == 400 and "bogus" in unknown_field.json()["detail"]
    assert (await client.get("/process-instances/42")).status_code == 404


async def test_create_and_await_completion(rest_sqlite: RestEngine) -> None:
    straight = Diagram("straight").start().end().chain("start", "end")
    await rest_sqlite.deploy(straight.file(), one_task("waits", "never").file())
    done = await rest_sqlite.client.post(
        "/process-instances",
        json={"processDefinitionId": "straight", "variables": {"a": 1, "b": 2}, "awaitCompletion": True},
    )
    assert done.status_code == 200 and done.json()["variables"] == {"a": 1, "b": 2}
    slow = await rest_sqlite.client.post(
        "/process-instances",
        json={"processDefinitionId": "waits", "awaitCompletion": True, "requestTimeout": 200},
    )
    assert slow.status_code == 504


# ------------------------------------------------------------------------------- element instances


async def test_element_instances_for_a_diagram_overlay(rest: RestEngine) -> None:
    await rest.deploy(one_task("overlay", "work").file())
    key = await rest.start("overlay")
    found = await rest.search("element-instances", {"filter": {"processInstanceKey": key}})
    by_element = {item["elementId"]: item for item in found["items"]}
    assert by_element["overlay"]["type"] == "PROCESS" and by_element["overlay"]["state"] == "ACTIVE"
    assert by_element["start"]["state"] == "COMPLETED" and is_iso(by_element["start"]["endDate"])
    assert by_element["task"]["state"] == "ACTIVE" and by_element["task"]["type"] == "SERVICE_TASK"
    assert by_element["task"]["elementName"] == "task" and by_element["task"]["hasIncident"] is False
    active_tasks = await rest.search(
        "element-instances",
        {"filter": {"processInstanceKey": key, "state": "ACTIVE", "type": "SERVICE_TASK"}},
    )
    assert [i["elementId"] for i in active_tasks["items"]] == ["task"]
    task_key = by_element["task"]["elementInstanceKey"]
    one = (await rest.client.get(f"/element-instances/{task_key}")).json()
    assert one == by_element["task"]
    assert (await rest.client.get("/element-instances/1")).status_code == 404


# ---------------------------------------------------------------------------------------- variables


async def test_variables_search_and_get(rest: RestEngine) -> None:
    await rest.deploy(one_task("vars", "work").file())
    key = await rest.start("vars", {"citizen": {"name": "李"}, "count": 3, "long": "x" * 9000})
    found = await rest.search(
        "variables", {"filter": {"processInstanceKey": key}, "sort": [{"field": "name"}]}
    )
    assert [v["name"] for v in found["items"]] == ["citizen", "count", "long"]
    citizen, count, long = found["items"]
    assert json.loads(citizen["value"]) == {"name": "李"} and citizen["isTruncated"] is False
    assert count["value"] == "3" and count["scopeKey"] == key and count["processInstanceKey"] == key
    assert long["isTruncated"] is True and len(long["value"]) < 9000
    full = await rest.client.post("/variables/search?truncateValues=false", json={"filter": {"name": "long"}})
    assert full.json()["items"][0]["isTruncated"] is False
    got = (await rest.client.get(f"/variables/{long['variableKey']}")).json()
    assert json.loads(got["value"]) == "x" * 9000
    by_value = await rest.search("variables", {"filter": {"value": "3"}})
    assert [v["name"] for v in by_value["items"]] == ["count"]
    assert (await rest.client.get("/variables/99")).status_code == 404


# ---------------------------------------------------------------------------------------- incidents


async def test_incidents_search_get_and_resolve(rest: RestEngine) -> None:
    await rest.deploy(gateway_incident("gated").file())
    key = await rest.start("gated", {"x": 0})

    async def open_incidents() -> list[dict[str, object]]:
        found = await rest.search("incidents", {"filter": {"processInstanceKey": key, "state": "ACTIVE"}})
        return list(found["items"])

    incident = (await rest.until(open_incidents, "an incident"))[0]
    assert incident["errorType"] == "CONDITION_ERROR" and incident["elementId"] == "gw"
    assert "jobKey" not in incident and is_iso(str(incident["creationTime"]))
    got = (await rest.client.get(f"/incidents/{incident['incidentKey']}")).json()
    assert got == incident
    instance = (await rest.client.get(f"/process-instances/{key}")).json()
    assert instance["hasIncident"] is True
    flagged = await rest.search(
        "element-instances", {"filter": {"processInstanceKey": key, "hasIncident": True}}
    )
    assert [(i["elementId"], i["incidentKey"]) for i in flagged["items"]] == [("gw", incident["incidentKey"])]
    with_incident = await rest.search("process-instances", {"filter": {"hasIncident": True}})
    assert [i["processInstanceKey"] for i in with_incident["items"]] == [key]

    assert (await rest.client.post(f"/incidents/{incident['incidentKey']}/resolution")).status_code == 204
    resolved = (await rest.client.get(f"/incidents/{incident['incidentKey']}")).json()
    assert resolved["state"] == "RESOLVED"
    missing = await rest.client.post("/incidents/12345/resolution")
    assert missing.status_code == 404


# --------------------------------------------------------------------------------------------- jobs


async def test_jobs_search(rest: RestEngine) -> None:
    await rest.deploy(one_task("jobs", "pack", headers={"region": "east"}).file())
    key = await rest.start("jobs")
    found = await rest.search("jobs", {"filter": {"processInstanceKey": key}})
    assert found["page"]["totalItems"] == 1
    job = found["items"][0]
    assert job["type"] == "pack" and job["state"] == "CREATED" and job["kind"] == "BPMN_ELEMENT"
    assert job["customHeaders"] == {"region": "east"} and job["elementId"] == "task"
    assert job["retries"] == 3 and job["hasFailedWithRetriesLeft"] is False and "endTime" not in job
    assert (await rest.search("jobs", {"filter": {"type": {"$like": "pa*"}}}))["page"]["totalItems"] == 1
    assert (await rest.search("jobs", {"filter": {"type": "other"}}))["page"]["totalItems"] == 0


# ----------------------------------------------------------------------------------------- messages


async def test_message_publication_correlates(rest: RestEngine) -> None:
    await rest.deploy(waits_for_message("waiting", "paid").file())
    key = await rest.start("waiting", {"key": "order-1"})
    answer = await rest.client.post(
        "/messages/publication",
        json={"name": "paid", "correlationKey": "order-1", "variables": {"amount": 5}, "timeToLive": 0},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["messageKey"].isdigit() and answer.json()["tenantId"] == "<default>"

    async def completed() -> bool:
        instance = (await rest.client.get(f"/process-instances/{key}")).json()
        return bool(instance["state"] == "COMPLETED")

    await rest.until(completed, "the instance to complete")
    duplicate = {"name": "later", "correlationKey": "x", "timeToLive": 60_000, "messageId": "m-1"}
    assert (await rest.client.post("/messages/publication", json=duplicate)).status_code == 200
    again = await rest.client.post("/messages/publication", json=duplicate)
    assert again.status_code == 409 and again.json()["title"] == "ALREADY_EXISTS"
    assert (await rest.client.post("/messages/publication", json={"correlationKey": "x"})).status_code == 400


@pytest.mark.parametrize("path", ["/user-tasks/abc", "/incidents/1x", "/variables/-"])
async def test_malformed_keys_are_bad_requests(rest_sqlite: RestEngine, path: str) -> None:
    answer = await rest_sqlite.client.get(path)
    assert answer.status_code == 400 and answer.headers["content-type"] == "application/problem+json"
