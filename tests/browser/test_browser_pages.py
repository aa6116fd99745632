"""A late order as the console shows it once its deadline has passed (the engine's clock moved,
not waited for): overdue in the unit's task list, reminders in its inbox, on the supervisor's
dashboards and instance list, and in a bulletin generated from the reports page; and what another
unit gets when it tries the order's addresses."""

from __future__ import annotations

import re

from browser_support import (
    PageErrors,
    PageFor,
    dispatch,
    follow_menu,
    move_to,
    register_complaint,
    screenshot,
    sign_for,
)
from console_support import ConsoleStack
from playwright.async_api import expect

from workers.ids import UnitHandling


async def test_a_late_order_shows_as_overdue_in_the_task_list_the_inbox_and_the_dashboards(
    console: ConsoleStack, page_for: PageFor, page_errors: PageErrors
) -> None:
    engine = console.engine
    move_to(engine, "2026-09-25 10:00")
    key, case_number = await register_complaint(await page_for("operator"))
    await dispatch(await page_for("centre"), engine, key, case_number)
    zhujian = await page_for("zhujian")
    await sign_for(zhujian, engine, key, case_number)

    # Due at the end of Thursday 29 October; the morning after, the unit has been reminded twice.
    handling = (await engine.user_task_at(key, UnitHandling.HANDLING_REPLY)).process_instance_key
    move_to(engine, "2026-10-30 09:00")
    await engine.wait_until_idle()
    await engine.has_passed(handling, UnitHandling.NOTIFY_OVERDUE)

    await zhujian.goto("/tasks")
    await zhujian.get_by_test_id("task-filter-due").select_option("overdue")
    row = zhujian.get_by_test_id("task-row").filter(has_text=case_number)
    await expect(row, "the overdue filter keeps the late order").to_contain_text("办理答复")
    await expect(row.get_by_test_id("task-due-badge")).to_have_text("已超期")
    await zhujian.get_by_test_id("task-filter-due").select_option("soon")
    await expect(zhujian.get_by_test_id("task-empty"), "nothing is merely due soon").to_be_visible()
    await follow_menu(zhujian, "工作台")
    await expect(zhujian.locator(".inbox"), "the unit is reminded in its inbox").to_contain_text("【催办】")
    body = await zhujian.locator(".inbox li").filter(has_text="【派单】").locator("p").first.inner_text()
    assert "\n" in body.strip(), f"the message's lines run together into one paragraph: {body!r}"
    await screenshot(zhujian, "home")

    supervisor = await page_for("supervisor")
    await follow_menu(supervisor, "统计看板")
    overdue = supervisor.get_by_test_id("overdue-cases-row").and_(
        supervisor.locator(f'[data-case="{case_number}"]')
    )
    await expect(overdue, "the late case is on the overdue list").to_contain_text("住房城乡建设委")
    await expect(supervisor.get_by_test_id("kpi-overdue-now").locator(".value")).to_have_text("1")
    await screenshot(supervisor, "dashboards")

    await follow_menu(supervisor, "流程监控")
    await expect(
        supervisor.get_by_test_id("instance-row").and_(supervisor.locator(f'[data-key="{key}"]'))
    ).to_be_visible()
    await screenshot(supervisor, "instances")

    # September's bulletin, generated on request and followed until its files are there.
    await follow_menu(supervisor, "通报下载")
    await supervisor.get_by_test_id("bulletin-period").select_option(label="2026年9月")
    await supervisor.get_by_test_id("generate-bulletin").click()
    operation = supervisor.get_by_test_id("operation")
    await expect(operation, "the bulletin is generated").to_have_attribute("data-state", "succeeded")
    await expect(operation.get_by_test_id("operation-progress")).to_have_attribute("aria-valuenow", "100")
    async with supervisor.expect_download() as download:
        await operation.get_by_role("link", name="下载XLSX报表").click()
    assert (await download.value).suggested_filename.endswith(".xlsx"), "the workbook downloads as .xlsx"
    await operation.get_by_test_id("operation-reload").click()
    await expect(supervisor.get_by_test_id("bulletin"), "the new bulletin is listed").to_have_count(1)
    await screenshot(supervisor, "reports")

    # Another unit guessing the order's addresses learns nothing of it.
    task = await engine.user_task_at(key, UnitHandling.HANDLING_REPLY)
    huanbao = await page_for("huanbao")
    for path in (f"/cases/{case_number}", f"/tasks/{task.key}"):
        page_errors.expect(r"status of 40[34]")
        await huanbao.goto(path)
        await expect(huanbao.get_by_role("heading", level=1), f"{path} refused").to_have_text(
            re.compile(r"（40[34]）")
        )
        await expect(huanbao.locator("main")).not_to_contain_text("供暖")
