"""Bad input to every RPC of the gateway (property-based, with hypothesis).

Malformed and random diagrams, variables documents that are not JSON objects (or are deeply nested,
huge, or carry lone surrogates), invalid UTF-8 and garbage protobuf, messages beyond the gRPC size
limit, and out-of-range keys: every answer is a proper status (INVALID_ARGUMENT, NOT_FOUND,
FAILED_PRECONDITION, RESOURCE_EXHAUSTED, ALREADY_EXISTS) with a message naming the problem, never
INTERNAL or UNKNOWN and never a hang. The engine, one per module, stays up through all of it, and an
instance started before the fuzzing is untouched and completes normally at the end.

Protobuf's int64 cannot carry 2^63: the out-of-range keys here are the int64 extremes, 0, negatives
and unknown ones; 2^63 itself is tried against the REST API, where keys are strings.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from diagrams import Diagram
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.runtime.context import Context
from engine.runtime.entities import Kind
from engine.testing.handle import EngineHandle

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
_FEW = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))

PROPER = {
    grpc.StatusCode.OK,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.ALREADY_EXISTS,
}
# Long enough for a 64 MiB message on a busy machine; a hang shows as DEADLINE_EXCEEDED.
CALL_TIMEOUT_S = 60

SURVIVOR = "fuzz-survivor"
SURVIVOR_JOB = "fuzz-survivor-work"
SURVIVOR_VARIABLES = {"keep": "民声", "n": 1, "nested": {"list": [1, 2, 3]}}

INT64 = (-(2**63), 2**63 - 1)
INT32 = (-(2**31), 2**31 - 1)

keys = st.one_of(
    st.sampled_from([-1, 0, 1, INT64[0], INT64[1], 2**52, 2251799813685249]),
    st.integers(*INT64),
)
int32s = st.one_of(st.sampled_from([INT32[0], -1, 0, 1, INT32[1]]), st.integers(*INT32))
int64s = st.one_of(st.sampled_from([INT64[0], -1, 0, 1, INT64[1]]), st.integers(*INT64))
strings = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "a\x00b", "民声", "x" * 300, "y" * 100_000]),
)

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
# Documents that must be refused with INVALID_ARGUMENT wherever variables are taken.
REFUSED_DOCUMENTS = [
    "[]",
    "1",
    '"x"',
    "null",
    "true",
    "{",
    '{"a":}',
    '{"a": 1,}',
    "{'a': 1}",
    "NaN",
    '{"a": NaN}',
    '{"a": Infinity}',
    '{"a": -Infinity}',
    '{"a": 1e999}',
    '{"\\ud800": 1}',
    '{"a": "\\ud800"}',
    '{"a": ["\\udfff\\ud800"]}',
    '{"a": ' + "9" * 5000 + "}",
    '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"a": ' * 5000 + "1" + "}" * 5000,
    "\ufeff{}",
    "{}garbage",
]
# Odd but well-formed: accepted or refused, never an internal error.
ODD_DOCUMENTS = [
    '{"a": "\\u0000"}',
    '{"a\\u0000": 1}',
    '{"' + "k" * 300 + '": 1}',
    '{"a": "' + "x" * 2_000_000 + '"}',
    '{"": 1}',
    '{"a": 1, "a": 2}',
    '{"a": ' + "[" * 500 + "]" * 500 + "}",
    '{"a": 12345678901234567890123456789}',
]
documents = st.one_of(
    st.sampled_from(REFUSED_DOCUMENTS + ODD_DOCUMENTS),
    st.text(max_size=40),
    st.dictionaries(st.text(max_size=8), _json_values, max_size=4).map(json.dumps),
)


@dataclass
class Fuzzed:
    handle: EngineHandle
    stub: GatewayStub
    channel: grpc.Channel
    survivor_key: int
    job_key: int


def _unlimited_channel(address: str) -> grpc.Channel:
    return grpc.insecure_channel(
        address,
        options=[("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)],
    )


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    """One engine for the module, with an instance started (and waiting at a job) before the fuzzing."""
    database = tmp_path_factory.mktemp("bad-input") / "engine.db"
    handle = EngineHandle.start_embedded(f"sqlite:///{database}", rest=False)
    channel = _unlimited_channel(handle.address)
    stub = GatewayStub(channel)
    try:
        diagram = Diagram(SURVIVOR).start().task("work", SURVIVOR_JOB).end().chain("start", "work", "end")
        name, xml = diagram.file()
        stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name=name, content=xml.encode())])
        )
        created = stub.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(bpmnProcessId=SURVIVOR, variables=json.dumps(SURVIVOR_VARIABLES))
        )
        job_key = _wait_for_job(handle, created.processInstanceKey)
        yield Fuzzed(handle, stub, channel, created.processInstanceKey, job_key)
    finally:
        channel.close()
        handle.stop()


def _wait_for_job(handle: EngineHandle, instance_key: int) -> int:
    """The key of the survivor's job, read from the engine's state without activating it."""

    def query(ctx: Context) -> int | None:
        jobs = [job for job in ctx.layer.all(Kind.JOB) if job.process_instance_key == instance_key]
        return jobs[0].key if jobs else None

    async def job() -> int | None:
        return await handle.read(query)

    return asyncio.run(handle.poll(job, lambda: "the survivor's job was not created"))


def answer(call: Callable[..., Any], request: Any) -> grpc.StatusCode:
    """Call an RPC; fail unless the answer is OK or a proper rejection with a readable message."""
    try:
        call(request, timeout=CALL_TIMEOUT_S)
    except grpc.RpcError as error:
        code, details = error.code(), error.details() or ""
        assert code in PROPER, f"{type(request).__name__} answered {code.name}: {details[:500]}"
        assert len(details.strip()) >= 10, f"{type(request).__name__} answered {code.name} without a reason"
        return code  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


# --------------------------------------------------------------------------------------- variables


@_SETTINGS
@given(key=keys, variables=documents)
def test_complete_job(fuzzed: Fuzzed, key: int, variables: str) -> None:
    answer(fuzzed.stub.CompleteJob, pb.CompleteJobRequest(jobKey=key, variables=variables))


@_SETTINGS
@given(key=keys, retries=int32s, message=strings, back_off=int64s, variables=documents)
def test_fail_job(
    fuzzed: Fuzzed, key: int, retries: int, message: str, back_off: int, variables: str
) -> None:
    request = pb.FailJobRequest(
        jobKey=key, retries=retries, errorMessage=message, retryBackOff=back_off, variables=variables
    )
    answer(fuzzed.stub.FailJob, request)


@_SETTINGS
@given(key=keys, code=strings, message=strings, variables=documents)
def test_throw_error(fuzzed: Fuzzed, key: int, code: str, message: str, variables: str) -> None:
    request = pb.ThrowErrorRequest(jobKey=key, errorCode=code, errorMessage=message, variables=variables)
    answer(fuzzed.stub.ThrowError, request)


@_SETTINGS
@given(key=keys, variables=documents, local=st.booleans())
def test_set_variables(fuzzed: Fuzzed, key: int, variables: str, local: bool) -> None:
    request = pb.SetVariablesRequest(elementInstanceKey=key, variables=variables, local=local)
    answer(fuzzed.stub.SetVariables, request)


@_SETTINGS
@given(process_id=strings, version=int32s, key=keys, variables=documents)
def test_create_process_instance(
    fuzzed: Fuzzed, process_id: str, version: int, key: int, variables: str
) -> None:
    request = pb.CreateProcessInstanceRequest(
        bpmnProcessId=process_id, version=version, processDefinitionKey=key, variables=variables
    )
    answer(fuzzed.stub.CreateProcessInstance, request)


@_SETTINGS
@given(name=strings, correlation=strings, ttl=int64s, message_id=strings, variables=documents)
def test_publish_message(
    fuzzed: Fuzzed, name: str, correlation: str, ttl: int, message_id: str, variables: str
) -> None:
    request = pb.PublishMessageRequest(
        name=name, correlationKey=correlation, timeToLive=ttl, messageId=message_id, variables=variables
    )
    answer(fuzzed.stub.PublishMessage, request)


@_FEW
@given(name=strings, variables=documents)
def test_broadcast_signal(fuzzed: Fuzzed, name: str, variables: str) -> None:
    answer(fuzzed.stub.BroadcastSignal, pb.BroadcastSignalRequest(signalName=name, variables=variables))


@_FEW
@given(key=keys, decision_id=strings, variables=documents)
def test_evaluate_decision(fuzzed: Fuzzed, key: int, decision_id: str, variables: str) -> None:
    request = pb.EvaluateDecisionRequest(decisionKey=key, decisionId=decision_id, variables=variables)
    answer(fuzzed.stub.EvaluateDecision, request)


# ---------------------------------------------------------------------------------------- keys only


@_SETTINGS
@given(key=keys)
def test_cancel_process_instance(fuzzed: Fuzzed, key: int) -> None:
    answer(fuzzed.stub.CancelProcessInstance, pb.CancelProcessInstanceRequest(processInstanceKey=key))


@_SETTINGS
@given(key=keys)
def test_resolve_incident(fuzzed: Fuzzed, key: int) -> None:
    answer(fuzzed.stub.ResolveIncident, pb.ResolveIncidentRequest(incidentKey=key))


@_SETTINGS
@given(key=keys, retries=int32s)
def test_update_job_retries(fuzzed: Fuzzed, key: int, retries: int) -> None:
    answer(fuzzed.stub.UpdateJobRetries, pb.UpdateJobRetriesRequest(jobKey=key, retries=retries))


@_SETTINGS
@given(key=keys, timeout=int64s)
def test_update_job_timeout(fuzzed: Fuzzed, key: int, timeout: int) -> None:
    answer(fuzzed.stub.UpdateJobTimeout, pb.UpdateJobTimeoutRequest(jobKey=key, timeout=timeout))


@_SETTINGS
@given(
    job_type=strings,
    worker=strings,
    timeout=int64s,
    max_jobs=int32s,
    fetch=st.lists(strings, max_size=3),
    request_timeout=st.sampled_from([-1, 1, 20]),
)
def test_activate_jobs(
    fuzzed: Fuzzed,
    job_type: str,
    worker: str,
    timeout: int,
    max_jobs: int,
    fetch: list[str],
    request_timeout: int,
) -> None:
    if job_type == SURVIVOR_JOB:
        return
    request = pb.ActivateJobsRequest(
        type=job_type,
        worker=worker,
        timeout=timeout,
        maxJobsToActivate=max_jobs,
        fetchVariable=fetch,
        requestTimeout=request_timeout,
    )
    try:
        for _ in fuzzed.stub.ActivateJobs(request, timeout=CALL_TIMEOUT_S):
            pass
    except grpc.RpcError as error:
        assert error.code() in PROPER, f"ActivateJobs answered {error.code().name}: {error.details()}"


# ------------------------------------------------------------------------------------------ diagrams

_XML_PIECES = [
    "<",
    ">",
    "</",
    "/>",
    "&",
    "&amp;",
    "&lol;",
    '"',
    "=",
    "<?xml version='1.0'?>",
    "<!DOCTYPE x>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "bpmn:definitions",
    "bpmn:process",
    'isExecutable="true"',
    'id="p"',
    'id="s"',
    "bpmn:startEvent",
    "bpmn:serviceTask",
    "bpmn:sequenceFlow",
    'sourceRef="s"',
    'targetRef="t"',
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"',
    "zeebe:taskDefinition",
    'type="="',
    "\x00",
    "\xff",
    "民声",
]
resource_names = st.one_of(
    st.sampled_from(["a.bpmn", "a.dmn", "a.form", "a.txt", "", ".bpmn", "a.BPMN", "x" * 5000 + ".bpmn"]),
    st.text(max_size=20),
)
resource_contents = st.one_of(
    st.binary(max_size=500),
    st.lists(st.sampled_from(_XML_PIECES), max_size=40).map(lambda parts: " ".join(parts).encode()),
    st.sampled_from(
        [
            b"",
            b"<?xml version='1.0'?><!DOCTYPE a [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
            b"<a>&b;</a>",
            b"<a>" * 50_000 + b"</a>" * 50_000,
            b'{"id": "f", "components": [' + b"[" * 50_000 + b"]" * 50_000 + b"]}",
            b"\xef\xbb\xbf<a/>",
            b"\xff\xfe<\x00a\x00/\x00>\x00",
        ]
    ),
)


@_SETTINGS
@given(resources=st.lists(st.tuples(resource_names, resource_contents), max_size=3))
def test_deploy_resource(fuzzed: Fuzzed, resources: list[tuple[str, bytes]]) -> None:
    request = pb.DeployResourceRequest(
        resources=[pb.Resource(name=name, content=content) for name, content in resources]
    )
    code = answer(fuzzed.stub.DeployResource, request)
    if code is not grpc.StatusCode.OK:
        return
    # Whatever was accepted can be started or is refused properly, never an internal error.
    for name, _ in resources:
        if name.endswith(".bpmn"):
            answer(fuzzed.stub.CreateProcessInstance, pb.CreateProcessInstanceRequest(bpmnProcessId="p"))


# ----------------------------------------------------------------------------- bytes on the wire

_METHODS = [
    "CompleteJob",
    "FailJob",
    "ThrowError",
    "SetVariables",
    "PublishMessage",
    "CreateProcessInstance",
    "CancelProcessInstance",
    "ResolveIncident",
    "UpdateJobRetries",
    "UpdateJobTimeout",
    "DeployResource",
    "BroadcastSignal",
    "EvaluateDecision",
    "Topology",
]


def _raw(fuzzed: Fuzzed, method: str) -> Callable[..., Any]:
    # No serializer: the request goes out as the bytes given.
    return fuzzed.channel.unary_unary(f"/gateway_protocol.Gateway/{method}")


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


@_SETTINGS
@given(method=st.sampled_from(_METHODS), payload=st.binary(max_size=200))
def test_garbage_protobuf(fuzzed: Fuzzed, method: str, payload: bytes) -> None:
    answer(_raw(fuzzed, method), payload)


INVALID_UTF8 = [b"\xff", b"\xc0\xaf", b'{"a": "\xed\xa0\x80"}', b"\xfe\xff{}", b"\x80abc"]


@pytest.mark.parametrize("text", INVALID_UTF8)
@pytest.mark.parametrize(
    ("method", "field"),
    [
        ("CompleteJob", 2),  # variables
        ("FailJob", 3),  # errorMessage
        ("ThrowError", 2),  # errorCode
        ("SetVariables", 2),  # variables
        ("PublishMessage", 1),  # name
        ("CreateProcessInstance", 1),  # bpmnProcessId
        ("BroadcastSignal", 1),  # signalName
    ],
)
def test_invalid_utf8_in_a_string_field(fuzzed: Fuzzed, method: str, field: int, text: bytes) -> None:
    code = answer(_raw(fuzzed, method), _field(field, text))
    assert code is grpc.StatusCode.INVALID_ARGUMENT


def test_a_message_beyond_the_size_limit_is_resource_exhausted(fuzzed: Fuzzed) -> None:
    variables = '{"a": "' + "x" * (65 * 1024 * 1024) + '"}'
    code = answer(fuzzed.stub.CompleteJob, pb.CompleteJobRequest(jobKey=1, variables=variables))
    assert code is grpc.StatusCode.RESOURCE_EXHAUSTED


def test_a_large_document_within_the_limit_is_parsed(fuzzed: Fuzzed) -> None:
    variables = json.dumps({"a": "x" * (20 * 1024 * 1024), "b": list(range(100_000))})
    code = answer(fuzzed.stub.CompleteJob, pb.CompleteJobRequest(jobKey=1, variables=variables))
    assert code is grpc.StatusCode.NOT_FOUND


# --------------------------------------------------------------------- what was stored before


@pytest.mark.parametrize("variables", REFUSED_DOCUMENTS)
def test_bad_documents_on_the_stored_instance_change_nothing(fuzzed: Fuzzed, variables: str) -> None:
    """Malformed variables aimed at real keys are refused before they touch the instance."""
    for call, request in [
        (fuzzed.stub.CompleteJob, pb.CompleteJobRequest(jobKey=fuzzed.job_key, variables=variables)),
        (fuzzed.stub.FailJob, pb.FailJobRequest(jobKey=fuzzed.job_key, retries=3, variables=variables)),
        (
            fuzzed.stub.ThrowError,
            pb.ThrowErrorRequest(jobKey=fuzzed.job_key, errorCode="E", variables=variables),
        ),
        (
            fuzzed.stub.SetVariables,
            pb.SetVariablesRequest(elementInstanceKey=fuzzed.survivor_key, variables=variables),
        ),
    ]:
        code = answer(call, request)
        assert code is grpc.StatusCode.INVALID_ARGUMENT, f"{type(request).__name__}: {variables[:80]!r}"


async def test_the_engine_is_up_and_the_instance_started_before_completes(fuzzed: Fuzzed) -> None:
    """Last in the module: after all of the above, the engine answers and the old instance is whole."""
    topology = fuzzed.stub.Topology(pb.TopologyRequest(), timeout=10)
    assert topology.brokers
    request = pb.ActivateJobsRequest(
        type=SURVIVOR_JOB, worker="survivor", timeout=60_000, maxJobsToActivate=5, requestTimeout=5_000
    )
    jobs = [job for response in fuzzed.stub.ActivateJobs(request, timeout=30) for job in response.jobs]
    assert [job.key for job in jobs] == [fuzzed.job_key]
    assert json.loads(jobs[0].variables) == SURVIVOR_VARIABLES
    fuzzed.stub.CompleteJob(pb.CompleteJobRequest(jobKey=fuzzed.job_key, variables='{"done": true}'))
    view = await fuzzed.handle.is_completed(fuzzed.survivor_key)
    assert view is not None


# ------------------------------------------------------------------------------------ PostgreSQL


@pytest.mark.postgres
def test_names_postgresql_cannot_store_are_refused_and_the_engine_goes_on(postgres_url: str) -> None:
    """A NUL or an over-long name once reached a VARCHAR column: PostgreSQL refused the batch, which
    the engine retried for ever, and no command was answered again."""
    handle = EngineHandle.start_embedded(postgres_url, rest=False)
    channel = grpc.insecure_channel(handle.address)
    stub = GatewayStub(channel)
    try:
        name, xml = Diagram("pg").start().task("work", "pg-work").end().chain("start", "work", "end").file()
        stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name=name, content=xml.encode())])
        )
        key = stub.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(bpmnProcessId="pg")
        ).processInstanceKey
        for variables in [{"a\x00": 1}, {"k" * 300: 1}]:
            request = pb.SetVariablesRequest(elementInstanceKey=key, variables=json.dumps(variables))
            assert answer(stub.SetVariables, request) is grpc.StatusCode.INVALID_ARGUMENT
        for worker in ["w" * 300, "a\x00b"]:
            request = pb.ActivateJobsRequest(
                type="pg-work", worker=worker, timeout=1000, maxJobsToActivate=1, requestTimeout=-1
            )
            with pytest.raises(grpc.RpcError) as refused:
                list(stub.ActivateJobs(request, timeout=CALL_TIMEOUT_S))
            assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        fail = pb.FailJobRequest(jobKey=1, retries=1, errorMessage="a\x00b")
        assert answer(stub.FailJob, fail) is grpc.StatusCode.INVALID_ARGUMENT
        # Values may hold NUL (stored as JSON escapes), and the engine still answers commands.
        request = pb.SetVariablesRequest(elementInstanceKey=key, variables=json.dumps({"a": "\x00"}))
        assert answer(stub.SetVariables, request) is grpc.StatusCode.OK
        stub.CancelProcessInstance(
            pb.CancelProcessInstanceRequest(processInstanceKey=key), timeout=CALL_TIMEOUT_S
        )
    finally:
        channel.close()
        handle.stop()
