"""Open311 GeoReport v2 at /open311/v2/ for outside portals: services.json, requests.json (POST to
submit, GET to follow), requests/{id}.json and tokens/{token}.json. JSON only.

No session and no CSRF token: portals are programs, not signed-in users. Everything but the
service list needs an `api_key` of MINSHENG_OPEN311_API_KEYS (a form field to submit, a query
parameter to read): what a request's status tells is no personal data (see console/open311.py), but
a case is shown only to the portals the city gave a key, not to whoever guesses its number.
Errors are the spec's array `[{"code": ..., "description": ...}]`.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from console import case_lookup
from console.auth import ConsoleDep
from console.context import Console
from console.engine_client import EngineError
from console.open311 import (
    PROCESS_ID,
    CaseRecord,
    Catalogue,
    Open311Error,
    api_keys,
    is_public,
    key_is_valid,
    parse_new_request,
    parse_query,
    service_list,
    service_request,
    start_variables,
    token_answer,
)

router = APIRouter(prefix="/open311/v2")

COORDINATES = ("latitude", "longitude")


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _error(error: Open311Error) -> JSONResponse:
    return _json(error.body(), error.status)


@router.get("/services.json")
async def services(console: ConsoleDep) -> Response:
    return _json(service_list(console.open311))


@router.post("/requests.json")
async def submit_request(request: Request, console: ConsoleDep) -> Response:
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    if (refused := _refused(console, form.get("api_key"))) is not None:
        return refused
    catalogue = console.open311
    try:
        new = parse_new_request(form, catalogue)
    except Open311Error as error:
        return _error(error)
    received_at = console.clock().astimezone(console.timezone)
    body = {"processDefinitionId": PROCESS_ID, "variables": start_variables(new, received_at)}
    try:
        created = await console.engine.post("/process-instances", body)
    except EngineError:
        return _error(Open311Error(503, "暂时无法受理，请稍后重试"))
    # The ledger numbers the request once the workers registered it: until then a token stands for it.
    return _json(
        [
            {
                "token": str(created["processInstanceKey"]),
                "service_notice": f"已收到，办理时限{catalogue.limits[new.service.category]}个工作日。",
            }
        ]
    )


def _refused(console: Console, given: str | None) -> JSONResponse | None:
    if key_is_valid(given, api_keys(console.settings.open311_api_keys)):
        return None
    return _error(Open311Error(403, "api_key 无效或缺失"))


@router.get("/requests.json")
async def list_requests(request: Request, console: ConsoleDep) -> Response:
    if (refused := _refused(console, request.query_params.get("api_key"))) is not None:
        return refused
    catalogue = console.open311
    try:
        query = parse_query(request.query_params, catalogue, console.clock())
    except Open311Error as error:
        return _error(error)
    cases = await case_lookup.public_cases(console.cases.engine, query, catalogue.policy)
    return _json(await _service_requests(console, catalogue, cases))


@router.get("/requests/{case_number}.json")
async def one_request(case_number: str, request: Request, console: ConsoleDep) -> Response:
    if (refused := _refused(console, request.query_params.get("api_key"))) is not None:
        return refused
    catalogue = console.open311
    case = await case_lookup.case_by_number(console.cases.engine, case_number)
    if case is None or not is_public(case, catalogue.policy):
        return _error(Open311Error(404, f"service_request_id 不存在：{case_number}"))
    return _json(await _service_requests(console, catalogue, [case]))


@router.get("/tokens/{token}.json")
async def token(token: str, request: Request, console: ConsoleDep) -> Response:
    if (refused := _refused(console, request.query_params.get("api_key"))) is not None:
        return refused
    unknown = Open311Error(404, f"token 不存在：{token}")
    if not token.isdigit():
        return _error(unknown)
    catalogue = console.open311
    case = await case_lookup.case_of_instance(console.cases.engine, int(token))
    if case is not None:
        if not is_public(case, catalogue.policy):
            return _error(unknown)
        return _json(token_answer(token, case.case_number))
    try:
        instance = await console.engine.get(f"/process-instances/{token}")
    except EngineError as error:
        if error.status == 404:
            return _error(unknown)
        return _error(Open311Error(503, "暂时无法查询，请稍后重试"))
    if instance.get("processDefinitionId") != PROCESS_ID:
        return _error(unknown)
    return _json(token_answer(token, None))


@router.api_route("/{path:path}", methods=["GET", "POST"])
async def elsewhere(path: str) -> Response:
    if path.endswith(".xml"):
        return _error(Open311Error(400, "仅支持 JSON 格式（.json）"))
    return _error(Open311Error(404, f"没有这个 Open311 资源：{path}"))


async def _service_requests(
    console: Console, catalogue: Catalogue, cases: list[CaseRecord]
) -> list[dict[str, Any]]:
    coordinates = await _coordinates(console, [case.process_instance_key for case in cases])
    return [
        service_request(case, catalogue, coordinates.get(case.process_instance_key or 0)) for case in cases
    ]


async def _coordinates(console: Console, keys: list[int | None]) -> dict[int, tuple[float, float]]:
    """The coordinates portals gave, from the instances' variables: the ledger keeps only the place's text."""
    wanted = sorted({str(key) for key in keys if key is not None})
    if not wanted:
        return {}
    found = await console.engine.search(
        "variables",
        {
            "filter": {"processInstanceKey": {"$in": wanted}, "name": {"$in": list(COORDINATES)}},
            "page": {"limit": len(wanted) * len(COORDINATES)},
        },
    )
    values: dict[int, dict[str, float]] = {}
    for item in found["items"]:
        # Variables of the instance itself, not of a subprocess or task that happens to share the name.
        if item["scopeKey"] != item["processInstanceKey"]:
            continue
        value = json.loads(item["value"])
        if isinstance(value, int | float):
            values.setdefault(int(item["processInstanceKey"]), {})[item["name"]] = float(value)
    return {
        key: (pair["latitude"], pair["longitude"])
        for key, pair in values.items()
        if all(name in pair for name in COORDINATES)
    }
