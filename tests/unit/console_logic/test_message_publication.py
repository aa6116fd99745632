"""How a message goes to the engine (console/routes/messages.py): `/v2/messages/publication` with the
case number as correlation key and TTL 0, and the engine's own error shown when it refuses."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from fastapi import HTTPException
from ledger_support import ledger_settings

from console.context import Console
from console.engine_client import EngineClient
from console.messages import process_messages
from console.routes.messages import publish
from workers.ids import MeetingAttendanceMessages

CONFIG = Path(__file__).resolve().parents[3] / "config"
SIGN_UP = process_messages(CONFIG)[MeetingAttendanceMessages.SIGN_UP]
VARIABLES = {"name": "王芳", "phone": "13800002222", "via": "sms", "opinion": None}


def console_answering(tmp_path: Path, answer: httpx.Response, sent: list[dict[str, Any]]) -> Console:
    def handle(request: httpx.Request) -> httpx.Response:
        sent.append({"path": request.url.path, **json.loads(request.content)})
        return answer

    settings = ledger_settings(f"sqlite:///{tmp_path / 'ledger.db'}", console_rest_url="http://engine/v2")
    return cast(Console, SimpleNamespace(engine=EngineClient(settings, httpx.MockTransport(handle))))


async def test_a_message_is_published_to_the_case_with_no_time_to_live(tmp_path: Path) -> None:
    sent: list[dict[str, Any]] = []
    console = console_answering(tmp_path, httpx.Response(200, json={"messageKey": "2251799813685300"}), sent)
    assert await publish(console, SIGN_UP, "LX2026-000001", VARIABLES) == "2251799813685300"
    assert sent == [
        {
            "path": "/v2/messages/publication",
            "name": "meeting-sign-up",
            "correlationKey": "LX2026-000001",
            "timeToLive": 0,
            "variables": VARIABLES,
        }
    ]


async def test_the_engines_refusal_is_shown_with_its_own_words(tmp_path: Path) -> None:
    problem = {"title": "INVALID_ARGUMENT", "detail": "Expected to publish a message with a name"}
    console = console_answering(tmp_path, httpx.Response(400, json=problem), [])
    with pytest.raises(HTTPException) as raised:
        await publish(console, SIGN_UP, "LX2026-000001", VARIABLES)
    assert raised.value.status_code == 502
    assert (
        raised.value.detail
        == "登记报名未成功：流程引擎返回错误（400）：Expected to publish a message with a name"
    )
