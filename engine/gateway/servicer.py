"""Zeebe's gateway gRPC API over the engine, served with pyzeebe's bundled stubs.

Requests are checked the way Zeebe's gateway checks them; commands go to the engine; rejections
become Zeebe's status codes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import grpc
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayServicer

from engine.gateway import mapping
from engine.gateway.mapping import TENANT
from engine.jsoncodec import dumps
from engine.runtime import commands
from engine.runtime.context import Context
from engine.runtime.engine import Engine, InternalError
from engine.runtime.entities import ElementInstance
from engine.runtime.errors import Rejection, RejectionType

log = logging.getLogger(__name__)

T = TypeVar("T")

GATEWAY_VERSION = "8.8.0"
GATEWAY_SERVICE_NAME = "gateway_protocol.Gateway"
DEFAULT_LONG_POLL_MS = 10_000
DEFAULT_RESULT_TIMEOUT_MS = 10_000
# Answer a long poll this long before the client's own deadline, so it never sees DEADLINE_EXCEEDED.
DEADLINE_MARGIN_S = 0.5

_STATUS = {
    RejectionType.INVALID_ARGUMENT: grpc.StatusCode.INVALID_ARGUMENT,
    RejectionType.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    RejectionType.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    RejectionType.INVALID_STATE: grpc.StatusCode.FAILED_PRECONDITION,
    RejectionType.RESOURCE_EXHAUSTED: grpc.StatusCode.RESOURCE_EXHAUSTED,
}


# A lone surrogate escape (`"\ud800"`) parses into a string that no database can store; only
# documents that contain such an escape are walked.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:40]} is beyond the range of a double")
    return value


def parse_document(text: str, field: str) -> dict[str, Any]:
    """A variables document: empty means none; anything but a JSON object is INVALID_ARGUMENT."""
    if not text.strip():
        return {}
    try:
        document = json.loads(text, parse_constant=refuse_constant, parse_float=finite_float)
    except json.JSONDecodeError as error:
        raise Rejection(
            RejectionType.INVALID_ARGUMENT,
            f"Property '{field}' is invalid: expected a JSON object, but it does not parse ({error})",
        ) from None
    except RecursionError:
        raise Rejection(
            RejectionType.INVALID_ARGUMENT,
            f"Property '{field}' is invalid: the JSON document is nested too deeply",
        ) from None
    except ValueError as error:
        # NaN and Infinity, and integers of more digits than Python converts.
        raise Rejection(RejectionType.INVALID_ARGUMENT, f"Property '{field}' is invalid: {error}") from None
    if not isinstance(document, dict):
        raise Rejection(
            RejectionType.INVALID_ARGUMENT,
            f"Property '{field}' is invalid: expected a JSON object, but found {type(document).__name__}",
        )
    check_document(document, field, text)
    return document


# Names go into VARCHAR(255) columns of the search projections; PostgreSQL refuses longer ones and
# any NUL character. The writer would reject such a command after the database refused its batch
# (engine/store/repository.py RefusedBatch); checked here, it is refused before costing a write.
MAX_NAME_LENGTH = 255


def check_stored_text(value: str, what: str, max_length: int | None = MAX_NAME_LENGTH) -> None:
    if max_length is not None and len(value) > max_length:
        raise Rejection(
            RejectionType.INVALID_ARGUMENT,
            f"Expected {what} of at most {max_length} characters, but it has {len(value)}",
        )
    if "\x00" in value:
        raise Rejection(
            RejectionType.INVALID_ARGUMENT, f"Expected {what} without NUL characters, but found one"
        )


def check_document(document: Any, field: str, source: str | None = None) -> None:
    """Refuse what a parsed variables document may hold but the engine cannot store.

    `source` is the document's JSON text when there is one: only text with a surrogate escape
    needs the walk for lone surrogates.
    """
    if isinstance(document, dict):
        for name in document:
            check_stored_text(name, f"a variable name of '{field}'")
    if source is not None and not _SURROGATE_ESCAPE.search(source):
        return
    stack: list[Any] = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise Rejection(
                    RejectionType.INVALID_ARGUMENT,
                    f"Property '{field}' is invalid: a string holds a lone UTF-16 surrogate "
                    f"({value[:40].encode('utf-8', 'backslashreplace').decode()!r})",
                ) from None


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise Rejection(RejectionType.INVALID_ARGUMENT, message)


class _Undecodable:
    """What a request that does not decode becomes, so that it is answered instead of crashing."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _lenient(deserializer: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    def deserialize(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception as error:  # protobuf's DecodeError: garbage, or a string that is not UTF-8
            return _Undecodable(str(error))

    return deserialize


