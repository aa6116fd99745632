"""Intake (登记受理): operators register a hotline call, an online message, a deputy's suggestion or a
forum post on one page, which starts that channel's process; the channels and their checks are in
console/intake.py.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Engine

from console import case_lookup
from console.auth import Allowed, ConsoleDep, CsrfDep, Principal, audit
from console.context import Console
from console.intake import (
    CHANNELS,
    IntakeChannel,
    IntakeInvalid,
    choices_of,
    handling_units,
    intake_variables,
)
from console.open311 import CaseRecord
from console.pages import render
from console.policy import Permission
from workers.ids import ProcessId

router = APIRouter()

Operator = Annotated[Principal, Depends(Allowed(Permission.INTAKE))]

# How long a registration waits for the workers to number the case before answering without it.
REGISTRATION_WAIT_S = 3.0
REGISTRATION_POLL_S = 0.1


@router.get("/intake", response_class=HTMLResponse)
async def intake_page(
    request: Request, console: ConsoleDep, user: Operator, channel: str = ProcessId.HOTLINE_TICKET
) -> Response:
    return render(
        request,
        user,
        "intake.html",
        channels=CHANNELS,
        active=channel if channel in CHANNELS else ProcessId.HOTLINE_TICKET,
        units=handling_units(console.settings.config_dir),
        choices_of=choices_of,
        now=console.clock().astimezone(console.timezone).strftime("%Y-%m-%dT%H:%M"),
    )


@router.post("/api/intake/{channel_id}")
async def register(
    channel_id: str, request: Request, console: ConsoleDep, user: Operator, _csrf: CsrfDep
) -> Response:
    channel = CHANNELS.get(channel_id)
    if channel is None:
        raise HTTPException(404, f"没有这个受理渠道：{channel_id}")
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise HTTPException(400, "请求内容应为 JSON 对象")
    now = console.clock().astimezone(console.timezone)
    try:
        variables = intake_variables(channel, body, handling_units(console.settings.config_dir), now)
    except IntakeInvalid as invalid:
        return JSONResponse(
            {"status": 422, "detail": f"请检查填写内容：{invalid}", "errors": invalid.errors}, status_code=422
        )
    key = await start_appeal(console, channel, variables)
    audit(console, request, user, "intake", key, channel.process_id)
    case = await _registered_case(console.cases.engine, int(key))
    answer: dict[str, Any] = {"processInstanceKey": key, "channel": channel.process_id, "caseNumber": None}
    if case is None:
        answer["message"] = f"{channel.label}已提交（流程实例 {key}），正在登记编号，请稍后在案件查询中查看。"
    else:
        answer.update(
            caseNumber=case.case_number,
            caseUrl=f"/cases/{case.case_number}",
            message=f"{channel.label}已登记，编号 {case.case_number}。",
        )
    return JSONResponse(answer, status_code=201)


async def start_appeal(console: Console, channel: IntakeChannel, variables: dict[str, Any]) -> str:
    """Start the channel's process with checked variables (intake_variables'); its instance key."""
    created = await console.engine.post(
        "/process-instances", {"processDefinitionId": channel.process_id, "variables": variables}
    )
    return str(created["processInstanceKey"])


async def _registered_case(engine: Engine, key: int) -> CaseRecord | None:
    """The case the workers registered for instance `key`, waiting a bounded while for them."""
    deadline = time.monotonic() + REGISTRATION_WAIT_S
    while True:
        case = await case_lookup.case_of_instance(engine, key)
        if case is not None or time.monotonic() >= deadline:
            return case
        await asyncio.sleep(REGISTRATION_POLL_S)
