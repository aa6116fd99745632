"""Bad input to the /v2 REST API (property-based, with hypothesis).

Searches with malformed filters, sorting and paging; request bodies that are not JSON, not objects,
deeply nested, huge, or carry lone surrogates or invalid UTF-8; user task completion and instance
creation with bad variables; bad keys in paths (negative, 0, 2^63, not numbers): every answer is
400, 404 or 409 with an RFC 9457 problem JSON naming the problem, never 500 and never a hang. The
engine, one per module, stays up, and a user task created before the fuzzing completes at the end.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from diagrams import Diagram
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.testing.assertions import eventually
from engine.testing.handle import EngineHandle

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

SURVIVOR = "rest-fuzz-survivor"
SURVIVOR_VARIABLES = {"keep": "民声", "n": 1}
PROPER_ERRORS = {400, 404, 409}


@dataclass
class Fuzzed:
    handle: EngineHandle
    http: httpx.Client
    instance_key: str
    user_task_key: str


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    database = tmp_path_factory.mktemp("bad-rest-input") / "engine.db"
    handle = EngineHandle.start_embedded(f"sqlite:///{database}")
    http = httpx.Client(base_url=f"{handle.rest_url}/v2", timeout=60)
    try:
        diagram = (
            Diagram(SURVIVOR)
            .start()
            .raw(
                '<bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask/>'
                "</bpmn:extensionElements></bpmn:userTask>"
            )
            .end()
            .chain("start", "review", "end")
        )
        name, xml = diagram.file()
        deployed = http.post("/deployments", files=[("resources", (name, xml.encode()))])
        assert deployed.status_code == 200, deployed.text
        created = http.post(
            "/process-instances", json={"processDefinitionId": SURVIVOR, "variables": SURVIVOR_VARIABLES}
        )
        assert created.status_code == 200, created.text
        instance_key = created.json()["processInstanceKey"]
        user_task_key = _wait_for_user_task(http, instance_key)
        yield Fuzzed(handle, http, instance_key, user_task_key)
    finally:
        http.close()
        handle.stop()


def _wait_for_user_task(http: httpx.Client, instance_key: str) -> str:
    async def created() -> str | None:
        found = http.post("/user-tasks/search", json={"filter": {"processInstanceKey": instance_key}})
        assert found.status_code == 200, found.text
        items = found.json()["items"]
        return str(items[0]["userTaskKey"]) if items else None

    return asyncio.run(eventually(created, lambda: "the survivor's user task was not created"))


def check(response: httpx.Response) -> int:
    """A success, or 400/404/409 with a problem document that says what is wrong."""
    status = response.status_code
    if status < 300:
        return status
    where = f"{response.request.method} {response.request.url.path}"
    assert status in PROPER_ERRORS, f"{where} answered {status}: {response.text[:500]}"
    assert response.headers["content-type"].startswith("application/problem+json"), where
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys(), problem
    assert problem["status"] == status
    assert len(str(problem["detail"]).strip()) >= 10, problem
    return status


# ------------------------------------------------------------------------------------------ values

BIG_KEYS = ["9223372036854775808", "-9223372036854775809", "18446744073709551616", "1" * 400]
path_keys = st.one_of(
    st.sampled_from(["-1", "0", "1", "9223372036854775807", "-9223372036854775808", *BIG_KEYS]),
    st.sampled_from(["abc", "1e3", "0x10", " 1", "1.0", "%00", "%FF", "٣", "🙂", "..", "null", "-", "+1"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"),
        min_size=1,
        max_size=12,
    ),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
    | st.sampled_from(
        [*BIG_KEYS, "2026-10-01T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01", "not a date", "", "*", "\\"]
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
OPERATORS = ["$eq", "$neq", "$exists", "$in", "$notIn", "$like", "$gt", "$gte", "$lt", "$lte", "$or", "$nope"]
FIELDS = [
    "processInstanceKey",
    "processDefinitionKey",
    "processDefinitionId",
    "processDefinitionVersion",
    "parentProcessInstanceKey",
    "startDate",
    "endDate",
    "state",
    "hasIncident",
    "tenantId",
    "variables",
    "elementId",
    "elementInstanceKey",
    "userTaskKey",
    "assignee",
    "candidateGroups",
    "priority",
    "dueDate",
    "creationDate",
    "type",
    "worker",
    "retries",
    "jobKey",
    "incidentKey",
    "errorType",
    "name",
    "value",
    "scopeKey",
    "version",
    "isLatestVersion",
    "unknownField",
]
filter_values = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(OPERATORS), json_values, max_size=3),
    st.lists(st.fixed_dictionaries({"name": st.text(max_size=5), "value": json_values}), max_size=2),
)
search_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "filter": st.one_of(
                json_values, st.dictionaries(st.sampled_from(FIELDS), filter_values, max_size=4)
            ),
            "sort": st.one_of(
                json_values,
                st.lists(
                    st.fixed_dictionaries(
                        {"field": st.sampled_from(FIELDS)},
                        optional={"order": st.sampled_from(["ASC", "desc", "sideways", 1])},
                    ),
                    max_size=3,
                ),
            ),
            "page": st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {},
                    optional={
                        "from": st.integers(min_value=-5, max_value=2**70),
                        "limit": st.integers(min_value=-5, max_value=2**70),
                        "after": st.one_of(
                            st.text(max_size=20), st.sampled_from(["eyJvZmZzZXQiOiAtMX0=", "e30="])
                        ),
                        "before": st.text(max_size=20),
                    },
                ),
            ),
        },
    ),
)
SEARCHES = [
    "process-instances",
    "user-tasks",
    "incidents",
    "jobs",
    "variables",
    "element-instances",
    "process-definitions",
]
RAW_BODIES = [
    b"",
    b"{",
    b"[]",
    b"null",
    b"\xff\xfe",
    b'{"filter": "\xed\xa0\x80"}',
    b'{"filter": {"processDefinitionId": "\\ud800"}}',
    b'{"filter": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"a": ' * 5000 + b"1" + b"}" * 5000,
    b'{"page": {"from": ' + b"9" * 5000 + b"}}",
    b'{"page": {"limit": 1e999}}',
    b'{"page": {"from": NaN}}',
    b'{"filter": {"processDefinitionId": "' + b"x" * 5_000_000 + b'"}}',
]
raw_bodies = st.one_of(st.sampled_from(RAW_BODIES), st.binary(max_size=100))


# ----------------------------------------------------------------------------------------- searches


@_SETTINGS
@given(resource=st.sampled_from(SEARCHES), body=search_bodies)
def test_searches_with_malformed_filters(fuzzed: Fuzzed, resource: str, body: Any) -> None:
    check(fuzzed.http.post(f"/{resource}/search", json=body))


@_SETTINGS
@given(resource=st.sampled_from(SEARCHES), body=raw_bodies)
def test_searches_with_bodies_that_are_not_json(fuzzed: Fuzzed, resource: str, body: bytes) -> None:
    check(fuzzed.http.post(f"/{resource}/search", content=body, headers={"content-type": "application/json"}))


REGRESSIONS = [
    {"filter": {"processDefinitionVersion": 2**70}},
    {"filter": {"processDefinitionVersion": {"$in": [2**64]}}},
    {"filter": {"processDefinitionVersion": {"$gt": -(2**63) - 1}}},
    {"page": {"from": 2**63}},
    {"page": {"after": "eyJvZmZzZXQiOiA5OTk5OTk5OTk5OTk5OTk5OTk5OTk5fQ=="}},
]


@pytest.mark.parametrize("body", REGRESSIONS)
def test_numbers_beyond_64_bits_in_searches_are_refused(fuzzed: Fuzzed, body: dict[str, Any]) -> None:
    assert check(fuzzed.http.post("/process-instances/search", json=body)) == 400


# --------------------------------------------------------------------------------------------- keys

KEYED = [
    ("GET", "/process-instances/{}"),
    ("POST", "/process-instances/{}/cancellation"),
    ("GET", "/process-definitions/{}"),
    ("GET", "/process-definitions/{}/xml"),
    ("GET", "/process-definitions/{}/form"),
    ("GET", "/element-instances/{}"),
    ("GET", "/variables/{}"),
    ("GET", "/incidents/{}"),
    ("POST", "/incidents/{}/resolution"),
    ("GET", "/user-tasks/{}"),
    ("GET", "/user-tasks/{}/form"),
    ("POST", "/user-tasks/{}/completion"),
    ("POST", "/user-tasks/{}/assignment"),
    ("DELETE", "/user-tasks/{}/assignee"),
]


@_SETTINGS
@given(endpoint=st.sampled_from(KEYED), key=path_keys)
def test_bad_keys_in_paths(fuzzed: Fuzzed, endpoint: tuple[str, str], key: str) -> None:
    if key in (fuzzed.instance_key, fuzzed.user_task_key):
        return
    method, path = endpoint
    body = {"assignee": "someone"} if path.endswith("assignment") else None
    response = fuzzed.http.request(method, path.format(quote(key, safe="")), json=body)
    if response.status_code == 405:
        # A key that made the path another route's (e.g. ".."): still a problem document.
        assert response.json()["status"] == 405
        return
    check(response)


# ---------------------------------------------------------------------------------------- variables

BAD_VARIABLES = [
    b'{"variables": "x"}',
    b'{"variables": []}',
    b'{"variables": 1}',
    b'{"variables": {"\\ud800": 1}}',
    b'{"variables": {"a": "\\udc00"}}',
    b'{"variables": {"a": "\xed\xa0\x80"}}',
    b'{"variables": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
    b'{"variables": {"a": ' * 3000 + b"1" + b"}" * 3001,
    b'{"variables": {"a": ' + b"9" * 5000 + b"}}",
    b'{"variables": {"a": NaN}}',
    b'{"variables": {"a": 1e999}}',
    b'{"variables": {"a": 1}',
    b"\xff",
]
variables_bodies = st.one_of(
    st.sampled_from(BAD_VARIABLES),
    st.dictionaries(st.text(max_size=6), json_values, max_size=3).map(
        lambda variables: json.dumps({"variables": variables}).encode()
    ),
    raw_bodies,
)


@pytest.mark.parametrize("body", BAD_VARIABLES)
def test_user_task_completion_with_bad_variables_is_refused(fuzzed: Fuzzed, body: bytes) -> None:
    """On the real user task: refused with 400, and the task stays open."""
    response = fuzzed.http.post(
        f"/user-tasks/{fuzzed.user_task_key}/completion",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert check(response) == 400


@_SETTINGS
@given(body=variables_bodies, key=st.sampled_from(["1", "2251799813685249", "-5", "0"]))
def test_user_task_completion_with_random_variables(fuzzed: Fuzzed, body: bytes, key: str) -> None:
    check(
        fuzzed.http.post(
            f"/user-tasks/{key}/completion", content=body, headers={"content-type": "application/json"}
        )
    )


@_SETTINGS
@given(
    body=st.one_of(
        st.sampled_from(BAD_VARIABLES),
        st.fixed_dictionaries(
            {},
            optional={
                "processDefinitionId": st.one_of(st.text(max_size=10), st.just(SURVIVOR), json_values),
                "processDefinitionKey": st.one_of(st.sampled_from([*BIG_KEYS, "-1", "0", "x"]), json_values),
                "processDefinitionVersion": st.one_of(
                    st.integers(min_value=-(2**70), max_value=2**70), json_values
                ),
                "variables": st.one_of(
                    json_values, st.dictionaries(st.text(max_size=5), json_values, max_size=3)
                ),
                "tenantId": json_values,
                "fetchVariables": json_values,
            },
        ).map(lambda body: json.dumps(body).encode()),
    )
)
def test_process_instance_creation(fuzzed: Fuzzed, body: bytes) -> None:
    check(fuzzed.http.post("/process-instances", content=body, headers={"content-type": "application/json"}))


@_SETTINGS
@given(
    body=st.fixed_dictionaries(
        {"name": st.one_of(st.text(max_size=10), json_values)},
        optional={
            "correlationKey": st.one_of(st.text(max_size=10), json_values),
            "timeToLive": st.one_of(
                st.sampled_from([-1, 0, 2**63 - 1, 2**63, 2**64, 10**30]),
                st.integers(min_value=-(2**70), max_value=2**70),
            ),
            "messageId": json_values,
            "variables": st.one_of(
                json_values, st.dictionaries(st.text(max_size=5), json_values, max_size=3)
            ),
        },
    )
)
def test_message_publication(fuzzed: Fuzzed, body: dict[str, Any]) -> None:
    check(fuzzed.http.post("/messages/publication", json=body))


@_SETTINGS
@given(
    files=st.lists(
        st.tuples(
            st.sampled_from(["a.bpmn", "a.dmn", "a.form", "a.txt", "", "x" * 300 + ".bpmn"]),
            st.one_of(
                st.binary(max_size=300),
                st.sampled_from([b"<a>" * 20_000 + b"</a>" * 20_000, b'{"id": "f", "components": []}']),
            ),
        ),
        max_size=3,
    )
)
def test_deployments_of_random_files(fuzzed: Fuzzed, files: list[tuple[str, bytes]]) -> None:
    response = fuzzed.http.post(
        "/deployments", files=[("resources", (name, content)) for name, content in files] or None
    )
    check(response)


@pytest.mark.parametrize("timestamp", [-1, 2**63, 2**70, 10**20, 253402300800000, "soon", None])
def test_pinning_the_clock_out_of_range_is_refused(fuzzed: Fuzzed, timestamp: Any) -> None:
    try:
        assert check(fuzzed.http.put("/clock", json={"timestamp": timestamp})) == 400
    finally:
        fuzzed.http.post("/clock/reset")


@pytest.mark.parametrize("ttl", [2**63, 10**30])
def test_a_time_to_live_beyond_64_bits_is_refused(fuzzed: Fuzzed, ttl: int) -> None:
    body = {"name": "m", "correlationKey": "k", "timeToLive": ttl}
    assert check(fuzzed.http.post("/messages/publication", json=body)) == 400


# ----------------------------------------------------------------------------------------- the end


def test_the_engine_is_up_and_the_user_task_started_before_completes(fuzzed: Fuzzed) -> None:
    """Last in the module: the engine answers, and the instance from before is whole and completes."""
    assert fuzzed.http.get("/topology").status_code == 200
    task = fuzzed.http.get(f"/user-tasks/{fuzzed.user_task_key}")
    assert task.status_code == 200, task.text
    assert task.json()["state"] == "CREATED"
    variables = fuzzed.http.post(
        "/variables/search", json={"filter": {"processInstanceKey": fuzzed.instance_key}}
    )
    assert {
        item["name"]: json.loads(item["value"]) for item in variables.json()["items"]
    } == SURVIVOR_VARIABLES
    done = fuzzed.http.post(
        f"/user-tasks/{fuzzed.user_task_key}/completion", json={"variables": {"ok": True}}
    )
    assert done.status_code == 204, done.text

    async def completed() -> bool:
        return bool(
            fuzzed.http.get(f"/process-instances/{fuzzed.instance_key}").json()["state"] == "COMPLETED"
        )

    asyncio.run(eventually(completed, lambda: "the instance from before did not complete"))
