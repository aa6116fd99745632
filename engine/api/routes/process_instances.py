"""Process instances: create, search, get, cancel, their taken flows and element statistics
(`/process-instances`)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Body, Depends, Response

from engine.api import filters as f
from engine.api import schemas as s
from engine.api.problems import Problem, bad_request
from engine.api.routes import camunda_router
from engine.api.services import Services, services
from engine.runtime import commands
from engine.runtime.context import Context
from engine.runtime.entities import ElementInstance

router = camunda_router(prefix="/process-instances", tags=["Process instance"])
Deps = Annotated[Services, Depends(services)]

DEFAULT_AWAIT_TIMEOUT_MS = 10_000


@router.post("", response_model=s.ProcessInstanceCreated)
async def create_process_instance(body: s.ProcessInstanceCreation, deps: Deps) -> s.ProcessInstanceCreated:
    if body.processDefinitionKey is None and not body.processDefinitionId:
        raise bad_request("Expected either a processDefinitionKey or a processDefinitionId, but none given")
    if body.processDefinitionKey is not None and body.processDefinitionId:
        raise bad_request("Expected either a processDefinitionKey or a processDefinitionId, but both given")
    if body.startInstructions or body.runtimeInstructions:
        raise bad_request("Start and runtime instructions are not supported by this engine yet")
    if body.tenantId not in (None, "", s.TENANT):
        raise bad_request(
            f"Expected tenant '{s.TENANT}' (multi-tenancy is disabled), but got '{body.tenantId}'"
        )
    key = f.parse_key(body.processDefinitionKey, "processDefinitionKey") if body.processDefinitionKey else 0
    process_id = body.processDefinitionId or ""
    version = body.processDefinitionVersion if not key else -1
    variables = body.variables or {}
    created: list[ElementInstance] = []

    def create(ctx: Context) -> int:
        created.append(commands.create_process_instance(ctx, process_id, version, key, variables))
        return created[0].key

    if not body.awaitCompletion:
        await deps.engine.execute(create)
        return _created(created[0], {})
    instance_key, ended = await deps.engine.create_instance_with_result(create)
    timeout_ms = body.requestTimeout if body.requestTimeout > 0 else DEFAULT_AWAIT_TIMEOUT_MS
    try:
        completed, result = await asyncio.wait_for(asyncio.shield(ended), timeout_ms / 1000)
    except TimeoutError:
        deps.engine.forget_result(instance_key, ended)
        raise Problem(
            504,
            f"Expected the process instance with key '{instance_key}' to complete within {timeout_ms} ms, "
            "but it is still running",
            "DEADLINE_EXCEEDED",
        ) from None
    if not completed:
        raise Problem(
            409, f"Expected to complete the process instance with key '{instance_key}', but it was terminated"
        )
    if body.fetchVariables:
        result = {name: result[name] for name in body.fetchVariables if name in result}
    return _created(created[0], result)


def _created(instance: ElementInstance, variables: dict[str, object]) -> s.ProcessInstanceCreated:
    return s.ProcessInstanceCreated(
        processDefinitionId=instance.bpmn_process_id,
        processDefinitionVersion=instance.version,
        variables=variables,
        processDefinitionKey=str(instance.process_definition_key),
        processInstanceKey=str(instance.key),
    )


@router.post("/search", response_model=s.SearchResult[s.ProcessInstance])
async def search_process_instances(
    deps: Deps, query: Annotated[s.ProcessInstanceSearch | None, Body()] = None
) -> s.SearchResult[s.ProcessInstance]:
    return await deps.queries.search_process_instances(query or s.ProcessInstanceSearch())


@router.get("/{processInstanceKey}", response_model=s.ProcessInstance)
async def get_process_instance(processInstanceKey: str, deps: Deps) -> s.ProcessInstance:
    return await deps.queries.process_instance(f.parse_key(processInstanceKey, "processInstanceKey"))


@router.get("/{processInstanceKey}/sequence-flows", response_model=s.ProcessInstanceSequenceFlows)
async def get_process_instance_sequence_flows(
    processInstanceKey: str, deps: Deps
) -> s.ProcessInstanceSequenceFlows:
    return await deps.queries.sequence_flows(f.parse_key(processInstanceKey, "processInstanceKey"))


@router.get("/{processInstanceKey}/statistics/element-instances", response_model=s.ElementStatisticsResult)
async def get_process_instance_statistics(processInstanceKey: str, deps: Deps) -> s.ElementStatisticsResult:
    key = f.parse_key(processInstanceKey, "processInstanceKey")
    return await deps.queries.process_instance_statistics(key)


@router.post("/{processInstanceKey}/cancellation", status_code=204, response_class=Response)
async def cancel_process_instance(
    processInstanceKey: str,
    deps: Deps,
    body: Annotated[s.CancelProcessInstance | None, Body()] = None,
) -> Response:
    key = f.parse_key(processInstanceKey, "processInstanceKey")
    await deps.engine.execute(lambda ctx: commands.cancel_process_instance(ctx, key))
    return Response(status_code=204)
