"""Messages to the channels' processes in the browser: the meeting office enters a citizen's sign-up
on the meeting's case page, and the petition office enters the month's reception schedule on its
own page, adding a row; both reach the process (under the strict CSP, with no inline script)."""

from __future__ import annotations

import httpx
from browser_support import PageFor, move_to, screenshot
from console_support import ConsoleStack
from playwright.async_api import expect

from engine.testing.assertions import eventually
from workers.ids import LeaderReception, LeaderReceptionMessages, MeetingAttendanceMessages, ProcessId


async def test_the_meeting_office_enters_a_sign_up_on_the_case_page(
    console: ConsoleStack, page_for: PageFor
) -> None:
    move_to(console.engine, "2026-12-01 09:00")
    office = await page_for("huiwu")
    registered = await office.request.post(
        f"/api/intake/{ProcessId.MEETING_ATTENDANCE}",
        data={
            "title": "老旧小区改造实施方案",
            "content": "研究2027年老旧小区改造计划。",
            "meetingAt": "2026-12-10T09:00",
            "topicUnit": "住房城乡建设委",
        },
        headers={
            "X-CSRF-Token": await office.locator('meta[name="csrf-token"]').get_attribute("content") or ""
        },
    )
    assert registered.status == 201, await registered.text()
    key = int((await registered.json())["processInstanceKey"])

    async def numbered() -> str | None:
        number = console.engine.instance(key).variables.get("caseNumber")
        return str(number) if number else None

    number = await eventually(numbered, lambda: "the meeting was never numbered")
    await office.goto(f"/cases/{number}")
    box = office.get_by_test_id(f"case-message-{MeetingAttendanceMessages.SIGN_UP}")
    await box.locator("summary").click()
    form = office.get_by_test_id(f"message-form-{MeetingAttendanceMessages.SIGN_UP}")
    await form.locator('[name="name"]').fill("王芳")
    await form.locator('[name="phone"]').fill("13800002222")
    await form.locator('[name="via"]').select_option(label="短信报名")
    await form.get_by_test_id(f"message-submit-{MeetingAttendanceMessages.SIGN_UP}").click()
    await expect(office.get_by_test_id("message-result")).to_contain_text(f"报名已登记（案件{number}）")
    await screenshot(office, "case-sign-up")

    async def signed_up() -> list[dict[str, object]] | None:
        return console.engine.instance(key).variables.get("signUps") or None

    assert await eventually(signed_up, lambda: "the sign-up never reached the process") == [
        {"name": "王芳", "phone": "13800002222", "via": "sms", "opinion": None}
    ]


async def test_the_petition_office_enters_the_months_schedule_adding_a_row(
    console: ConsoleStack, page_for: PageFor
) -> None:
    move_to(console.engine, "2026-12-01 09:00")
    petition = await page_for("xinfang")
    await petition.goto("/intake")
    await petition.get_by_test_id(f"start-message-{LeaderReceptionMessages.SCHEDULE}").click()
    form = petition.get_by_test_id(f"message-form-{LeaderReceptionMessages.SCHEDULE}")
    await form.locator('[name="scheduleMonth"]').fill("2026-12")
    rows = form.locator("tr[data-row]")
    shown = await rows.count()
    await form.get_by_role("button", name="添加一行").click()
    await expect(rows, "adding a row adds one").to_have_count(shown + 1)
    last = rows.nth(shown)
    await last.get_by_test_id("row-leader").select_option("王市长")
    await last.get_by_test_id("row-date").fill("2026-12-16")
    await last.get_by_test_id("row-kind").select_option("open")
    await form.get_by_test_id(f"message-submit-{LeaderReceptionMessages.SCHEDULE}").click()
    await expect(petition.get_by_test_id("message-result")).to_contain_text("接访安排已提交")
    await screenshot(petition, "reception-schedule")

    async def started() -> int | None:
        async with httpx.AsyncClient(base_url=f"{console.engine.rest_url}/v2") as engine:
            found = await engine.post(
                "/process-instances/search",
                json={"filter": {"processDefinitionId": ProcessId.LEADER_RECEPTION}},
            )
        items = found.json()["items"]
        return int(items[0]["processInstanceKey"]) if items else None

    key = await eventually(started, lambda: "the schedule started no process")
    await console.engine.user_task_at(key, LeaderReception.PUBLISH_SCHEDULE)
    assert console.engine.instance(key).variables["schedule"] == [
        {"leader": "王市长", "date": "2026-12-16", "kind": "open"}
    ]
