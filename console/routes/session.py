"""Signing in and out, and the start page."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.auth import ConsoleDep, CsrfDep, PrincipalDep, client_address
from console.dashboard import policies
from console.pages import render
from console.policy import Permission
from console.routes.cases import case_scope
from console.routes.tasks import list_tasks
from console.security import (
    MAX_FAILURES_PER_CLIENT,
    MAX_FAILURES_PER_USER,
    SESSION_COOKIE,
    THROTTLE_WINDOW,
    hash_password,
    needs_rehash,
    verify_password,
)
from workers.deadline_policy import CALENDAR_POLICY_FILE
from workers.ledger.queries import CaseQuery

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
    tiles: list[dict[str, object]] = []
    if user.may(Permission.TASKS):
        # The task list's own search, so the counts are exactly what the linked list shows.
        found = await list_tasks(console, user)
        items = found["items"]
        tiles.append({"id": "open", "label": "我的待办", "count": len(items), "href": "/tasks"})
        for due, label in (("overdue", "超期任务"), ("soon", "24小时内到期")):
            count = sum(1 for item in items if item["due"] == due)
            tiles.append({"id": due, "label": label, "count": count, "href": f"/tasks?due={due}", "due": due})
    scope = case_scope(user)
    if user.may(Permission.CASES_ALL) or user.may(Permission.CASES_UNIT):
        count = 0
        if scope is not False:
            query = CaseQuery(
                overdue_at=console.clock(),
                completed_statuses=policies(console.settings.config_dir).report.cases.completed_statuses,
                unit=scope if isinstance(scope, str) else None,
            )
            count = await asyncio.to_thread(console.cases.count, query)
        label = "本单位超期案件" if isinstance(scope, str) else "超期案件"
        href = "/cases?overdue=1"
        tiles.append({"id": "cases-overdue", "label": label, "count": count, "href": href, "due": "overdue"})
    # Those who watch the live processes, where a deadline the calendar cannot count would fail as
    # an incident, learn before the first one that the next year's holidays must be added.
    calendar_end = None
    if user.may(Permission.INSTANCES):
        calendar_end = console.calendar.runs_out_soon(console.clock().astimezone(console.timezone).date())
    return render(
        request,
        user,
        "home.html",
        messages=messages,
        tiles=tiles,
        may_intake=user.may(Permission.INTAKE),
        calendar_end=calendar_end,
        calendar_file=console.settings.config_dir / CALENDAR_POLICY_FILE,
    )


@router.post("/inbox/{message_id}/read")
async def mark_message_read(
    console: ConsoleDep, user: CsrfDep, message_id: Annotated[int, PathParam(ge=1)]
) -> Response:
    # Only a message in the viewer's own inbox: another's id answers as if it did not exist.
    if message_id not in {message.id for message in console.ledger.inbox(user.viewer)}:
        raise HTTPException(404, "消息不存在")
    console.ledger.mark_read(message_id)
    return RedirectResponse("/#inbox", status_code=303)
