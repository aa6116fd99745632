"""Small BPMN builders and gRPC helpers for the engine tests.

`Diagram` writes a Zeebe BPMN file element by element, so each test shows the process it runs in a
few lines. The helpers around the raw `GatewayStub` call the RPCs pyzeebe's client does not expose
and turn gRPC failures into assertions that say what was expected.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Awaitable, Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import grpc
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://minsheng.test">\n'
)


def _attrs(**attributes: str | None) -> str:
    return "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items() if value is not None)


def _io(inputs: Sequence[tuple[str, str]], outputs: Sequence[tuple[str, str]]) -> str:
    if not inputs and not outputs:
        return ""
    lines = [f'<zeebe:input source={quoteattr(s)} target="{t}"/>' for s, t in inputs]
    lines += [f'<zeebe:output source={quoteattr(s)} target="{t}"/>' for s, t in outputs]
    return "<zeebe:ioMapping>" + "".join(lines) + "</zeebe:ioMapping>"


def _job(job_type: str | None, retries: str | None, headers: dict[str, str] | None) -> str:
    if job_type is None:
        return ""
    xml = f"<zeebe:taskDefinition{_attrs(type=job_type, retries=retries)}/>"
    if headers:
        xml += (
            "<zeebe:taskHeaders>"
            + "".join(f"<zeebe:header{_attrs(key=k, value=v)}/>" for k, v in headers.items())
            + "</zeebe:taskHeaders>"
        )
    return xml


def _extensions(*parts: str) -> str:
    body = "".join(parts)
    return f"<bpmn:extensionElements>{body}</bpmn:extensionElements>" if body else ""


class Diagram:
    """One executable process, built element by element; `xml()` gives the file's text."""

    def __init__(self, process_id: str) -> None:
        self.process_id = process_id
        self.nodes: list[str] = []
        self.flows: list[str] = []
        self.globals: list[str] = []
        self._messages: dict[tuple[str, str | None], str] = {}
        self._errors: dict[str, str] = {}
        self._flow_count = 0

    # ------------------------------------------------------------------------------ definitions

    def _message(self, name: str, correlation_key: str | None) -> str:
        if (name, correlation_key) not in self._messages:
            ref = f"Message_{len(self._messages) + 1}"
            subscription = (
                _extensions(f"<zeebe:subscription correlationKey={quoteattr(correlation_key)}/>")
                if correlation_key is not None
                else ""
            )
            self.globals.append(
                f"<bpmn:message id={quoteattr(ref)} name={quoteattr(name)}>{subscription}</bpmn:message>"
            )
            self._messages[(name, correlation_key)] = ref
        return self._messages[(name, correlation_key)]

    def _error(self, code: str) -> str:
        if code not in self._errors:
            ref = f"Error_{len(self._errors) + 1}"
            self.globals.append(f"<bpmn:error id={quoteattr(ref)} errorCode={quoteattr(code)}/>")
            self._errors[code] = ref
        return self._errors[code]

    # ---------------------------------------------------------------------------------- elements

    def raw(self, xml: str) -> Diagram:
        self.nodes.append(xml)
        return self

    def start(self, id: str = "start") -> Diagram:
        return self.raw(f'<bpmn:startEvent id="{id}"/>')

    def end(self, id: str = "end") -> Diagram:
        return self.raw(f'<bpmn:endEvent id="{id}"/>')

    def terminate_end(self, id: str) -> Diagram:
        return self.raw(f'<bpmn:endEvent id="{id}"><bpmn:terminateEventDefinition/></bpmn:endEvent>')

    def error_end(self, id: str, code: str) -> Diagram:
        ref = self._error(code)
        return self.raw(
            f'<bpmn:endEvent id="{id}"><bpmn:errorEventDefinition errorRef="{ref}"/></bpmn:endEvent>'
        )

    def task(
        self,
        id: str,
        job_type: str | None,
        *,
        kind: str = "serviceTask",
        retries: str | None = None,
        headers: dict[str, str] | None = None,
        inputs: Sequence[tuple[str, str]] = (),
        outputs: Sequence[tuple[str, str]] = (),
    ) -> Diagram:
        """A task worked by a job worker (`kind`: serviceTask, sendTask, scriptTask, businessRuleTask)."""
        ext = _extensions(_job(job_type, retries, headers), _io(inputs, outputs))
        return self.raw(f'<bpmn:{kind} id="{id}">{ext}</bpmn:{kind}>')

    def receive_task(
        self, id: str, message: str, correlation_key: str, *, outputs: Sequence[tuple[str, str]] = ()
    ) -> Diagram:
        ref = self._message(message, correlation_key)
        ext = _extensions(_io((), outputs))
        return self.raw(f'<bpmn:receiveTask id="{id}" messageRef="{ref}">{ext}</bpmn:receiveTask>')

    def catch_message(self, id: str, message: str, correlation_key: str) -> Diagram:
        ref = self._message(message, correlation_key)
        return self.raw(
            f'<bpmn:intermediateCatchEvent id="{id}"><bpmn:messageEventDefinition messageRef="{ref}"/>'
            "</bpmn:intermediateCatchEvent>"
        )

    def message_throw(self, id: str, job_type: str, *, end: bool = False) -> Diagram:
        """A message intermediate throw event (or end event) worked as a job."""
        tag = "endEvent" if end else "intermediateThrowEvent"
        ref = self._message(f"{id}-message", None)
        return self.raw(
            f'<bpmn:{tag} id="{id}">{_extensions(_job(job_type, None, None))}'
            f'<bpmn:messageEventDefinition messageRef="{ref}"/></bpmn:{tag}>'
        )

    def exclusive(self, id: str, default: str | None = None) -> Diagram:
        return self.raw(f"<bpmn:exclusiveGateway{_attrs(id=id, default=default)}/>")

    def parallel(self, id: str) -> Diagram:
        return self.raw(f'<bpmn:parallelGateway id="{id}"/>')

    def error_boundary(
        self, id: str, attached_to: str, code: str | None = None, *, outputs: Sequence[tuple[str, str]] = ()
    ) -> Diagram:
        definition = (
            f'<bpmn:errorEventDefinition errorRef="{self._error(code)}"/>'
            if code is not None
            else "<bpmn:errorEventDefinition/>"
        )
        return self.raw(
            f'<bpmn:boundaryEvent id="{id}" attachedToRef="{attached_to}">'
            f"{_extensions(_io((), outputs))}{definition}</bpmn:boundaryEvent>"
        )

    def message_boundary(
        self, id: str, attached_to: str, message: str, correlation_key: str, *, interrupting: bool = True
    ) -> Diagram:
        ref = self._message(message, correlation_key)
        cancel = "true" if interrupting else "false"
        return self.raw(
            f'<bpmn:boundaryEvent id="{id}" attachedToRef="{attached_to}" cancelActivity="{cancel}">'
            f'<bpmn:messageEventDefinition messageRef="{ref}"/></bpmn:boundaryEvent>'
        )

    # ------------------------------------------------------------------------------------- flows

    def flow(self, source: str, target: str, condition: str | None = None, id: str | None = None) -> Diagram:
        self._flow_count += 1
        flow_id = id or f"flow{self._flow_count}"
        body = (
            f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>"
            if condition is not None
            else ""
        )
        self.flows.append(
            f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
            f"{body}</bpmn:sequenceFlow>"
        )
        return self

    def chain(self, *element_ids: str) -> Diagram:
        """Sequence flows from each element to the next."""
        for source, target in itertools.pairwise(element_ids):
            self.flow(source, target)
        return self

    # -------------------------------------------------------------------------------------- file

    def process_xml(self) -> str:
        return (
            f'<bpmn:process id="{self.process_id}" isExecutable="true">\n  '
            + "\n  ".join(self.nodes + self.flows)
            + "\n</bpmn:process>\n"
        )

    def xml(self) -> str:
        return HEAD + "".join(g + "\n" for g in self.globals) + self.process_xml() + "</bpmn:definitions>\n"

    def file(self) -> tuple[str, str]:
        """(file name, text), as the `deploy` fixture takes it."""
        return f"{self.process_id}.bpmn", self.xml()