class DecodingRegistration:
    """Stands in for the server while the generated stub registers the gateway's handlers, and
    registers them wrapped so that a request that is not well-formed protobuf is answered with
    INVALID_ARGUMENT (gRPC itself would answer UNKNOWN with the parser's exception, and never reach
    the servicer).

    The handlers are wrapped once, here, rather than per call by a server interceptor: without
    interceptors gRPC finds a call's handler without running an interceptor pipeline, which is
    a measurable share of every call's cost on the engine's hot path.
    """

    def __init__(self, server: grpc.aio.Server) -> None:
        self._server = server
        self.registered = False

    def add_generic_rpc_handlers(self, handlers: Any) -> None:
        """The stub registers the same handlers through `add_registered_method_handlers` too;
        those are the ones wrapped and registered both ways."""

    def add_registered_method_handlers(
        self, service: str, handlers: dict[str, grpc.RpcMethodHandler]
    ) -> None:
        wrapped = {name: _decoding(handler, name) for name, handler in handlers.items()}
        self._server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, wrapped),))
        self._server.add_registered_method_handlers(service, wrapped)
        self.registered = True


def _undecodable(rpc: str, request: _Undecodable) -> str:
    return (
        f"Expected a well-formed {rpc} request, but it does not decode as protobuf (a string field "
        f"that is not UTF-8, or not protobuf at all): {request.reason}"
    )


def _decoding(handler: grpc.RpcMethodHandler, rpc: str) -> grpc.RpcMethodHandler:
    if handler.request_deserializer is None:
        return handler
    codec = {
        "request_deserializer": _lenient(handler.request_deserializer),
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary is not None:
        unary = handler.unary_unary

        async def checked_unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            if isinstance(request, _Undecodable):
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, _undecodable(rpc, request))
            return await unary(request, context)

        return grpc.unary_unary_rpc_method_handler(checked_unary, **codec)
    if handler.unary_stream is not None:
        stream = handler.unary_stream

        async def checked_stream(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            if isinstance(request, _Undecodable):
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, _undecodable(rpc, request))
            async for response in stream(request, context):
                yield response

        return grpc.unary_stream_rpc_method_handler(checked_stream, **codec)
    return handler


