"""What the browser tests share besides fixtures: the errors pages report, screenshots, a stand-in
SMS gateway, and the steps people take with a complaint in the console (see conftest.py for the
fixtures)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.async_api import ConsoleMessage, Error, Locator, Page, expect
from process_support import REPOSITORY

from engine.testing.handle import EngineHandle
from workers.ids import HotlineTicket, UnitHandling

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = REPOSITORY / "var" / "screenshots"
# How long a step may wait for the page: long enough for a busy two-core machine, short enough
# that a page that never answers fails the test well inside its minute.
STEP_TIMEOUT_MS = 15_000

PageFor = Callable[[str], Awaitable[Page]]


@dataclass
class PageErrors:
    """What the pages logged as errors and the script errors they did not catch, by user and URL."""

    found: list[str] = field(default_factory=list)
    # Errors a test provokes on purpose (a 401 for a wrong password), each matched once.
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def expect(self, pattern: str) -> None:
        self.expected.append(re.compile(pattern))

    def watch(self, page: Page, who: str) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.record(f"{who} at {page.url}: console error: {message.text} ({message.location})")

        def on_page_error(error: Error) -> None:
            self.record(f"{who} at {page.url}: uncaught {error.name}: {error.message}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)

    def record(self, text: str) -> None:
        for pattern in self.expected:
            if pattern.search(text):
                self.expected.remove(pattern)
                return
        self.found.append(text)

    def assert_none(self) -> None:
        assert not self.found, "the pages reported errors:\n" + "\n".join(self.found)


async def screenshot(page: Page, name: str) -> Path:
    """Keep the whole page as var/screenshots/<name>.png for review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


@dataclass
class SmsGateway:
    """A stand-in for the SMS gateway the workers post text messages to; it can go down."""

    url: str = ""
    received: list[dict[str, str]] = field(default_factory=list)
    up: bool = True


# ------------------------------------------------------------------ a complaint in the console

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The live view promises a move within a second; the rest is the browser's margin on a busy machine.
LIVE_MS = 2_000

# Words the classification routes to the housing unit (供暖, 管道, 物业) with no co-handling unit.
COMPLAINT = {
    "phone": "13800001111",
    "name": "张三",
    "address": "铁东区幸福小区3栋2单元",
    "title": "小区供暖管道噪音",
    "content": "小区供暖管道每晚发出很大的噪音，吵得无法入睡，多次反映物业仍未维修，投诉",
}
HOUSING = "住房城乡建设委"
HOUSING_NAME = "市住房和城乡建设委员会"


def move_to(engine: EngineHandle, local: str) -> None:
    """Pin the engine's clock (the workers' and the console's too) at a Shanghai wall-clock time."""
    moment = datetime.fromisoformat(local).replace(tzinfo=SHANGHAI)
    engine.set_time(int(moment.timestamp() * 1000))


async def follow_menu(page: Page, label: str) -> None:
    await page.get_by_role("navigation", name="主菜单").get_by_role("link", name=label).click()


async def register_complaint(operator: Page) -> tuple[int, str]:
    """The operator registers a hotline call on /intake; the instance key and the case number."""
    await follow_menu(operator, "登记受理")
    form = operator.get_by_test_id("intake-form-hotline-ticket")
    await form.get_by_label("来电号码").fill(COMPLAINT["phone"])
    await form.get_by_label("来电人姓名").fill(COMPLAINT["name"])
    await form.get_by_label("联系地址").fill(COMPLAINT["address"])
    await form.get_by_label("标题").fill(COMPLAINT["title"])
    await form.get_by_label("诉求内容").fill(COMPLAINT["content"])
    await form.get_by_role("button", name="登记并启动流程").click()
    result = operator.get_by_test_id("intake-result")
    await expect(result, "the registration answers with the case number").to_contain_text(
        "热线来电已登记，编号"
    )
    key = await result.get_attribute("data-process-instance-key")
    assert key, "the registration result names no process instance"
    found = re.search(r"编号 (\S+?)。", await result.inner_text())
    assert found, f"no case number in the registration result: {await result.inner_text()!r}"
    return int(key), found.group(1)


async def open_task(page: Page, engine: EngineHandle, key: int, element_id: str, case_number: str) -> Locator:
    """Open the case's task at `element_id` from the user's task list; the rendered form."""
    await engine.user_task_at(key, element_id)
    await page.goto("/tasks")
    row = page.get_by_test_id("task-row").and_(page.locator(f'[data-element-id="{element_id}"]'))
    row = row.filter(has_text=case_number)
    await expect(row, f"{element_id} of {case_number} in the task list").to_have_count(1)
    await row.get_by_test_id("task-link").click()
    form = page.get_by_test_id("task-form")
    await expect(form.locator(".fjs-form"), "the task's form is rendered").to_be_visible()
    await expect(page.get_by_test_id("task-case")).to_have_text(case_number)
    return form


async def submit_task(page: Page) -> None:
    await page.get_by_test_id("task-submit").click()
    await page.wait_for_url(re.compile(r"/tasks\?done="))


async def choose(form: Locator, option: str) -> None:
    await form.get_by_role("radio", name=option, exact=True).check()


async def pick(form: Locator, field: str, option: str) -> None:
    """Choose in a form-js select: open its list, click the option."""
    group = form.locator(".fjs-form-field").filter(has=form.page.get_by_text(field, exact=False)).last
    await group.locator(".fjs-input-group").click()
    await group.locator(".fjs-dropdownlist-item", has_text=option).click()
    await expect(group.locator(".fjs-select-display")).to_have_text(option)


async def watch_instance(supervisor: Page, key: int) -> None:
    """The supervisor opens the instance page and it follows the instance live; a mark on the
    window tells later whether the page was ever reloaded."""
    await supervisor.goto(f"/instances/{key}")
    await expect(supervisor.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    await supervisor.evaluate("window.sameDocument = true")


def diagram_element(page: Page, element_id: str) -> Locator:
    return page.locator(f'#instance-diagram .djs-element[data-element-id="{element_id}"]')


async def is_active_on_diagram(page: Page, element_id: str, timeout: float | None = None) -> None:
    await expect(diagram_element(page, element_id), f"{element_id} marked active").to_have_class(
        re.compile(r"\bmx-active\b"), timeout=timeout
    )
    await expect(page.locator(f'[data-testid="active-count"][data-element-id="{element_id}"]')).to_have_text(
        "1"
    )


async def not_reloaded(page: Page) -> None:
    assert await page.evaluate("window.sameDocument === true"), "the instance page was reloaded"


async def dispatch(centre: Page, engine: EngineHandle, key: int, case_number: str) -> None:
    """The hotline centre's front desk dispatches the order to the unit the classification chose."""
    form = await open_task(centre, engine, key, HotlineTicket.INTAKE, case_number)
    await choose(form, "派送电子工单")
    await submit_task(centre)


async def sign_for(unit: Page, engine: EngineHandle, key: int, case_number: str) -> None:
    form = await open_task(unit, engine, key, UnitHandling.SIGN_FOR, case_number)
    await choose(form, "签收办理")
    await form.get_by_label("阅批领导").fill("王主任")
    await form.get_by_label("阅批意见").fill("请物业科会同供热公司现场检查管道")
    await submit_task(unit)


async def reply(unit: Page, engine: EngineHandle, key: int, case_number: str, text: str) -> None:
    form = await open_task(unit, engine, key, UnitHandling.HANDLING_REPLY, case_number)
    await choose(form, "答复")
    await form.get_by_label("答复内容").fill(text)
    await form.get_by_label("签发人").fill("王主任")
    await pick(form, "签发方式", "手写签名")
    await submit_task(unit)
