"""Signing in and out in the browser: the login form in Chinese, a wrong password, the start page
with the menu of the user's role, and no script or CSP errors on the way."""

from __future__ import annotations

from browser_support import PageErrors, PageFor, screenshot
from console_support import ConsoleStack
from playwright.async_api import Browser, Page, expect


async def menu_of(page: Page) -> list[str]:
    return [
        text.strip()
        for text in await page.get_by_role("navigation", name="主菜单").get_by_role("link").all_inner_texts()
    ]


async def test_the_login_page_is_in_chinese(
    browser: Browser, console: ConsoleStack, page_errors: PageErrors
) -> None:
    context = await browser.new_context(base_url=console.url, locale="zh-CN")
    page = await context.new_page()
    page_errors.watch(page, "anonymous")
    await page.goto("/")
    await expect(page, "an anonymous visitor is sent to the login form").to_have_url(
        f"{console.url}/login?next=/"
    )
    await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    await expect(page).to_have_title("登录 · 民声诉求办理平台")
    await expect(page.get_by_role("heading", level=1)).to_have_text("登录民声诉求办理平台")
    await expect(page.get_by_label("用户名")).to_be_focused()
    await expect(page.get_by_label("密码")).to_have_attribute("type", "password")
    await expect(page.get_by_role("button", name="登录")).to_be_visible()
    await screenshot(page, "login")
    await context.close()
    page_errors.assert_none()


async def test_a_wrong_password_is_refused_with_a_message(
    browser: Browser, console: ConsoleStack, page_errors: PageErrors
) -> None:
    context = await browser.new_context(base_url=console.url, locale="zh-CN")
    page = await context.new_page()
    page_errors.watch(page, "zhujian")
    # The refused form comes back with 401, which Chromium logs as a failed resource.
    page_errors.expect(r"status of 401")
    await page.goto("/login")
    await page.get_by_label("用户名").fill("zhujian")
    await page.get_by_label("密码").fill("not-the-password")
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("alert")).to_have_text("用户名或密码错误")
    await expect(page.get_by_role("navigation", name="主菜单")).to_have_count(0)
    await page.goto("/")
    await expect(page, "a refused sign-in opens no session").to_have_url(f"{console.url}/login?next=/")
    await context.close()
    page_errors.assert_none()


async def test_a_unit_user_lands_on_the_start_page_with_the_menu_of_their_role(page_for: PageFor) -> None:
    page = await page_for("zhujian")
    await expect(page).to_have_title("工作台 · 民声诉求办理平台")
    await expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    await expect(page.locator(".who .role")).to_have_text("承办单位 · 住房城乡建设委")
    assert await menu_of(page) == ["工作台", "待办任务", "案件查询", "知识库"], (
        "a unit's staff work on tasks, read cases and keep their knowledge base entries only"
    )
    # The stylesheet applied (CSP lets the console's own files through): the menu is laid out.
    display = await page.get_by_role("navigation", name="主菜单").evaluate(
        "menu => getComputedStyle(menu).display"
    )
    assert display != "inline", "console.css did not apply to the menu"


async def test_each_role_sees_its_own_menu(page_for: PageFor) -> None:
    operator = await page_for("operator")
    assert await menu_of(operator) == [
        "工作台",
        "登记受理",
        "待办任务",
        "案件查询",
        "知识库",
        "上级平台隔离区",
    ]
    supervisor = await page_for("supervisor")
    assert await menu_of(supervisor) == ["工作台", "待办任务", "案件查询", "流程监控", "统计看板", "通报下载"]
    admin = await page_for("admin")
    assert "用户管理" in await menu_of(admin) and "待办任务" not in await menu_of(admin)
    await admin.get_by_role("navigation", name="主菜单").get_by_role("link", name="用户管理").click()
    await expect(admin.get_by_test_id("users")).to_contain_text("zhujian")
    await screenshot(admin, "users")


async def test_signing_out_ends_the_session(page_for: PageFor, console: ConsoleStack) -> None:
    page = await page_for("operator")
    await page.get_by_role("button", name="退出").click()
    await expect(page).to_have_url(f"{console.url}/login")
    await page.goto("/")
    await expect(page, "after signing out the start page asks for the login again").to_have_url(
        f"{console.url}/login?next=/"
    )
