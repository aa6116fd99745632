"""Browser tests: Debian's Chromium, driven by Playwright, in front of the console over real HTTP
(the embedded engine, the real workers and diagrams, a real ledger: see console_support).

`page_for("zhujian")` signs a demo user in through the login form, in a browser context of their
own (cookies apart, zh-CN, Asia/Shanghai), and returns the page on 工作台. Everything the pages
log as an error, and every uncaught script error, fails the test when it ends: a page that breaks
its scripts or runs into the CSP does not pass because its HTML looked right.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from browser_support import CHROMIUM, STEP_TIMEOUT_MS, PageErrors, PageFor, SmsGateway
from console_support import *  # noqa: F403
from console_support import ConsoleStack
from fastapi import FastAPI, Request, Response
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from process_support import *  # noqa: F403

from console.demo import DEMO_PASSWORD
from engine.api.server import start_rest_server

expect.set_options(timeout=STEP_TIMEOUT_MS)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # Chromium's sandbox refuses to start as root (containers, CI); elsewhere it stays on.
        arguments = ["--no-sandbox"] if os.geteuid() == 0 else []
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=arguments)
        yield launched
        await launched.close()


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
async def page_for(
    browser: Browser, console: ConsoleStack, page_errors: PageErrors
) -> AsyncIterator[PageFor]:
    """Sign a user in through the real login form; the page is on 工作台 when this returns. The
    test fails when it ends if any page reported an error."""

    contexts: list[BrowserContext] = []

    async def sign_in(username: str) -> Page:
        context = await browser.new_context(
            base_url=console.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 1400, "height": 900},
        )
        contexts.append(context)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        page = await context.new_page()
        page_errors.watch(page, username)
        await page.goto("/login")
        await page.get_by_label("用户名").fill(username)
        await page.get_by_label("密码").fill(DEMO_PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await page.wait_for_url(f"{console.url}/")
        return page

    yield sign_in
    # Closed before the console stops, which would otherwise wait for the pages' live streams.
    for context in contexts:
        await context.close()
    page_errors.assert_none()


@pytest.fixture
async def sms_gateway(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SmsGateway]:
    """The workers send text messages here (MINSHENG_SMS_ENDPOINT). Request it before `console`,
    so that the workers start with it set."""
    gateway = SmsGateway()
    app = FastAPI()

    @app.post("/sms")
    async def receive(request: Request) -> Response:
        if not gateway.up:
            return Response(status_code=503)
        gateway.received.append(await request.json())
        return Response(status_code=202)

    server = await start_rest_server(app, "127.0.0.1:0")
    gateway.url = f"http://127.0.0.1:{server.port}/sms"
    monkeypatch.setenv("MINSHENG_SMS_ENDPOINT", gateway.url)
    try:
        yield gateway
    finally:
        await server.stop()
