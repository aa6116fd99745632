"""Signing in and out, and the start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.auth import ConsoleDep, CsrfDep, PrincipalDep, client_address
from console.pages import render
from console.security import (
    MAX_FAILURES_PER_CLIENT,
    MAX_FAILURES_PER_USER,
    SESSION_COOKIE,
    THROTTLE_WINDOW,
    hash_password,
    needs_rehash,
    verify_password,
)

router = APIRouter()


def _local_path(next_path: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another host."""
    if next_path and next_path.startswith("/") and not next_path.startswith(("//", "/\\")):
        return next_path
    return "/"


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/") -> Response:
    return render(request, None, "login.html", next=_local_path(next), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    console: ConsoleDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    now = console.clock()
    client = client_address(request)
    since = now - THROTTLE_WINDOW
    store = console.store
    if (
        store.failures_since(since, username=username) >= MAX_FAILURES_PER_USER
        or store.failures_since(since, client=client) >= MAX_FAILURES_PER_CLIENT
    ):
        minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
        return render(
            request,
            None,
            "login.html",
            status_code=429,
            next=_local_path(next),
            error=f"登录失败次数过多，请{minutes}分钟后再试",
        )
    found = store.credentials(username)
    if not verify_password(found[1] if found else None, password) or found is None:
        store.record_attempt(username, client, False, now)
        return render(
            request, None, "login.html", status_code=401, next=_local_path(next), error="用户名或密码错误"
        )
    store.record_attempt(username, client, True, now)
    if needs_rehash(found[1]):
        store.set_password_hash(username, hash_password(password))
    response = RedirectResponse(_local_path(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        console.sessions.issue(username),
        max_age=int(console.sessions.max_age.total_seconds()),
        httponly=True,
        samesite="lax",
        # Over HTTPS (directly or behind a proxy that says so) the cookie never travels in the clear.
        secure=console.settings.console_secure_cookies or request.url.scheme == "https",
    )
    return response


@router.post("/logout")
async def logout(_user: CsrfDep) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response:
    # Browsers ask for it whatever the pages link to.
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, console: ConsoleDep, user: PrincipalDep) -> Response:
    messages = console.ledger.inbox(user.viewer)[:20]
    return render(request, user, "home.html", messages=messages)
