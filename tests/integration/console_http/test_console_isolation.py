"""A unit's user reaches nothing of another unit's case: every route of the console is tried with
the case's number, its process instance's key, its task's key and its attachment's id (and the
unit's knowledge base draft and an upstream item quarantined under the case's number), and every
search with its number and words. New routes are covered as they are added: the walk reads them
from the routers, and a path parameter it does not know fails the test until it is taught."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from console_support import ConsoleStack
from pyzeebe import ZeebeClient

from console import routes
from console.messages import process_messages
from workers.ids import HotlineTicket, ProcessId, UnitHandling
from workers.knowledge.store import EntryText, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter
from workers.upstream.adapter import Rejected
from workers.upstream.store import UpstreamStore

HOUSING = "住房城乡建设委"
TITLE = "酒吧噪音扰民"
NOISE: dict[str, Any] = {
    "title": TITLE,
    "content": "楼下酒吧每晚噪音扰民到凌晨，投诉多次仍未解决，请尽快处理",
    "appellant": {"name": "张三", "phone": "13800001111", "address": "铁东区某小区3栋"},
}
# The housing commission's knowledge base draft, which no other unit may see until it is published.
DRAFT_QUESTION = "老旧小区加装电梯补贴标准是多少"
# Routes that are not about any case, or that end the walker's own session.
NOT_ABOUT_CASES = {"/login", "/logout", "/favicon.ico"}
PARAMETER = re.compile(r"\{([a-z_]+)(?::path)?\}")
CONFIG = Path(__file__).resolve().parents[3] / "config"


async def housing_case(console: ConsoleStack, client: ZeebeClient) -> dict[str, str]:
    """A complaint dispatched to the housing commission, waiting for it to sign; what names it."""
    engine = console.engine
    started = await client.run_process(ProcessId.HOTLINE_TICKET, NOISE)
    key = started.process_instance_key
    await engine.is_waiting_at(key, HotlineTicket.INTAKE)
    variables = engine.instance(key).variables
    await engine.complete_user_task(
        key,
        HotlineTicket.INTAKE,
        {"intakeAction": "dispatch", "category": variables["category"], "leadUnit": HOUSING, "coUnits": []},
    )
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    number = str(engine.instance(key).variables["caseNumber"])
    owner = await console.client("zhujian")
    uploaded = await owner.post(
        f"/cases/{number}/attachments",
        files={"file": ("现场照片说明.txt", "现场噪音测量记录".encode(), "text/plain")},
    )
    assert uploaded.status_code == 303, (
        f"the housing commission could not attach a file: {uploaded.status_code}"
    )
    listed = (await owner.get(f"/api/cases/{number}/attachments")).json()
    attachment = listed["items"][0]["id"] if isinstance(listed, dict) else listed[0]["id"]
    await owner.aclose()
    ledger = console.ledger.case_search().engine
    draft = KnowledgeStore(ledger, KnowledgeSegmenter()).create(
        EntryText(DRAFT_QUESTION, "按每台电梯补贴二十万元执行。", "加装电梯", HOUSING, datetime.now(UTC)),
        "zhujian",
    )
    upstream = UpstreamStore(ledger)
    upstream.quarantine("provincial-hotline", Rejected(upstream_id=number, raw={}, reasons=("缺少诉求内容",)))
    return {
        "number": number,
        "case_number": number,
        "instance": str(key),
        "task": str(task.key),
        "attachment_id": str(attachment),
        "token": str(key),
        "operation_id": "0",
        "incident_key": "1",
        "message_id": "1",
        "entry_number": draft,
        "item_id": str(upstream.quarantined(1)[0].id),
    }


def paths(template: str, names: dict[str, str]) -> list[str]:
    """`template` with every parameter given each value that could name the case."""
    filled = [template]
    for parameter in PARAMETER.findall(template):
        if parameter == "key":
            values = [names["instance"], names["task"]]
        elif parameter == "message_name":
            # Every message the console sends, case messages and message starts alike.
            values = sorted(process_messages(CONFIG))
        elif parameter in ("channel_id", "username", "path"):
            values = [
                "hotline-ticket"
                if parameter == "channel_id"
                else "zhujian"
                if parameter == "username"
                else "x"
            ]
        else:
            assert parameter in names, f"the walk does not know what to put in {{{parameter}}} of {template}"
            values = [names[parameter]]
        filled = [
            re.sub(r"\{" + parameter + r"(?::path)?\}", value, path, count=1)
            for path in filled
            for value in values
        ]
    return filled


def leaks(answer: httpx.Response, names: dict[str, str]) -> list[str]:
    text = answer.text
    return [what for what in (names["number"], TITLE, "现场照片说明", DRAFT_QUESTION) if what in text]


async def test_another_units_user_reaches_nothing_of_the_case_by_any_route(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    names = await housing_case(console, client)
    stranger = await console.client("zhifa")
    tried = 0
    for router in routes.ROUTERS:
        for route in router.routes:
            template = getattr(route, "path", "")
            if template in NOT_ABOUT_CASES:
                continue
            for method in sorted(getattr(route, "methods", ())):
                for path in paths(template, names):
                    if path.endswith("/events"):
                        answer = await stranger.get(path, timeout=5)
                    elif method == "GET":
                        answer = await stranger.get(path)
                    else:
                        answer = await stranger.request(method, path, json={"variables": {}})
                    tried += 1
                    assert answer.status_code in (400, 401, 403, 404, 405, 409, 422) or (
                        method == "GET" and answer.status_code == 200
                    ), f"{method} {path} answered 综合执法局's user {answer.status_code}"
                    assert not leaks(answer, names), (
                        f"{method} {path} showed 综合执法局's user {leaks(answer, names)}"
                    )
    assert tried > 40, f"only {tried} requests were tried: the walk lost the routes"

    for query in ({"number": names["number"]}, {"q": "酒吧"}, {"q": "噪音"}, {"unit": HOUSING}):
        # The page echoes what was searched for; what it must not show is a result.
        page = await stranger.get("/cases", params=query)
        assert page.status_code == 200
        assert f'data-case-number="{names["number"]}"' not in page.text and TITLE not in page.text, (
            f"searching {query} listed the housing commission's case"
        )
        found = (await stranger.get("/api/cases", params=query)).json()
        assert found["items"] == [], f"searching {query} through the API found {found['items']}"
    tasks = await stranger.get("/api/tasks")
    assert not leaks(tasks, names), "another unit's task is in 综合执法局's task list"
    await stranger.aclose()

    # The same walk as the housing commission's user finds it: the test would see a leak.
    owner = await console.client("zhujian")
    assert names["number"] in (await owner.get(f"/cases/{names['number']}")).text
    assert TITLE in (await owner.get(f"/api/tasks/{names['task']}")).text
    assert DRAFT_QUESTION in (await owner.get(f"/knowledge/{names['entry_number']}")).text
    await owner.aclose()
