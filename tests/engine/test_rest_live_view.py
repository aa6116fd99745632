"""The /v2 endpoints of a live process view: job retries and timeouts, taken sequence flows, and the
per-element counts a diagram overlay shows, on running instances, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from diagrams import Diagram, activate_one, complete, one_task, stub
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub
from rest_fixtures import RestEngine

from engine.api.filters import iso

PINNED = 1_900_000_000_000


@pytest.fixture
async def grpc_gateway(rest: RestEngine) -> AsyncIterator[GatewayStub]:
    """The gRPC gateway of the same engine, to work jobs as a worker would."""
    channel, gateway = stub(f"127.0.0.1:{rest.running.port}")
    yield gateway
    await channel.close()


def split(process_id: str, threshold: int = 1) -> Diagram:
    """start → fork; one branch waits at the job `review`, the other passes the gateway `gw` to the
    end `ok` when x > threshold, and raises a CONDITION_ERROR incident at `gw` otherwise."""
    return (
        Diagram(process_id)
        .start()
        .parallel("fork")
        .task("review", f"{process_id}-review")
        .end("done")
        .exclusive("gw")
        .end("ok")
        .chain("start", "fork", "review", "done")
        .flow("fork", "gw")
        .flow("gw", "ok", condition=f"=x > {threshold}")
    )


def loop(process_id: str) -> Diagram:
    """start → work (a job) → check; back to work until the job sets `done`."""
    return (
        Diagram(process_id)
        .start()
        .task("work", f"{process_id}-work")
        .exclusive("check", default="again")
        .end()
        .flow("start", "work", id="begin")
        .flow("work", "check", id="worked")
        .flow("check", "end", condition="=done", id="finish")
        .flow("check", "work", id="again")
    )


async def only_job(rest: RestEngine, instance_key: str) -> dict[str, Any]:
    found = await rest.search("jobs", {"filter": {"processInstanceKey": instance_key}})
    assert found["page"]["totalItems"] == 1, f"expected one job of instance {instance_key}, got {found}"
    job: dict[str, Any] = found["items"][0]
    return job


async def open_incidents(rest: RestEngine, instance_key: str) -> list[dict[str, Any]]:
    query = {"filter": {"processInstanceKey": instance_key, "state": "ACTIVE"}}
    found = await rest.search("incidents", query)
    return list(found["items"])


def counts(answer: dict[str, Any]) -> dict[str, tuple[int, int, int, int]]:
    """elementId -> (active, canceled, incidents, completed), checking the answer's shape on the way."""
    assert set(answer) == {"items"}, f"expected only 'items' in the statistics answer, got {answer}"
    found = {}
    for item in answer["items"]:
        assert set(item) == {"elementId", "active", "canceled", "incidents", "completed"}, (
            f"expected Camunda's statistics fields, got {item}"
        )
        found[item["elementId"]] = (item["active"], item["canceled"], item["incidents"], item["completed"])
    return found


def assert_problem(answer: Any, status: int, what: str) -> None:
    assert answer.status_code == status, f"{what}: expected {status}, got {answer.status_code}: {answer.text}"
    assert answer.headers["content-type"] == "application/problem+json", f"{what}: not a problem detail"
    assert answer.json()["status"] == status


async def test_openapi_describes_the_live_view_endpoints(rest_sqlite: RestEngine) -> None:
    paths = (await rest_sqlite.client.get("/openapi.json")).json()["paths"]
    for path, method in (
        ("/v2/jobs/{jobKey}", "patch"),
        ("/v2/process-instances/{processInstanceKey}/sequence-flows", "get"),
        ("/v2/process-instances/{processInstanceKey}/statistics/element-instances", "get"),
        ("/v2/process-definitions/{processDefinitionKey}/statistics/element-instances", "post"),
    ):
        assert method in paths.get(path, {}), f"{method.upper()} {path} missing from the OpenAPI description"


# --------------------------------------------------------------------------------------- PATCH /jobs