class Gateway(GatewayServicer):
    def __init__(self, engine: Engine, host: str, port: int) -> None:
        self.engine = engine
        self.host = host
        self.port = port

    async def _run(self, context: grpc.aio.ServicerContext[Any, Any], call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except Rejection as rejection:
            await self._abort(context, _STATUS[rejection.type], rejection.message)
        except InternalError as error:
            await self._abort(context, grpc.StatusCode.INTERNAL, str(error))

    @staticmethod
    async def _abort(
        context: grpc.aio.ServicerContext[Any, Any], code: grpc.StatusCode, message: str
    ) -> NoReturn:
        await context.abort(code, message)
        raise AssertionError("unreachable: abort raises")

    # ------------------------------------------------------------------------------------- cluster

    async def Topology(self, request: pb.TopologyRequest, context: Any) -> pb.TopologyResponse:
        partition = pb.Partition(
            partitionId=1,
            role=pb.Partition.PartitionBrokerRole.LEADER,
            health=pb.Partition.PartitionBrokerHealth.HEALTHY,
        )
        broker = pb.BrokerInfo(
            nodeId=0, host=self.host, port=self.port, partitions=[partition], version=GATEWAY_VERSION
        )
        return pb.TopologyResponse(
            brokers=[broker],
            clusterSize=1,
            partitionsCount=1,
            replicationFactor=1,
            gatewayVersion=GATEWAY_VERSION,
        )

    # ---------------------------------------------------------------------------------- deployment

    async def DeployResource(
        self, request: pb.DeployResourceRequest, context: Any
    ) -> pb.DeployResourceResponse:
        async def call() -> pb.DeployResourceResponse:
            resources = [(resource.name, bytes(resource.content)) for resource in request.resources]
            deployment = await self.engine.execute(lambda ctx: commands.deploy(ctx, resources))
            entries = mapping.deployment_entries(deployment)
            return pb.DeployResourceResponse(key=deployment.key, deployments=entries, tenantId=TENANT)

        return await self._run(context, call)

    async def DeployProcess(self, request: pb.DeployProcessRequest, context: Any) -> pb.DeployProcessResponse:
        """Zeebe's deprecated predecessor of DeployResource, still used by older clients."""

        async def call() -> pb.DeployProcessResponse:
            resources = [(process.name, bytes(process.definition)) for process in request.processes]
            deployment = await self.engine.execute(lambda ctx: commands.deploy(ctx, resources))
            return pb.DeployProcessResponse(
                key=deployment.key,
                processes=[mapping.process_metadata(p) for p in deployment.processes],
            )

        return await self._run(context, call)

    # --------------------------------------------------------------------------- process instances

    def _creation(self, request: pb.CreateProcessInstanceRequest) -> Callable[[Context], ElementInstance]:
        variables = parse_document(request.variables, "variables")
        _require(
            not request.startInstructions,
            "Start instructions are not supported by this engine yet; start at the none start event",
        )

        def create(ctx: Context) -> ElementInstance:
            return commands.create_process_instance(
                ctx, request.bpmnProcessId, request.version, request.processDefinitionKey, variables
            )

        return create

    async def CreateProcessInstance(
        self, request: pb.CreateProcessInstanceRequest, context: Any
    ) -> pb.CreateProcessInstanceResponse:
        async def call() -> pb.CreateProcessInstanceResponse:
            instance = await self.engine.execute(self._creation(request))
            return pb.CreateProcessInstanceResponse(
                processDefinitionKey=instance.process_definition_key,
                bpmnProcessId=instance.bpmn_process_id,
                version=instance.version,
                processInstanceKey=instance.key,
                tenantId=TENANT,
            )

        return await self._run(context, call)

    async def CreateProcessInstanceWithResult(
        self, request: pb.CreateProcessInstanceWithResultRequest, context: Any
    ) -> pb.CreateProcessInstanceWithResultResponse:
        async def call() -> pb.CreateProcessInstanceWithResultResponse:
            create = self._creation(request.request)
            created: list[ElementInstance] = []

            def command(ctx: Context) -> int:
                created.append(create(ctx))
                return created[0].key

            key, ended = await self.engine.create_instance_with_result(command)
            timeout_ms = request.requestTimeout if request.requestTimeout > 0 else DEFAULT_RESULT_TIMEOUT_MS
            try:
                completed, variables = await asyncio.wait_for(
                    asyncio.shield(ended), self._bounded(context, timeout_ms / 1000)
                )
            except TimeoutError:
                self.engine.forget_result(key, ended)
                await self._abort(
                    context,
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                    f"Expected the process instance with key '{key}' to complete within {timeout_ms} ms, "
                    "but it is still running",
                )
            if not completed:
                await self._abort(
                    context,
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"Expected to complete the process instance with key '{key}', but it was terminated",
                )
            if request.fetchVariables:
                variables = {name: variables[name] for name in request.fetchVariables if name in variables}
            instance = created[0]
            return pb.CreateProcessInstanceWithResultResponse(
                processDefinitionKey=instance.process_definition_key,
                bpmnProcessId=instance.bpmn_process_id,
                version=instance.version,
                processInstanceKey=key,
                variables=dumps(variables),
                tenantId=TENANT,
            )

        return await self._run(context, call)

    async def CancelProcessInstance(
        self, request: pb.CancelProcessInstanceRequest, context: Any
    ) -> pb.CancelProcessInstanceResponse:
        async def call() -> pb.CancelProcessInstanceResponse:
            await self.engine.execute(
                lambda ctx: commands.cancel_process_instance(ctx, request.processInstanceKey)
            )
            return pb.CancelProcessInstanceResponse()

        return await self._run(context, call)

    # ---------------------------------------------------------------------------------------- jobs

    @staticmethod
    def _bounded(context: Any, seconds: float) -> float:
        """`seconds`, cut short so the answer reaches the client before its deadline."""
        remaining: float | None = context.time_remaining()
        if remaining is None:
            return seconds
        return max(0.0, min(seconds, remaining - DEADLINE_MARGIN_S))

    @staticmethod
    def _check_activation(job_type: str, timeout: int, worker: str) -> None:
        _require(bool(job_type), "Expected to activate jobs of a type, but the type is empty")
        check_stored_text(worker, "a worker name")
        _require(
            timeout >= 1, f"Expected to activate jobs with a timeout of at least 1 ms, but was {timeout}"
        )

    def _activation(
        self, request: pb.ActivateJobsRequest | pb.StreamActivatedJobsRequest, max_jobs: int
    ) -> Callable[[Context], list[commands.ActivatedJob]]:
        job_type, worker, timeout = request.type, request.worker, request.timeout
        fetch = list(request.fetchVariable)

        def activate(ctx: Context) -> list[commands.ActivatedJob]:
            return commands.activate_jobs(ctx, job_type, worker, timeout, max_jobs, fetch)

        return activate

    @staticmethod
    def _activated_job(activated: commands.ActivatedJob) -> pb.ActivatedJob:
        job = activated.job
        return pb.ActivatedJob(
            key=job.key,
            type=job.type,
            processInstanceKey=job.process_instance_key,
            bpmnProcessId=job.bpmn_process_id,
            processDefinitionVersion=job.version,
            processDefinitionKey=job.process_definition_key,
            elementId=job.element_id,
            elementInstanceKey=job.element_instance_key,
            customHeaders=dumps(job.custom_headers),
            worker=job.worker,
            retries=job.retries,
            deadline=job.deadline,
            variables=dumps(activated.variables),
            tenantId=TENANT,
        )

    async def ActivateJobs(
        self, request: pb.ActivateJobsRequest, context: Any
    ) -> AsyncIterator[pb.ActivateJobsResponse]:
        try:
            self._check_activation(request.type, request.timeout, request.worker)
            _require(
                request.maxJobsToActivate >= 1,
                f"Expected to activate at least 1 job, but maxJobsToActivate was {request.maxJobsToActivate}",
            )
            activate = self._activation(request, request.maxJobsToActivate)
            if request.requestTimeout < 0:
                wait_s = 0.0
            else:
                wait_s = (request.requestTimeout or DEFAULT_LONG_POLL_MS) / 1000
            loop = asyncio.get_running_loop()
            give_up = loop.time() + self._bounded(context, wait_s)
            waiter = self.engine.job_waiter(request.type)
            try:
                while True:
                    waiter.clear()
                    activated = await self.engine.execute(activate)
                    remaining = give_up - loop.time()
                    if activated or remaining <= 0:
                        break
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(waiter.wait(), remaining)
            finally:
                self.engine.drop_job_waiter(request.type, waiter)
        except Rejection as rejection:
            await self._abort(context, _STATUS[rejection.type], rejection.message)
        if activated:
            yield pb.ActivateJobsResponse(jobs=[self._activated_job(job) for job in activated])

    async def StreamActivatedJobs(
        self, request: pb.StreamActivatedJobsRequest, context: Any
    ) -> AsyncIterator[pb.ActivatedJob]:
        try:
            self._check_activation(request.type, request.timeout, request.worker)
        except Rejection as rejection:
            await self._abort(context, _STATUS[rejection.type], rejection.message)
        activate = self._activation(request, 1)
        waiter = self.engine.job_waiter(request.type)
        try:
            while True:
                waiter.clear()
                activated = await self.engine.execute(activate)
                if not activated:
                    await waiter.wait()
                    continue
                for job in activated:
                    yield self._activated_job(job)
        finally:
            self.engine.drop_job_waiter(request.type, waiter)

    async def CompleteJob(self, request: pb.CompleteJobRequest, context: Any) -> pb.CompleteJobResponse:
        async def call() -> pb.CompleteJobResponse:
            variables = parse_document(request.variables, "variables")
            await self.engine.execute(lambda ctx: commands.complete_job(ctx, request.jobKey, variables))
            return pb.CompleteJobResponse()

        return await self._run(context, call)

    async def FailJob(self, request: pb.FailJobRequest, context: Any) -> pb.FailJobResponse:
        async def call() -> pb.FailJobResponse:
            variables = parse_document(request.variables, "variables")
            check_stored_text(request.errorMessage, "an error message", None)
            _require(
                request.retryBackOff >= 0,
                f"Expected a retry back-off of at least 0 ms, but was {request.retryBackOff}",
            )
            await self.engine.execute(
                lambda ctx: commands.fail_job(
                    ctx,
                    request.jobKey,
                    request.retries,
                    request.errorMessage,
                    request.retryBackOff,
                    variables,
                )
            )
            return pb.FailJobResponse()

        return await self._run(context, call)

    async def ThrowError(self, request: pb.ThrowErrorRequest, context: Any) -> pb.ThrowErrorResponse:
        async def call() -> pb.ThrowErrorResponse:
            variables = parse_document(request.variables, "variables")
            _require(bool(request.errorCode), "Expected to throw an error with a non-empty error code")
            check_stored_text(request.errorCode, "an error code", None)
            check_stored_text(request.errorMessage, "an error message", None)
            await self.engine.execute(
                lambda ctx: commands.throw_error(
                    ctx, request.jobKey, request.errorCode, request.errorMessage, variables
                )
            )
            return pb.ThrowErrorResponse()

        return await self._run(context, call)

    async def UpdateJobRetries(
        self, request: pb.UpdateJobRetriesRequest, context: Any
    ) -> pb.UpdateJobRetriesResponse:
        async def call() -> pb.UpdateJobRetriesResponse:
            await self.engine.execute(
                lambda ctx: commands.update_job_retries(ctx, request.jobKey, request.retries)
            )
            return pb.UpdateJobRetriesResponse()

        return await self._run(context, call)

    async def UpdateJobTimeout(
        self, request: pb.UpdateJobTimeoutRequest, context: Any
    ) -> pb.UpdateJobTimeoutResponse:
        async def call() -> pb.UpdateJobTimeoutResponse:
            _require(request.timeout >= 1, f"Expected a timeout of at least 1 ms, but was {request.timeout}")
            await self.engine.execute(
                lambda ctx: commands.update_job_timeout(ctx, request.jobKey, request.timeout)
            )
            return pb.UpdateJobTimeoutResponse()

        return await self._run(context, call)

    # ------------------------------------------------------------------------ variables, incidents

    async def SetVariables(self, request: pb.SetVariablesRequest, context: Any) -> pb.SetVariablesResponse:
        async def call() -> pb.SetVariablesResponse:
            variables = parse_document(request.variables, "variables")
            key = await self.engine.execute(
                lambda ctx: commands.set_variables(ctx, request.elementInstanceKey, variables, request.local)
            )
            return pb.SetVariablesResponse(key=key)

        return await self._run(context, call)

    async def ResolveIncident(
        self, request: pb.ResolveIncidentRequest, context: Any
    ) -> pb.ResolveIncidentResponse:
        async def call() -> pb.ResolveIncidentResponse:
            await self.engine.execute(lambda ctx: commands.resolve_incident(ctx, request.incidentKey))
            return pb.ResolveIncidentResponse()

        return await self._run(context, call)

    # ------------------------------------------------------------------------------------ messages

    async def PublishMessage(
        self, request: pb.PublishMessageRequest, context: Any
    ) -> pb.PublishMessageResponse:
        async def call() -> pb.PublishMessageResponse:
            variables = parse_document(request.variables, "variables")
            key = await self.engine.execute(
                lambda ctx: commands.publish_message(
                    ctx,
                    request.name,
                    request.correlationKey,
                    request.timeToLive,
                    request.messageId,
                    variables,
                )
            )
            return pb.PublishMessageResponse(key=key, tenantId=TENANT)

        return await self._run(context, call)

    # ------------------------------------------------------------------------------- not yet served

    async def _unsupported(self, context: Any, rpc: str) -> NoReturn:
        await self._abort(
            context, grpc.StatusCode.UNIMPLEMENTED, f"{rpc} is not supported by this engine yet"
        )

    async def EvaluateDecision(
        self, request: pb.EvaluateDecisionRequest, context: Any
    ) -> pb.EvaluateDecisionResponse:
        async def call() -> pb.EvaluateDecisionResponse:
            variables = parse_document(request.variables, "variables")
            outcome = await self.engine.execute(
                lambda ctx: commands.evaluate_decision(
                    ctx, request.decisionKey, request.decisionId, variables
                )
            )
            return mapping.decision_evaluation(outcome)

        return await self._run(context, call)

    async def BroadcastSignal(
        self, request: pb.BroadcastSignalRequest, context: Any
    ) -> pb.BroadcastSignalResponse:
        async def call() -> pb.BroadcastSignalResponse:
            variables = parse_document(request.variables, "variables")
            key = await self.engine.execute(
                lambda ctx: commands.broadcast_signal(ctx, request.signalName, variables)
            )
            return pb.BroadcastSignalResponse(key=key, tenantId=TENANT)

        return await self._run(context, call)

    async def ModifyProcessInstance(
        self, request: pb.ModifyProcessInstanceRequest, context: Any
    ) -> pb.ModifyProcessInstanceResponse:
        await self._unsupported(context, "ModifyProcessInstance")

    async def MigrateProcessInstance(
        self, request: pb.MigrateProcessInstanceRequest, context: Any
    ) -> pb.MigrateProcessInstanceResponse:
        await self._unsupported(context, "MigrateProcessInstance")

    async def DeleteResource(
        self, request: pb.DeleteResourceRequest, context: Any
    ) -> pb.DeleteResourceResponse:
        await self._unsupported(context, "DeleteResource")
