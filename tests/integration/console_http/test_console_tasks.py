"""The task list (待办任务): who sees which user task, claim and unclaim, completion with the deployed
form's fields checked, and the due-date filters, on the real engine, workers, diagrams and forms."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from console_support import ConsoleStack
from pyzeebe import ZeebeClient

from console.security import hash_password
from workers.ids import HotlineTicket, OnlineMessage, ProcessId, UnitHandling

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUSING = "住房城乡建设委"
NOISE: dict[str, Any] = {
    "title": "酒吧噪音扰民",
    "content": "楼下酒吧每晚噪音扰民到凌晨，投诉多次仍未解决，请尽快处理",
    "appellant": {"name": "张三", "phone": "13800001111", "address": "铁东区某小区3栋"},
}


async def receive(console: ConsoleStack, client: ZeebeClient) -> int:
    """A noise complaint reaches the front desk on Friday 25 September 2026, 10:00."""
    console.engine.set_time(int(datetime(2026, 9, 25, 10, 0, tzinfo=SHANGHAI).timestamp() * 1000))
    started = await client.run_process(ProcessId.HOTLINE_TICKET, NOISE)
    await console.engine.is_waiting_at(started.process_instance_key, HotlineTicket.INTAKE)
    return started.process_instance_key


async def tasks_of(user: httpx.AsyncClient, **filters: str) -> list[dict[str, Any]]:
    answer = await user.get("/api/tasks", params=filters)
    assert answer.status_code == 200, f"the task list answered {answer.status_code}: {answer.text[:300]}"
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def at(items: list[dict[str, Any]], element_id: str) -> list[dict[str, Any]]:
    return [item for item in items if item["elementId"] == element_id]


async def dispatch_through_console(console: ConsoleStack, key: int) -> str:
    """The centre's operator dispatches the order to the housing commission from the task list;
    answers the key of the unit's 签收 task."""
    centre = await console.client("centre")
    intake = at(await tasks_of(centre), HotlineTicket.INTAKE)
    assert len(intake) == 1, f"the centre should see one 前台受理 task, sees {intake}"
    variables = console.engine.instance(key).variables
    done = await centre.post(
        f"/api/tasks/{intake[0]['key']}/complete",
        json={
            "variables": {
                "intakeAction": "dispatch",
                "category": variables["category"],
                "leadUnit": HOUSING,
                "coUnits": [],
            }
        },
    )
    assert done.status_code == 200, f"the dispatch was refused: {done.status_code} {done.text[:300]}"
    await centre.aclose()
    task = await console.engine.user_task_at(key, UnitHandling.SIGN_FOR)
    return str(task.key)


