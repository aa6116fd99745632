"""Intake (登记受理): an operator registers an appeal of each channel from the console; the channel's
process starts on the engine, the workers register it, and the answer names the case number."""

from __future__ import annotations

from typing import Any

import httpx
from console_support import ConsoleStack

from workers.ids import DeputySuggestion, ForumPost, HotlineTicket, OnlineMessage, ProcessId
from workers.ledger.masking import Viewer

CENTRE = Viewer(role="hotline-centre")

APPEALS: dict[str, dict[str, Any]] = {
    ProcessId.HOTLINE_TICKET: {
        "title": "酒吧噪音扰民",
        "content": "楼下酒吧每晚噪音扰民到凌晨，投诉多次仍未解决，请尽快处理",
        "appellant": {
            "name": "张三",
            "phone": "138-0000-1111",
            "address": "铁东区某小区3栋",
            "confidential": False,
        },
        "location": "铁东区幸福路8号",
    },
    ProcessId.ONLINE_MESSAGE: {
        "source": "网上留言",
        "fromAbove": False,
        "title": "小区门口道路破损",
        "content": "幸福路小区门口的道路路面破损严重，坑洼积水，行人车辆通行困难，请尽快维修。",
        "appellant": {"name": "李四", "phone": "13800002222", "address": "铁东区幸福路8号"},
    },
    ProcessId.DEPUTY_SUGGESTION: {
        "kind": "suggestion",
        "assignmentKind": "meeting",
        "provincial": False,
        "title": "关于加快老旧小区加装电梯的建议",
        "content": "建议简化老旧小区加装电梯审批程序，加大财政补贴力度。",
        "deputy": {"name": "王代表", "phone": "13900001234"},
        "leadUnit": "住房城乡建设委",
        "coUnits": ["综合执法局"],
    },
    ProcessId.FORUM_POST: {
        "appellant": {"name": "网友甲"},
        "title": "小区噪音扰民",
        "content": "楼下酒吧每晚噪音扰民，投诉多次仍未解决，请尽快处理",
    },
}
REGISTER_STEPS = {
    ProcessId.HOTLINE_TICKET: HotlineTicket.REGISTER_CASE,
    ProcessId.ONLINE_MESSAGE: OnlineMessage.REGISTER_CASE,
    ProcessId.DEPUTY_SUGGESTION: DeputySuggestion.REGISTER_CASE,
    ProcessId.FORUM_POST: ForumPost.REGISTER_POST,
}
NUMBER_PREFIXES = {
    ProcessId.HOTLINE_TICKET: "RX",
    ProcessId.ONLINE_MESSAGE: "WL",
    ProcessId.DEPUTY_SUGGESTION: "JY",
    ProcessId.FORUM_POST: "LT",
}


async def instances_of(console: ConsoleStack, process_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=f"{console.engine.rest_url}/v2") as engine:
        answer = await engine.post(
            "/process-instances/search", json={"filter": {"processDefinitionId": process_id}}
        )
        answer.raise_for_status()
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


