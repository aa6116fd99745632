"""Signing in and out: hashed passwords, throttling, CSRF, redirects, security headers."""

from __future__ import annotations

import httpx
from console_support import ConsoleStack, sign_in

from console.demo import DEMO_PASSWORD
from console.security import MAX_FAILURES_PER_USER


async def test_a_page_without_a_session_sends_to_the_sign_in_page(console: ConsoleStack) -> None:
    async with httpx.AsyncClient(base_url=console.url) as anonymous:
        answer = await anonymous.get("/tasks")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=/tasks"
        api = await anonymous.get("/api/tasks")
        assert api.status_code == 401, "an API call without a session must be refused, not redirected"


async def test_signing_in_shows_the_users_role_and_menu(console: ConsoleStack) -> None:
    client = await console.client("zhujian")
    page = await client.get("/")
    assert page.status_code == 200
    assert "刘洋（住房城乡建设委）" in page.text and "承办单位" in page.text
    assert "待办任务" in page.text
    assert "流程监控" not in page.text, "a unit's user must not be offered the live process view"
    cookie = next(c for c in client.cookies.jar if c.name == "minsheng_session")
    assert cookie.has_nonstandard_attr("HttpOnly"), "the session cookie must be HttpOnly"
    await client.aclose()


async def test_passwords_are_stored_as_argon2_hashes(console: ConsoleStack) -> None:
    found = console.store.credentials("operator")
    assert found is not None
    assert found[1].startswith("$argon2id$"), (
        f"the password is stored as {found[1][:12]}..., not an argon2id hash"
    )
    assert DEMO_PASSWORD not in found[1]


async def test_a_wrong_password_is_refused_and_repeated_failures_are_throttled(console: ConsoleStack) -> None:
    async with httpx.AsyncClient(base_url=console.url) as client:
        for _ in range(MAX_FAILURES_PER_USER):
            answer = await client.post("/login", data={"username": "leader", "password": "guess"})
            assert answer.status_code == 401
            assert "用户名或密码错误" in answer.text
        answer = await client.post("/login", data={"username": "leader", "password": DEMO_PASSWORD})
        assert answer.status_code == 429, "the right password after too many failures must still be throttled"
        assert "登录失败次数过多" in answer.text
    # Another user from the same address is not locked out by one user's failures.
    other = await sign_in(console.url, "centre")
    await other.aclose()


async def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(console: ConsoleStack) -> None:
    async with httpx.AsyncClient(base_url=console.url) as client:
        answer = await client.post("/login", data={"username": "nobody", "password": "guess"})
        assert answer.status_code == 401 and "用户名或密码错误" in answer.text


async def test_signing_out_needs_the_sessions_csrf_token(console: ConsoleStack) -> None:
    client = await console.client("operator")
    token = client.headers.pop("X-CSRF-Token")
    refused = await client.post("/logout")
    assert refused.status_code == 403, "a state-changing request without the CSRF token must be refused"
    forged = await client.post("/logout", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    accepted = await client.post("/logout", data={"csrf_token": token})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/login"
    await client.aclose()


async def test_after_sign_in_only_local_paths_are_followed(console: ConsoleStack) -> None:
    async with httpx.AsyncClient(base_url=console.url) as client:
        for target, expected in (
            ("/cases", "/cases"),
            ("//evil.example/", "/"),
            ("https://evil.example/", "/"),
        ):
            answer = await client.post(
                "/login", data={"username": "centre", "password": DEMO_PASSWORD, "next": target}
            )
            assert answer.headers["location"] == expected, (
                f"next={target} led to {answer.headers['location']}"
            )


async def test_pages_carry_security_headers(console: ConsoleStack) -> None:
    async with httpx.AsyncClient(base_url=console.url) as client:
        page = await client.get("/login")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"


async def test_a_malformed_link_answers_in_chinese_and_keeps_the_menu(console: ConsoleStack) -> None:
    centre = await console.client("centre")
    for path, status, said in (
        ("/tasks/abc", 404, "链接中的编号格式不正确"),
        ("/instances?page=abc", 400, "请求参数有误（page）"),
        ("/knowledge?page=-1", 400, "请求参数有误（page）"),
        ("/admin/users", 403, "您的角色无权访问此页面"),
    ):
        page = await centre.get(path)
        assert page.status_code == status, f"{path} answered {page.status_code}: {page.text[:200]}"
        assert page.headers["content-type"].startswith("text/html"), f"{path} answered {page.text[:200]}"
        assert said in page.text, f"{path} does not say {said!r}: {page.text[:300]}"
        assert 'aria-label="主菜单"' in page.text and "李强（热线中心）" in page.text, (
            f"{path}: the error page drops the signed-in user's menu"
        )
    answer = await centre.get("/api/tasks", params={"due": "x"})
    detail = answer.json()["detail"]
    assert answer.status_code == 400 and detail == "请求参数有误（due），请检查链接或返回上一页重试", (
        f"an API's malformed query is not explained in Chinese: {answer.text[:300]}"
    )
    await centre.aclose()
    anonymous = httpx.AsyncClient(base_url=console.url)
    missing = await anonymous.get("/nowhere")
    assert missing.status_code == 404 and 'aria-label="主菜单"' not in missing.text
    await anonymous.aclose()
