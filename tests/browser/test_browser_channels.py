"""The communication circular's channels in the browser: the meeting office registers a meeting's
topic on the intake page, which offers it only its own channel; the preview task reaches its task
list under the process's Chinese name, and the case's page shows where the case stands."""

from __future__ import annotations

import re

from browser_support import PageErrors, PageFor, follow_menu, move_to, screenshot
from console_support import ConsoleStack
from playwright.async_api import expect

from workers.ids import MeetingAttendance, ProcessId

TOPIC = "老旧小区改造实施方案"


async def test_the_meeting_office_registers_a_topic_and_finds_the_preview_task(
    console: ConsoleStack, page_for: PageFor, page_errors: PageErrors
) -> None:
    move_to(console.engine, "2026-12-01 09:00")
    office = await page_for("huiwu")
    await follow_menu(office, "登记受理")
    tabs = office.get_by_test_id("intake-channels").get_by_role("tab")
    await expect(tabs, "the meeting office is offered its own channel only").to_have_text(["列席常务会议"])
    await expect(office.get_by_test_id("intake-import-link")).to_have_count(0)

    form = office.get_by_test_id(f"intake-form-{ProcessId.MEETING_ATTENDANCE}")
    await form.locator('[name="title"]').fill(TOPIC)
    await form.locator('[name="content"]').fill("研究2027年老旧小区改造计划，邀请市民代表列席。")
    await form.locator('[name="topicUnit"]').select_option(label="市住房和城乡建设委员会")
    # A meeting already held (the browser's own check taken away) is refused by the server, naming the field.
    page_errors.expect(r"status of 422 .*/api/intake/meeting-attendance")
    await form.locator('[name="meetingAt"]').evaluate("input => input.removeAttribute('min')")
    await form.locator('[name="meetingAt"]').fill("2026-11-30T09:00")
    await form.get_by_role("button", name="登记并启动流程").click()
    result = office.get_by_test_id("intake-result")
    await expect(result).to_contain_text("会议时间应晚于当前时间")
    await expect(form.locator('[name="meetingAt"]')).to_have_attribute("aria-invalid", "")

    await form.locator('[name="meetingAt"]').fill("2026-12-10T09:00")
    await form.get_by_role("button", name="登记并启动流程").click()
    await expect(result).to_contain_text("列席常务会议已登记，编号 LX2026-")
    found = re.search(r"编号 (\S+?)。", await result.inner_text())
    assert found, f"no case number in the registration result: {await result.inner_text()!r}"
    number = found.group(1)
    await screenshot(office, "intake-meeting")

    key = int(await result.get_attribute("data-process-instance-key") or 0)
    await console.engine.user_task_at(key, MeetingAttendance.PUBLISH_PREVIEW)
    await follow_menu(office, "待办任务")
    row = office.get_by_test_id("task-row").filter(has_text=number)
    await expect(row, "the preview task of the new meeting is in the meeting office's list").to_have_count(1)
    await expect(row).to_contain_text("发布预告")
    await expect(row).to_contain_text("邀请公民列席市政府常务会议")

    await office.goto(f"/cases/{number}")
    await expect(office.get_by_text(TOPIC).first).to_be_visible()
    await expect(office.locator("body")).to_contain_text("列席常务会议")
