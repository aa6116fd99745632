"""Intake (登记受理): operators register a hotline call, an online message, a deputy's suggestion, a
forum post, or an item of the communication circular's other channels (a meeting's topic, a Weibo
release, an interview, a survey, a leader's reception, a radio call-in) on one page, which starts
that channel's process; the channels and their checks are in console/intake.py. Each role registers
only the channels console.toml gives it (`channels`), on the page and on the server.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Engine, select

from console import case_lookup
from console.auth import Allowed, ConsoleDep, CsrfDep, Principal, audit
from console.case_import import IMPORTABLE
from console.context import Console
from console.intake import (
    CHANNELS,
    IntakeChannel,
    IntakeInvalid,
    choices_of,
    handling_units,
    intake_variables,
)
from console.messages import messages_of_channel
from console.open311 import CaseRecord
from console.pages import render
from console.policy import Permission
from workers.classification import PROPOSALS
from workers.ids import ProcessId
from workers.knowledge.search import KnowledgeSearch
from workers.ledger.models import KnowledgeEntry
from workers.ledger.service import UnknownCase

router = APIRouter()

Operator = Annotated[Principal, Depends(Allowed(Permission.INTAKE))]

# The knowledge base's proposals shown as the operator types: as many as classification proposes,
# for the channel whose front desk may close a call by citing one (forms/intake.form).
PROPOSING_CHANNELS = frozenset({ProcessId.HOTLINE_TICKET})
# Title and content as typed so far; the page sends their start (console/static/js/intake.js).
MAX_PROPOSAL_QUERY = 1000

# How long a registration waits for the workers to number the case before answering without it.
REGISTRATION_WAIT_S = 3.0
REGISTRATION_POLL_S = 0.1


def channels_of(user: Principal) -> dict[str, IntakeChannel]:
    """The intake channels the user's role registers, in the page's order."""
    return {
        channel_id: channel for channel_id, channel in CHANNELS.items() if user.role.registers(channel_id)
    }


@router.get("/intake", response_class=HTMLResponse)
async def intake_page(request: Request, console: ConsoleDep, user: Operator, channel: str = "") -> Response:
    channels = channels_of(user)
    return render(
        request,
        user,
        "intake.html",
        channels=channels,
        active=channel if channel in channels else next(iter(channels)),
        may_import=any(user.role.registers(channel_id) for channel_id in IMPORTABLE),
        start_messages=[
            message
            for channel_id in channels
            for message in messages_of_channel(console.settings.config_dir, channel_id, starts=True)
        ],
        units=handling_units(console.settings.config_dir),
        choices_of=choices_of,
        now=console.clock().astimezone(console.timezone).strftime("%Y-%m-%dT%H:%M"),
        proposing=PROPOSING_CHANNELS,
    )


@router.get("/intake/knowledge")
async def knowledge_proposals(
    console: ConsoleDep, user: Operator, q: Annotated[str, Query(max_length=MAX_PROPOSAL_QUERY)] = ""
) -> list[dict[str, str]]:
    """The published entries that best match what the operator has typed so far (首问首接), as
    the classification step will propose them: at most three, with each one's whole answer."""
    if not q.strip():
        return []
    segmenter = await asyncio.to_thread(console.knowledge_segmenter)
    search = KnowledgeSearch(console.cases.engine, segmenter)
    found = await asyncio.to_thread(search.search, q, console.clock(), PROPOSALS)
    answers = await asyncio.to_thread(_answers, console.cases.engine, [p.number for p in found])
    return [
        {
            "number": p.number,
            "question": p.question,
            "snippet": p.snippet,
            "unit": p.unit,
            "answer": answers[p.number],
        }
        for p in found
    ]


def _answers(engine: Engine, numbers: list[str]) -> dict[str, str]:
    """The answers of the entries numbered `numbers`, for the page's "查看答复"."""
    if not numbers:
        return {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(KnowledgeEntry.number, KnowledgeEntry.answer).where(KnowledgeEntry.number.in_(numbers))
        )
        return {number: answer for number, answer in rows}


@router.post("/api/intake/{channel_id}")
async def register(
    channel_id: str, request: Request, console: ConsoleDep, user: Operator, _csrf: CsrfDep
) -> Response:
    channel = CHANNELS.get(channel_id)
    if channel is None:
        raise HTTPException(404, f"没有这个受理渠道：{channel_id}")
    if not user.role.registers(channel_id):
        raise HTTPException(403, f"您的角色（{user.role.title}）不受理{channel.label}")
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise HTTPException(400, "请求内容应为 JSON 对象")
    now = console.clock().astimezone(console.timezone)
    try:
        variables = intake_variables(channel, body, handling_units(console.settings.config_dir), now)
        await _earlier_cases_known(console, user, channel, variables)
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


async def _earlier_cases_known(
    console: Console, user: Principal, channel: IntakeChannel, variables: dict[str, Any]
) -> None:
    """A case number the operator gives (a repeat visit's first case) names a case of the channel."""
    problems = {}
    for field in channel.fields:
        number = variables.get(field.path) if field.kind == "case-number" else None
        if number is None:
            continue
        try:
            earlier = await asyncio.to_thread(console.ledger.view_case, number, user.viewer)
        except UnknownCase:
            problems[field.path] = f"{number}不存在"
            continue
        if earlier.channel != channel.process_id:
            problems[field.path] = f"{number}不是{channel.label}的案件"
    if problems:
        raise IntakeInvalid(channel, problems)


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
