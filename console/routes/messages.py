"""Messages to the processes (登记报名, 登记网民提问, 登记更正或撤回, 登记本月接访安排...): the forms on a
case's page, and a page of its own for a message that starts a process; the messages and their
fields are in console/messages.py.

The server checks, in this order: the role registers the message's channel (`RolePolicy.registers`,
403), the case is one the user sees (404 as any case out of scope), is of the message's channel and
still open, and its process waits for the message now (409, saying why), then the fields (422 by
field, unknown fields refused). It publishes through `/v2/messages/publication` with the case number
as correlation key and TTL 0, audits it, and answers in Chinese, with the engine's error if
publication fails.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response

from console.auth import Allowed, ConsoleDep, CsrfDep, Principal, audit
from console.case_messages import active_elements, case_is_open, variable_value
from console.context import Console
from console.engine_client import EngineError
from console.intake import IntakeInvalid
from console.messages import (
    ROWS_SHOWN,
    ProcessMessage,
    UnknownFields,
    message_variables,
    process_messages,
    repeated,
)
from console.pages import render
from console.policy import Permission
from console.routes.cases import CHANNELS, CaseNumber, visible_case

router = APIRouter()

Registrar = Annotated[Principal, Depends(Allowed(Permission.INTAKE))]
MessageName = Annotated[str, PathParam(max_length=60)]
PUBLISH_MESSAGE = "publish-message"


def _message(console: Console, user: Principal, name: str, *, starts: bool) -> ProcessMessage:
    message = process_messages(console.settings.config_dir).get(name)
    if message is None or message.starts != starts:
        raise HTTPException(404, f"没有这个消息：{name}")
    if not user.role.registers(message.channel):
        raise HTTPException(403, f"您的角色（{user.role.title}）不能{message.label}")
    return message


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise HTTPException(400, "请求内容应为 JSON 对象")
    return body


def _checked(console: Console, message: ProcessMessage, body: dict[str, Any]) -> dict[str, Any] | Response:
    try:
        return message_variables(message, body, console.clock().astimezone(console.timezone))
    except UnknownFields as unknown:
        return JSONResponse(
            {"status": 422, "detail": f"请求含未知字段：{unknown}", "errors": {}}, status_code=422
        )
    except IntakeInvalid as invalid:
        return _refused(invalid)


def _refused(invalid: IntakeInvalid) -> Response:
    return JSONResponse(
        {"status": 422, "detail": f"请检查填写内容：{invalid}", "errors": invalid.errors}, status_code=422
    )


async def publish(console: Console, message: ProcessMessage, key: str, variables: dict[str, Any]) -> str:
    try:
        published = await console.engine.post(
            "/messages/publication",
            {"name": message.name, "correlationKey": key, "timeToLive": 0, "variables": variables},
        )
    except EngineError as error:
        raise HTTPException(
            502, f"{message.label}未成功：流程引擎返回错误（{error.status}）：{error.detail}"
        ) from None
    return str(published["messageKey"])


async def _started_with(console: Console, message: ProcessMessage, key: str) -> bool:
    """Whether an instance this message started with `key` is still running."""
    found = await console.engine.search(
        "process-instances",
        {
            "filter": {
                "processDefinitionId": message.channel,
                "state": "ACTIVE",
                "variables": [{"name": message.start_key, "value": json.dumps(key, ensure_ascii=False)}],
            },
            "page": {"limit": 1},
        },
    )
    return bool(found["items"])


@router.post("/api/cases/{number}/messages/{message_name}")
async def publish_case_message(
    request: Request,
    console: ConsoleDep,
    user: Registrar,
    _csrf: CsrfDep,
    number: CaseNumber,
    message_name: MessageName,
) -> Response:
    message = _message(console, user, message_name, starts=False)
    view = await visible_case(console, user, number)
    channel = CHANNELS.get(message.channel, message.channel)
    if view.channel != message.channel:
        raise HTTPException(409, f"案件{view.case_number}不是{channel}的案件，不能{message.label}")
    if not case_is_open(console, view):
        raise HTTPException(409, f"案件{view.case_number}已办结，不能{message.label}")
    key = view.process_instance_key
    if key is None or not set(message.awaited_in) & await active_elements(console, key):
        raise HTTPException(409, f"案件{view.case_number}：{message.not_awaited}")
    variables = _checked(console, message, await _body(request))
    if isinstance(variables, Response):
        return variables
    if message.unique is not None:
        problems = repeated(message, variables, await variable_value(console, key, message.unique[1]))
        if problems:
            return _refused(IntakeInvalid(message, problems))
    message_key = await publish(console, message, view.case_number, variables)
    audit(console, request, user, PUBLISH_MESSAGE, view.case_number, f"{message.name}（{message.label}）")
    return JSONResponse(
        {
            "message": f"{message.done}（案件{view.case_number}）",
            "messageKey": message_key,
            "name": message.name,
        }
    )


@router.get("/messages/{message_name}", response_class=HTMLResponse)
async def start_message_page(
    request: Request, console: ConsoleDep, user: Registrar, message_name: MessageName
) -> Response:
    message = _message(console, user, message_name, starts=True)
    now = console.clock().astimezone(console.timezone)
    return render(
        request,
        user,
        "message.html",
        message=message,
        channel_name=CHANNELS.get(message.channel, message.channel),
        rows_shown=ROWS_SHOWN,
        now=now.strftime("%Y-%m-%dT%H:%M"),
    )


@router.post("/api/messages/{message_name}")
async def publish_start_message(
    request: Request, console: ConsoleDep, user: Registrar, _csrf: CsrfDep, message_name: MessageName
) -> Response:
    message = _message(console, user, message_name, starts=True)
    variables = _checked(console, message, await _body(request))
    if isinstance(variables, Response):
        return variables
    key = str(variables.get(message.start_key) or "") if message.start_key else ""
    if key and await _started_with(console, message, key):
        # The engine would drop the message silently: one instance per correlation key at a time.
        raise HTTPException(409, f"{message.label}：{key}已有一份正在办理，不能重复提交")
    message_key = await publish(console, message, key, variables)
    audit(
        console,
        request,
        user,
        PUBLISH_MESSAGE,
        key or message.name,
        f"{message.name}（{message.label}）{json.dumps(variables, ensure_ascii=False)[:500]}",
    )
    return JSONResponse({"message": message.done, "messageKey": message_key, "name": message.name})