async def test_update_job_retries_and_timeout(rest: RestEngine, grpc_gateway: GatewayStub) -> None:
    client = rest.client
    assert (await client.put("/clock", json={"timestamp": PINNED})).status_code == 204
    await rest.deploy(one_task("live-job", "live-pack").file())
    key = await rest.start("live-job")
    job_key = (await only_job(rest, key))["jobKey"]

    answer = await client.patch(f"/jobs/{job_key}", json={"changeset": {"retries": 5}})
    assert answer.status_code == 204, answer.text
    assert (await only_job(rest, key))["retries"] == 5

    # A timeout applies to an activated job only; the retries given with it stay unchanged too.
    both = await client.patch(f"/jobs/{job_key}", json={"changeset": {"retries": 7, "timeout": 1000}})
    assert_problem(both, 409, "a timeout for a job no worker holds")
    assert (await only_job(rest, key))["retries"] == 5, "a refused update changed the retries"

    await activate_one(grpc_gateway, "live-pack", timeout_ms=60_000)
    assert (await only_job(rest, key))["deadline"] == iso(PINNED + 60_000)
    answer = await client.patch(f"/jobs/{job_key}", json={"changeset": {"timeout": 600_000, "retries": None}})
    assert answer.status_code == 204, answer.text
    job = await only_job(rest, key)
    assert job["deadline"] == iso(PINNED + 600_000) and job["retries"] == 5, f"unexpected job {job}"

    missing = await client.patch("/jobs/2251799813685249", json={"changeset": {"retries": 1}})
    assert_problem(missing, 404, "an unknown job key")
    problem = missing.json()
    assert problem["title"] == "NOT_FOUND" and problem["instance"] == "/v2/jobs/2251799813685249", problem
    assert_problem(await client.patch(f"/jobs/{job_key}", json={"changeset": {}}), 400, "an empty changeset")
    assert_problem(
        await client.patch(f"/jobs/{job_key}", json={"changeset": {"retries": 0}}), 400, "zero retries"
    )
    assert_problem(
        await client.patch(f"/jobs/{job_key}", json={"changeset": {"timeout": 0}}), 400, "a zero timeout"
    )
    assert_problem(await client.patch(f"/jobs/{job_key}", json={}), 400, "no changeset")
    endless = await client.patch(f"/jobs/{job_key}", json={"changeset": {"timeout": 2**63 - 1}})
    assert_problem(endless, 400, "a deadline beyond 64 bits")
    assert "Expected a timeout of at most" in endless.json()["detail"], endless.text
    too_many = await client.patch(f"/jobs/{job_key}", json={"changeset": {"retries": 2**31}})
    assert_problem(too_many, 400, "retries beyond 32 bits")
    job = await only_job(rest, key)
    assert job["deadline"] == iso(PINNED + 600_000) and job["retries"] == 5, f"a refused update changed {job}"
    malformed = await client.patch("/jobs/abc", json={"changeset": {"retries": 1}})
    assert_problem(malformed, 400, "a malformed key")


async def test_retries_then_resolution_brings_a_failed_job_back(
    rest: RestEngine, grpc_gateway: GatewayStub
) -> None:
    """What Operate's retry does: new retries for the job, then the incident resolved."""
    await rest.deploy(one_task("live-retry", "live-flaky").file())
    key = await rest.start("live-retry")
    job = await activate_one(grpc_gateway, "live-flaky")
    await grpc_gateway.FailJob(pb.FailJobRequest(jobKey=job.key, retries=0, errorMessage="服务不可用"))
    incident = (await rest.until(lambda: open_incidents(rest, key), "a job incident"))[0]
    assert incident["errorType"] == "JOB_NO_RETRIES" and incident["jobKey"] == str(job.key)
    statistics = (await rest.client.get(f"/process-instances/{key}/statistics/element-instances")).json()
    assert counts(statistics)["task"] == (0, 0, 1, 0), f"expected the task's incident, got {statistics}"

    answer = await rest.client.patch(f"/jobs/{job.key}", json={"changeset": {"retries": 2}})
    assert answer.status_code == 204, answer.text
    assert (await rest.client.post(f"/incidents/{incident['incidentKey']}/resolution")).status_code == 204
    again = await activate_one(grpc_gateway, "live-flaky")
    assert again.key == job.key and again.retries == 2, f"expected the same job with 2 retries, got {again}"
    statistics = (await rest.client.get(f"/process-instances/{key}/statistics/element-instances")).json()
    assert counts(statistics)["task"] == (1, 0, 0, 0), f"expected the task active again, got {statistics}"


# ------------------------------------------------------------------------------------ sequence flows


async def test_sequence_flows_of_an_instance(rest: RestEngine, grpc_gateway: GatewayStub) -> None:
    deployed = await rest.deploy(loop("live-loop").file())
    definition_key = deployed["deployments"][0]["processDefinition"]["processDefinitionKey"]
    key = await rest.start("live-loop")

    async def flows() -> list[dict[str, Any]]:
        answer = await rest.client.get(f"/process-instances/{key}/sequence-flows")
        assert answer.status_code == 200, answer.text
        assert set(answer.json()) == {"items"}
        return list(answer.json()["items"])

    assert await flows() == [
        {
            "sequenceFlowId": f"{key}_begin",
            "processInstanceKey": key,
            "processDefinitionKey": definition_key,
            "processDefinitionId": "live-loop",
            "elementId": "begin",
            "tenantId": "<default>",
        }
    ]
    await complete(grpc_gateway, (await activate_one(grpc_gateway, "live-loop-work")).key, {"done": False})
    await complete(grpc_gateway, (await activate_one(grpc_gateway, "live-loop-work")).key, {"done": True})

    async def finished() -> list[str]:
        ids = [flow["elementId"] for flow in await flows()]
        return ids if "finish" in ids else []

    # Each flow once, in the order first taken, though `worked` was taken twice.
    assert await rest.until(finished, "the flow to the end") == ["begin", "worked", "again", "finish"]
    assert {flow["sequenceFlowId"] for flow in await flows()} == {
        f"{key}_{flow}" for flow in ("begin", "worked", "again", "finish")
    }
    statistics = (await rest.client.get(f"/process-instances/{key}/statistics/element-instances")).json()
    assert counts(statistics) == {
        "start": (0, 0, 0, 1),
        "work": (0, 0, 0, 2),
        "check": (0, 0, 0, 2),
        "end": (0, 0, 0, 1),
    }

    # As in Camunda, an instance that does not exist has no flows rather than a 404.
    unknown = await rest.client.get("/process-instances/2251799813685249/sequence-flows")
    assert unknown.status_code == 200 and unknown.json() == {"items": []}, unknown.text
    assert_problem(await rest.client.get("/process-instances/x1/sequence-flows"), 400, "a malformed key")