async def test_the_operator_registers_every_channel_and_its_process_numbers_the_case(
    console: ConsoleStack,
) -> None:
    operator = await console.client("operator")
    page = await operator.get("/intake")
    assert page.status_code == 200, page.text[:300]
    for channel in APPEALS:
        assert f'data-testid="intake-form-{channel}"' in page.text, f"the page has no form for {channel}"
    assert "市住房和城乡建设委员会" in page.text, "the deputy form offers the routing's units by full name"

    for channel, appeal in APPEALS.items():
        answer = await operator.post(f"/api/intake/{channel}", json=appeal)
        assert answer.status_code == 201, f"{channel}: {answer.status_code} {answer.text[:300]}"
        started = answer.json()
        key = int(started["processInstanceKey"])
        number = started["caseNumber"]
        if number is None:
            # The workers were slower than the console waits: the answer says so, the case comes later.
            assert "正在登记" in started["message"], started["message"]
            number = (await console.engine.has_passed(key, REGISTER_STEPS[channel])).variables["caseNumber"]
        else:
            assert started["caseUrl"] == f"/cases/{number}" and number in started["message"]
        assert number.startswith(NUMBER_PREFIXES[channel]), f"{channel} numbered {number}"
        case = console.ledger.view_case(number, CENTRE)
        assert case.process_instance_key == key, f"{channel}: case {number} belongs to another instance"
        assert case.channel == channel and case.title == appeal["title"], f"{channel}: {case}"

    hotline = (await instances_of(console, ProcessId.HOTLINE_TICKET))[0]
    key = int(hotline["processInstanceKey"])
    await console.engine.is_waiting_at(key, HotlineTicket.INTAKE)
    variables = console.engine.instance(key).variables
    assert variables["appellant"]["phone"] == "13800001111", "the phone is stored without separators"
    assert variables["location"] == "铁东区幸福路8号" and "receivedAt" in variables
    registered = [entry for entry in console.store.audit_log(username="operator") if entry.action == "intake"]
    assert sorted(entry.detail or "" for entry in registered) == sorted(APPEALS), "each intake is audited"
    admin = await console.client("admin")
    log = (await admin.get("/admin/audit", params={"username": "operator"})).text
    assert "<td>登记受理</td>" in log and "<td>12345热线工单</td>" in log, (
        "the audit log names a registration and its process in Chinese"
    )
    assert f"<td>{ProcessId.HOTLINE_TICKET}</td>" not in log and "<td>intake</td>" not in log
    await admin.aclose()
    await operator.aclose()


async def test_invalid_fields_are_refused_naming_each_in_chinese_and_start_nothing(
    console: ConsoleStack,
) -> None:
    operator = await console.client("operator")
    answer = await operator.post(
        f"/api/intake/{ProcessId.HOTLINE_TICKET}",
        json={
            "title": "",
            "content": "噪" * 5001,
            "appellant": {"phone": "12345", "name": "张三"},
        },
    )
    assert answer.status_code == 422, answer.text[:300]
    problem = answer.json()
    assert problem["errors"] == {
        "appellant.phone": "来电号码格式不正确：应为11位手机号或带区号的固定电话",
        "title": "标题为必填项",
        "content": "诉求内容不能超过5000个字（现有5001个）",
    }
    assert "标题为必填项" in problem["detail"], "the message the page shows names the fields"
    not_json = await operator.post(f"/api/intake/{ProcessId.FORUM_POST}", content=b"[1, 2]")
    assert not_json.status_code == 400, not_json.text[:300]
    unknown = await operator.post("/api/intake/periodic-report", json={})
    assert unknown.status_code == 404, "only the four intake channels start processes from here"
    assert await instances_of(console, ProcessId.HOTLINE_TICKET) == [], "an invalid intake started a ticket"
    await operator.aclose()


async def test_a_unit_user_has_no_intake_and_starts_nothing(console: ConsoleStack) -> None:
    zhujian = await console.client("zhujian")
    page = await zhujian.get("/intake")
    assert page.status_code == 403, f"a unit's user reached the intake page: {page.status_code}"
    answer = await zhujian.post(
        f"/api/intake/{ProcessId.HOTLINE_TICKET}", json=APPEALS[ProcessId.HOTLINE_TICKET]
    )
    assert answer.status_code == 403, f"a unit's user registered a hotline call: {answer.status_code}"
    assert "登记受理" not in (await zhujian.get("/")).text, "the menu offers a unit's user the intake"
    await zhujian.aclose()
    assert await instances_of(console, ProcessId.HOTLINE_TICKET) == []


async def test_an_intake_without_the_csrf_token_is_refused(console: ConsoleStack) -> None:
    operator = await console.client("operator")
    del operator.headers["X-CSRF-Token"]
    answer = await operator.post(f"/api/intake/{ProcessId.FORUM_POST}", json=APPEALS[ProcessId.FORUM_POST])
    assert answer.status_code == 403 and "CSRF" in answer.json()["detail"], answer.text[:300]
    await operator.aclose()
    assert await instances_of(console, ProcessId.FORUM_POST) == []


async def test_signed_out_the_intake_asks_for_sign_in(console: ConsoleStack) -> None:
    async with httpx.AsyncClient(base_url=console.url) as anonymous:
        page = await anonymous.get("/intake")
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        answer = await anonymous.post(f"/api/intake/{ProcessId.FORUM_POST}", json={})
        assert answer.status_code == 401