async def test_the_centre_sees_the_front_desk_task_and_a_unit_does_not(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    key = await receive(console, client)
    centre = await console.client("centre")
    intake = at(await tasks_of(centre), HotlineTicket.INTAKE)
    assert len(intake) == 1, f"the centre's list lacks the 前台受理 task: {intake}"
    task = intake[0]
    assert task["name"] == "前台受理"
    assert task["title"] == NOISE["title"]
    assert task["caseNumber"] == console.engine.instance(key).variables["caseNumber"]
    assert task["processName"] and task["processName"] != ProcessId.HOTLINE_TICKET, "no Chinese process name"
    assert task["assignee"] is None

    detail = await centre.get(f"/api/tasks/{task['key']}")
    assert detail.status_code == 200, detail.text[:300]
    body = detail.json()
    assert body["schema"]["id"] == "intake", "the task's deployed form is not the intake form"
    assert body["variables"]["title"] == NOISE["title"]
    assert "appellant" not in body["variables"], "the form reads no appellant data, so none is sent"

    zhujian = await console.client("zhujian")
    assert at(await tasks_of(zhujian), HotlineTicket.INTAKE) == [], "a unit user sees the front desk's task"
    for answer in (
        await zhujian.get(f"/api/tasks/{task['key']}"),
        await zhujian.post(f"/api/tasks/{task['key']}/claim"),
        await zhujian.get(f"/tasks/{task['key']}"),
    ):
        assert answer.status_code == 404, f"a unit user reached the centre's task: {answer.status_code}"
    page = await centre.get("/tasks")
    assert page.status_code == 200 and 'data-testid="task-rows"' in page.text
    assert "12345" in page.text, "the process filter does not offer the hotline process by its Chinese name"
    task_page = await centre.get(f"/tasks/{task['key']}")
    assert task_page.status_code == 200 and "前台受理" in task_page.text
    assert f'data-task-key="{task["key"]}"' in task_page.text
    await centre.aclose()
    await zhujian.aclose()


async def test_only_the_lead_unit_sees_the_dispatched_order(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    key = await receive(console, client)
    sign_key = await dispatch_through_console(console, key)

    zhujian = await console.client("zhujian")
    sign_for = at(await tasks_of(zhujian), UnitHandling.SIGN_FOR)
    assert [task["key"] for task in sign_for] == [sign_key], f"zhujian should see the 签收 task: {sign_for}"
    assert sign_for[0]["name"] == "签收"
    assert sign_for[0]["title"] == NOISE["title"], "the title comes from the calling hotline instance"
    assert sign_for[0]["caseNumber"] == console.engine.instance(key).variables["caseNumber"]
    assert sign_for[0]["dueDate"], "a unit's task carries the handling deadline"
    detail = (await zhujian.get(f"/api/tasks/{sign_key}")).json()
    assert detail["schema"]["id"] == "sign-for"
    assert detail["variables"]["caseNumber"] == sign_for[0]["caseNumber"]
    assert "dueAt" in detail["variables"]

    zhifa = await console.client("zhifa")
    assert at(await tasks_of(zhifa), UnitHandling.SIGN_FOR) == [], "another unit sees the order"
    answers = {
        "GET": await zhifa.get(f"/api/tasks/{sign_key}"),
        "claim": await zhifa.post(f"/api/tasks/{sign_key}/claim"),
        "unclaim": await zhifa.post(f"/api/tasks/{sign_key}/unclaim"),
        "complete": await zhifa.post(
            f"/api/tasks/{sign_key}/complete", json={"variables": {"signAction": "return"}}
        ),
        "page": await zhifa.get(f"/tasks/{sign_key}"),
    }
    for what, answer in answers.items():
        assert answer.status_code == 404, f"zhifa's {what} of zhujian's task answered {answer.status_code}"
    task = await console.engine.user_task_at(key, UnitHandling.SIGN_FOR)
    assert task.assignee is None, "a refused request changed the task"
    await zhujian.aclose()
    await zhifa.aclose()


async def test_claim_unclaim_and_complete_move_the_instance(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    key = await receive(console, client)
    sign_key = await dispatch_through_console(console, key)
    console.store.add_user(
        "zhujian2", "孙八", hash_password("zhujian2-pass-2026"), "unit", HOUSING, datetime.now(SHANGHAI)
    )
    zhujian = await console.client("zhujian")
    colleague = await console.client("zhujian2", "zhujian2-pass-2026")

    no_token = await zhujian.post(f"/api/tasks/{sign_key}/claim", headers={"X-CSRF-Token": ""})
    assert no_token.status_code == 403, "a claim without the CSRF token was accepted"

    claimed = await zhujian.post(f"/api/tasks/{sign_key}/claim")
    assert claimed.status_code == 200, claimed.text[:300]
    assert (await console.engine.user_task_at(key, UnitHandling.SIGN_FOR)).assignee == "zhujian"
    mine = at(await tasks_of(zhujian, assignment="mine"), UnitHandling.SIGN_FOR)
    assert [task["key"] for task in mine] == [sign_key] and mine[0]["mine"]
    assert at(await tasks_of(zhujian, assignment="unassigned"), UnitHandling.SIGN_FOR) == []

    listed = at(await tasks_of(colleague), UnitHandling.SIGN_FOR)
    assert listed and listed[0]["assigneeName"], "the colleague should see who claimed the task"
    for action, body in (
        ("claim", None),
        ("unclaim", None),
        ("complete", {"variables": {"signAction": "return"}}),
    ):
        refused = await colleague.post(f"/api/tasks/{sign_key}/{action}", json=body)
        assert refused.status_code == 409, f"a colleague's {action} of a claimed task: {refused.status_code}"
        assert "认领" in refused.json()["detail"], f"the refusal does not say why: {refused.json()}"

    released = await zhujian.post(f"/api/tasks/{sign_key}/unclaim")
    assert released.status_code == 200, released.text[:300]
    assert (await console.engine.user_task_at(key, UnitHandling.SIGN_FOR)).assignee is None
    assert at(await tasks_of(zhujian, assignment="unassigned"), UnitHandling.SIGN_FOR)

    missing = await zhujian.post(
        f"/api/tasks/{sign_key}/complete", json={"variables": {"signAction": "accept"}}
    )
    assert missing.status_code == 400, f"a completion without required fields: {missing.status_code}"
    assert "阅批领导" in missing.json()["detail"] and "阅批意见" in missing.json()["detail"], missing.json()
    foreign = await zhujian.post(
        f"/api/tasks/{sign_key}/complete", json={"variables": {"signAction": "return", "leadUnit": "环保局"}}
    )
    assert foreign.status_code == 400 and "leadUnit" in foreign.json()["detail"], "a field outside the form"
    assert (await console.engine.user_task_at(key, UnitHandling.SIGN_FOR)).assignee is None, (
        "a refused completion claimed the task"
    )

    done = await colleague.post(
        f"/api/tasks/{sign_key}/complete",
        json={
            "variables": {
                "signAction": "accept",
                "readingLeader": "王局长",
                "readingOpinion": "请执法大队处理",
            }
        },
    )
    assert done.status_code == 200, done.text[:300]
    reply = await console.engine.user_task_at(key, UnitHandling.HANDLING_REPLY)
    assert console.engine.instance(reply.process_instance_key).variables["readingLeader"] == "王局长"
    items = await tasks_of(zhujian)
    assert at(items, UnitHandling.SIGN_FOR) == [], "the completed task stayed in the list"
    assert at(items, UnitHandling.HANDLING_REPLY), "the next task did not appear in the list"
    again = await zhujian.post(f"/api/tasks/{sign_key}/claim")
    assert again.status_code == 409, f"claiming a completed task answered {again.status_code}"
    await zhujian.aclose()
    await colleague.aclose()


async def test_due_soon_and_overdue_follow_the_engine_clock(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    key = await receive(console, client)
    sign_key = await dispatch_through_console(console, key)
    zhujian = await console.client("zhujian")
    task = at(await tasks_of(zhujian), UnitHandling.SIGN_FOR)[0]
    due = datetime.fromisoformat(task["dueDate"].replace("Z", "+00:00"))
    assert task["due"] is None, f"a fresh order is neither due soon nor overdue: {task}"
    assert await tasks_of(zhujian, due="soon") == [] and await tasks_of(zhujian, due="overdue") == []

    console.engine.set_time(int((due - timedelta(hours=3)).timestamp() * 1000))
    soon = await tasks_of(zhujian, due="soon")
    assert [item["key"] for item in soon] == [sign_key], f"3 hours before the deadline: {soon}"
    assert soon[0]["due"] == "soon"
    assert await tasks_of(zhujian, due="overdue") == []

    console.engine.set_time(int((due + timedelta(hours=1)).timestamp() * 1000))
    overdue = await tasks_of(zhujian, due="overdue")
    assert [item["key"] for item in overdue] == [sign_key], f"an hour past the deadline: {overdue}"
    assert overdue[0]["due"] == "overdue"
    assert await tasks_of(zhujian, due="soon") == []
    only_hotline = await tasks_of(zhujian, process=ProcessId.HOTLINE_TICKET)
    assert only_hotline == [], "the 签收 task belongs to unit-handling, not to the hotline process"
    await zhujian.aclose()


async def test_a_deadline_reads_the_same_in_the_task_list_the_form_and_the_case_page(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    """Not 2026/10/30 00:00:00 in the list, 2026-10-30T00:00:00+08:00 in the form and
    2026-10-29 24:00 on the case page: one deadline, written one way."""
    key = await receive(console, client)
    sign_key = await dispatch_through_console(console, key)
    zhujian = await console.client("zhujian")
    task = at(await tasks_of(zhujian), UnitHandling.SIGN_FOR)[0]
    due = datetime.fromisoformat(task["dueDate"].replace("Z", "+00:00")).astimezone(SHANGHAI)
    assert due.time() == time(0), f"the handling deadline should run out at local midnight: {due}"
    written = f"{(due - timedelta(days=1)).date().isoformat()} 24:00"
    assert task["dueText"] == written, f"the task list writes the deadline {task['dueText']!r}"
    variables = (await zhujian.get(f"/api/tasks/{sign_key}")).json()["variables"]
    assert variables["dueAt"] == written, f"the sign-for form prints the deadline {variables['dueAt']!r}"
    assert variables["caseNumber"] == task["caseNumber"], "a variable that is no instant was changed"
    case_page = await zhujian.get(f"/cases/{task['caseNumber']}")
    due_on_case = case_page.text.split('data-testid="case-due">')[1].split("<")[0]
    assert due_on_case == written, f"the case page writes {due_on_case!r}, the task {written!r}"
    await zhujian.aclose()


async def test_a_case_page_leads_to_the_users_tasks_of_the_case(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    key = await receive(console, client)
    case_number = console.engine.instance(key).variables["caseNumber"]
    operator = await console.client("operator")
    before = (await operator.get(f"/cases/{case_number}")).text
    intake = at(await tasks_of(operator), HotlineTicket.INTAKE)[0]
    assert f'<a href="/tasks/{intake["key"]}" data-testid="case-task-link">前台受理</a>' in before, (
        "the case page does not lead the front desk to its 前台受理 task"
    )
    assert str(key) not in before, "the case page shows an instance key to a role that cannot open it"

    sign_key = await dispatch_through_console(console, key)
    zhujian = await console.client("zhujian")
    page = (await zhujian.get(f"/cases/{case_number}")).text
    link = f'<a href="/tasks/{sign_key}" data-testid="case-task-link">签收</a>'
    assert link in page, "the lead unit's case page does not lead to its 签收 task in the unit's handling"
    after = (await operator.get(f"/cases/{case_number}")).text
    assert 'data-testid="case-task-link"' not in after, "the front desk is still offered the unit's task"
    assert "本案目前没有您要办理的任务" in after
    centre = await console.client("centre")
    watched = (await centre.get(f"/cases/{case_number}")).text
    assert f'href="/instances/{key}" data-testid="case-instance-link"' in watched
    for user in (operator, zhujian, centre):
        await user.aclose()


async def test_the_task_list_names_whose_tasks_it_shows_in_chinese(console: ConsoleStack) -> None:
    expected = {
        "centre": "热线中心可以办理的待办任务",
        "zhujian": "承办单位（住房城乡建设委）可以办理的待办任务",
    }
    for username, scope in expected.items():
        user = await console.client(username)
        page = await user.get("/tasks")
        said = page.text.split('data-testid="task-scope">')[1].split("</p>")[0]
        assert said.startswith(scope), f"{username}'s task list says {said!r}"
        assert "hotline-centre" not in said and "forum-office" not in said, f"group ids shown: {said!r}"
        await user.aclose()


async def test_a_form_that_reads_the_appellant_gets_it_as_the_role_may_see_it_and_the_view_is_audited(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    """The centre's reply draft hides the publishing choice for a confidential appellant, so its
    form reads `appellant`: the centre may see it in the clear, and that view is written down."""
    engine = console.engine
    engine.set_time(int(datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI).timestamp() * 1000))
    message = {**NOISE, "source": "网上留言", "fromAbove": False, "receivedAt": "2026-09-30T09:00:00+08:00"}
    key = (await client.run_process(ProcessId.ONLINE_MESSAGE, message)).process_instance_key
    opinion = {
        "category": "投诉",
        "limitKey": "简单件",
        "leadUnit": HOUSING,
        "coUnits": [],
        "sensitivity": "general",
        "opinionNote": "请住房城乡建设委核实处理。",
    }
    await engine.complete_user_task(key, OnlineMessage.HANDLING_OPINION, opinion)
    await engine.complete_user_task(
        key,
        UnitHandling.SIGN_FOR,
        {"signAction": "accept", "readingLeader": "王主任", "readingOpinion": "请处理"},
    )
    reply = {
        "handlingAction": "reply",
        "replyText": "已处理。",
        "replySigner": "王主任",
        "signatureManner": "handwritten",
    }
    await engine.complete_user_task(key, UnitHandling.HANDLING_REPLY, reply)
    draft = await engine.user_task_at(key, OnlineMessage.REPLY_DRAFT)

    centre = await console.client("centre")
    answer = await centre.get(f"/api/tasks/{draft.key}")
    assert answer.status_code == 200, answer.text[:300]
    appellant = answer.json()["variables"]["appellant"]
    assert appellant["name"] == "张三" and appellant["confidential"] is False, appellant
    case_number = engine.instance(key).variables["caseNumber"]
    views = [
        entry for entry in console.store.audit_log(subject=case_number) if entry.action == "view-appellant"
    ]
    assert [entry.username for entry in views] == ["centre"], "the unmasked view was not audited"
    zhujian = await console.client("zhujian")
    assert (await zhujian.get(f"/api/tasks/{draft.key}")).status_code == 404
    await centre.aclose()
    await zhujian.aclose()


async def test_only_users_with_the_tasks_permission_reach_the_task_list(console: ConsoleStack) -> None:
    admin = await console.client("admin")
    for path in ("/tasks", "/api/tasks"):
        answer = await admin.get(path)
        assert answer.status_code == 403, f"an administrator reached {path}: {answer.status_code}"
    await admin.aclose()
    anonymous = httpx.AsyncClient(base_url=console.url)
    assert (await anonymous.get("/api/tasks")).status_code == 401
    await anonymous.aclose()