def flow(id: str, source: str, target: str) -> str:
    """A sequence flow's XML, for raw fragments such as the inside of a subprocess."""
    return f'<bpmn:sequenceFlow id="{id}" sourceRef="{source}" targetRef="{target}"/>'


def service(id: str, job_type: str) -> str:
    """A service task's XML, for raw fragments such as the inside of a subprocess."""
    return (
        f'<bpmn:serviceTask id="{id}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}"/></bpmn:extensionElements></bpmn:serviceTask>'
    )


def one_task(process_id: str, job_type: str, **task: Any) -> Diagram:
    """start → task → end."""
    return Diagram(process_id).start().task("task", job_type, **task).end().chain("start", "task", "end")


def waits_for_message(process_id: str, message: str, correlation_key: str = "=key") -> Diagram:
    """start → message catch event → end."""
    return (
        Diagram(process_id)
        .start()
        .catch_message("wait", message, correlation_key)
        .end()
        .chain("start", "wait", "end")
    )


def form(form_id: str, label: str = "Name") -> str:
    return json.dumps(
        {
            "id": form_id,
            "type": "default",
            "schemaVersion": 16,
            "components": [{"type": "textfield", "key": "name", "label": label}],
        }
    )


# ------------------------------------------------------------------------------------------- gRPC


