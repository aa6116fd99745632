"""Deployed process definitions: search, get, BPMN XML, start form, element statistics
(`/process-definitions`)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Body, Depends, Response

from engine.api import filters as f
from engine.api import schemas as s
from engine.api.catalog import Catalog
from engine.api.problems import bad_request, not_found
from engine.api.routes import camunda_router
from engine.api.services import Services, services
from engine.runtime.entities import FormDefinition, ProcessDefinition

router = camunda_router(prefix="/process-definitions", tags=["Process definition"])
Deps = Annotated[Services, Depends(services)]


def _result(catalog: Catalog, definition: ProcessDefinition) -> s.ProcessDefinition:
    return s.ProcessDefinition(
        name=catalog.process_name(definition.key),
        resourceName=definition.resource_name,
        version=definition.version,
        versionTag=catalog.version_tag(definition.key),
        processDefinitionId=definition.bpmn_process_id,
        processDefinitionKey=str(definition.key),
        hasStartForm=catalog.start_form_id(definition.key) is not None,
    )


def _matches(
    catalog: Catalog, d: ProcessDefinition, spec: s.ProcessDefinitionFilter, latest: set[int]
) -> bool:
    if spec.isLatestVersion and d.key not in latest:
        return False
    if spec.processDefinitionKey is not None and d.key != f.parse_key(spec.processDefinitionKey):
        return False
    if spec.resourceName is not None and d.resource_name != spec.resourceName:
        return False
    if spec.version is not None and d.version != spec.version:
        return False
    if spec.versionTag is not None and catalog.version_tag(d.key) != spec.versionTag:
        return False
    if spec.tenantId not in (None, s.TENANT):
        return False
    if spec.hasStartForm is not None and (catalog.start_form_id(d.key) is not None) != spec.hasStartForm:
        return False
    return f.python_string_match(d.bpmn_process_id, spec.processDefinitionId) and f.python_string_match(
        catalog.process_name(d.key), spec.name
    )


_SORT_KEYS: dict[str, Any] = {
    "processDefinitionKey": lambda r: int(r.processDefinitionKey),
    "name": lambda r: r.name,
    "resourceName": lambda r: r.resourceName,
    "version": lambda r: r.version,
    "versionTag": lambda r: r.versionTag,
    "processDefinitionId": lambda r: r.processDefinitionId,
    "tenantId": lambda r: r.tenantId,
}


@router.post("/search", response_model=s.SearchResult[s.ProcessDefinition])
async def search_process_definitions(
    deps: Deps, query: Annotated[s.ProcessDefinitionSearch | None, Body()] = None
) -> s.SearchResult[s.ProcessDefinition]:
    query = query or s.ProcessDefinitionSearch()
    spec = query.filter or s.ProcessDefinitionFilter()
    catalog = deps.catalog
    definitions = catalog.definitions()
    newest: dict[str, ProcessDefinition] = {}
    for d in definitions:
        if d.bpmn_process_id not in newest or newest[d.bpmn_process_id].version < d.version:
            newest[d.bpmn_process_id] = d
    latest = {d.key for d in newest.values()}
    found = [_result(catalog, d) for d in definitions if _matches(catalog, d, spec, latest)]
    found.sort(key=lambda r: int(r.processDefinitionKey))
    for item in reversed(query.sort):
        key = _SORT_KEYS[item.field]
        present = [r for r in found if key(r) is not None]
        missing = [r for r in found if key(r) is None]
        present.sort(key=key, reverse=item.order == "DESC")
        found = present + missing
    win = f.window(query.page)
    items = found[win.offset : win.offset + win.limit]
    return s.SearchResult(items=items, page=f.page_response(len(found), win, len(items)))


def _definition(deps: Services, key: str) -> ProcessDefinition:
    definition = deps.catalog.definition(f.parse_key(key, "processDefinitionKey"))
    if definition is None:
        raise not_found(f"Process definition with key '{key}' not found")
    return definition


@router.get("/{processDefinitionKey}", response_model=s.ProcessDefinition)
async def get_process_definition(processDefinitionKey: str, deps: Deps) -> s.ProcessDefinition:
    return _result(deps.catalog, _definition(deps, processDefinitionKey))


@router.get(
    "/{processDefinitionKey}/xml",
    response_class=Response,
    responses={200: {"content": {"text/xml": {"schema": {"type": "string"}}}}},
)
async def get_process_definition_xml(processDefinitionKey: str, deps: Deps) -> Response:
    definition = _definition(deps, processDefinitionKey)
    return Response(definition.resource, media_type="text/xml; charset=utf-8")


def form_result(form: FormDefinition) -> s.FormResult:
    try:
        schema = json.loads(form.resource)
    except ValueError:
        raise bad_request(f"The form '{form.form_id}' is not valid JSON") from None
    return s.FormResult(formId=form.form_id, schema=schema, version=form.version, formKey=str(form.key))


@router.get(
    "/{processDefinitionKey}/form",
    response_model=s.FormResult,
    responses={204: {"description": "The process has no start form"}},
)
async def get_start_form(processDefinitionKey: str, deps: Deps) -> s.FormResult | Response:
    definition = _definition(deps, processDefinitionKey)
    form_id = deps.catalog.start_form_id(definition.key)
    form = deps.catalog.latest_form(form_id) if form_id is not None else None
    if form is None:
        return Response(status_code=204)
    return form_result(form)


@router.post("/{processDefinitionKey}/statistics/element-instances", response_model=s.ElementStatisticsResult)
async def get_process_definition_statistics(
    processDefinitionKey: str,
    deps: Deps,
    query: Annotated[s.ProcessDefinitionElementStatisticsQuery | None, Body()] = None,
) -> s.ElementStatisticsResult:
    key = f.parse_key(processDefinitionKey, "processDefinitionKey")
    return await deps.queries.process_definition_statistics(key, query.filter if query is not None else None)