# ------------------------------------------------------------------------------------ statistics


async def test_element_statistics_of_an_instance(rest: RestEngine) -> None:
    await rest.deploy(split("live-split").file())
    key = await rest.start("live-split", {"x": 0})
    await rest.until(lambda: open_incidents(rest, key), "the gateway's incident")
    path = f"/process-instances/{key}/statistics/element-instances"

    answer = await rest.client.get(path)
    assert answer.status_code == 200, answer.text
    # The process itself is no element of its diagram; an element with an incident is not `active`.
    assert counts(answer.json()) == {
        "fork": (0, 0, 0, 1),
        "gw": (0, 0, 1, 0),
        "review": (1, 0, 0, 0),
        "start": (0, 0, 0, 1),
    }
    assert [item["elementId"] for item in answer.json()["items"]] == ["fork", "gw", "review", "start"]

    assert (await rest.client.post(f"/process-instances/{key}/cancellation")).status_code == 204
    assert counts((await rest.client.get(path)).json()) == {
        "fork": (0, 0, 0, 1),
        "gw": (0, 1, 0, 0),
        "review": (0, 1, 0, 0),
        "start": (0, 0, 0, 1),
    }

    unknown = await rest.client.get("/process-instances/2251799813685249/statistics/element-instances")
    assert unknown.status_code == 200 and unknown.json() == {"items": []}, unknown.text
    assert_problem(
        await rest.client.get("/process-instances/abc/statistics/element-instances"), 400, "a malformed key"
    )


async def test_element_statistics_of_a_definition(rest: RestEngine) -> None:
    deployed = await rest.deploy(split("live-many").file())
    definition_key = deployed["deployments"][0]["processDefinition"]["processDefinitionKey"]
    failing = await rest.start("live-many", {"x": 0})
    passing = await rest.start("live-many", {"x": 5})
    canceled = await rest.start("live-many", {"x": 5})
    assert (await rest.client.post(f"/process-instances/{canceled}/cancellation")).status_code == 204
    await rest.until(lambda: open_incidents(rest, failing), "the gateway's incident")
    # A second version of the same process: its instances count for their own definition only.
    second = await rest.deploy(split("live-many", threshold=2).file())
    second_key = second["deployments"][0]["processDefinition"]["processDefinitionKey"]
    assert second_key != definition_key
    other = await rest.start("live-many", {"x": 0})
    await rest.until(lambda: open_incidents(rest, other), "the second version's incident")

    path = f"/process-definitions/{definition_key}/statistics/element-instances"

    async def statistics(body: dict[str, Any] | None = None) -> dict[str, tuple[int, int, int, int]]:
        answer = await rest.client.post(path, json=body) if body is not None else await rest.client.post(path)
        assert answer.status_code == 200, answer.text
        return counts(answer.json())

    # `completed` counts end events only, as on Operate's diagram: start, fork and gw's passes are left out.
    everything = {"gw": (0, 0, 1, 0), "ok": (0, 0, 0, 2), "review": (2, 1, 0, 0)}
    assert await statistics() == everything
    assert await statistics({}) == everything
    assert await statistics({"filter": {}}) == everything
    assert await statistics({"filter": {"hasIncident": True}}) == {"gw": (0, 0, 1, 0), "review": (1, 0, 0, 0)}
    terminated = {"ok": (0, 0, 0, 1), "review": (0, 1, 0, 0)}
    assert await statistics({"filter": {"state": "TERMINATED"}}) == terminated
    assert await statistics({"filter": {"state": {"$in": ["ACTIVE"]}, "processInstanceKey": passing}}) == {
        "ok": (0, 0, 0, 1),
        "review": (1, 0, 0, 0),
    }
    either = {"filter": {"$or": [{"processInstanceKey": failing}, {"processInstanceKey": canceled}]}}
    assert await statistics(either) == {"gw": (0, 0, 1, 0), "ok": (0, 0, 0, 1), "review": (1, 1, 0, 0)}
    newer = await rest.client.post(f"/process-definitions/{second_key}/statistics/element-instances")
    assert counts(newer.json()) == {"gw": (0, 0, 1, 0), "review": (1, 0, 0, 0)}

    unknown = await rest.client.post("/process-definitions/2251799813685249/statistics/element-instances")
    assert unknown.status_code == 200 and unknown.json() == {"items": []}, unknown.text
    bad_filter = await rest.client.post(path, json={"filter": {"processDefinitionId": "live-many"}})
    assert_problem(bad_filter, 400, "a filter field Camunda's statistics filter does not have")
    assert_problem(
        await rest.client.post("/process-definitions/k/statistics/element-instances"), 400, "a malformed key"
    )