def stub(address: str) -> tuple[grpc.aio.Channel, GatewayStub]:
    from pyzeebe import create_insecure_channel

    channel = create_insecure_channel(address)
    return channel, GatewayStub(channel)


async def rejected(call: Awaitable[Any], code: grpc.StatusCode, what: str) -> str:
    """Await a gRPC call that must fail with `code`; returns the status details."""
    try:
        answer = await call
    except grpc.aio.AioRpcError as error:
        assert error.code() == code, (
            f"{what}: expected gRPC status {code.name}, but got {error.code().name}: {error.details()}"
        )
        return error.details() or ""
    raise AssertionError(f"{what}: expected gRPC status {code.name}, but the call succeeded with {answer!r}")


async def activate(
    gateway: GatewayStub,
    job_type: str,
    *,
    max_jobs: int = 32,
    timeout_ms: int = 60_000,
    request_timeout_ms: int = 5_000,
    fetch: Iterable[str] = (),
    worker: str = "engine-test",
) -> list[pb.ActivatedJob]:
    """ActivateJobs as a worker calls it; long-polls up to `request_timeout_ms` for jobs."""
    request = pb.ActivateJobsRequest(
        type=job_type,
        worker=worker,
        timeout=timeout_ms,
        maxJobsToActivate=max_jobs,
        fetchVariable=list(fetch),
        requestTimeout=request_timeout_ms,
    )
    jobs: list[pb.ActivatedJob] = []
    async for response in gateway.ActivateJobs(request, timeout=request_timeout_ms / 1000 + 10):
        jobs.extend(response.jobs)
    return jobs


async def activate_one(gateway: GatewayStub, job_type: str, **options: Any) -> pb.ActivatedJob:
    """Activate exactly one job of `job_type`, waiting for it to become activatable."""
    deadline = time.monotonic() + options.pop("within_s", 10.0)
    while True:
        jobs = await activate(gateway, job_type, max_jobs=1, **options)
        if jobs:
            return jobs[0]
        if time.monotonic() >= deadline:
            raise AssertionError(f"expected a job of type '{job_type}' to become activatable, but none did")


async def no_job(gateway: GatewayStub, job_type: str, why: str, wait_ms: int = 300) -> None:
    """Assert that no job of `job_type` is activatable (long-polls `wait_ms` to give it a chance)."""
    jobs = await activate(gateway, job_type, request_timeout_ms=wait_ms)
    assert not jobs, (
        f"expected no activatable job of type '{job_type}' ({why}), but activated "
        f"{[(job.key, job.elementId, job.processInstanceKey) for job in jobs]}"
    )


def variables_of(job: pb.ActivatedJob) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(job.variables)
    return value


async def complete(gateway: GatewayStub, job_key: int, variables: dict[str, Any] | None = None) -> None:
    await gateway.CompleteJob(pb.CompleteJobRequest(jobKey=job_key, variables=json.dumps(variables or {})))


async def create(
    gateway: GatewayStub, process_id: str, variables: dict[str, Any] | None = None, version: int = -1
) -> int:
    response = await gateway.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(
            bpmnProcessId=process_id, version=version, variables=json.dumps(variables or {})
        )
    )
    return int(response.processInstanceKey)


async def publish(
    gateway: GatewayStub,
    name: str,
    correlation_key: str,
    variables: dict[str, Any] | None = None,
    ttl_ms: int = 0,
    message_id: str = "",
) -> pb.PublishMessageResponse:
    return await gateway.PublishMessage(
        pb.PublishMessageRequest(
            name=name,
            correlationKey=correlation_key,
            timeToLive=ttl_ms,
            messageId=message_id,
            variables=json.dumps(variables or {}),
        )
    )
