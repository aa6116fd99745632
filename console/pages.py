"""Rendering a page: the template with the signed-in user, their menu and their CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from console.auth import Principal, console_of
from console.policy import Permission
from console.security import CSRF_FIELD

# The menu: (path, label, any of these permissions shows it).
MENU: tuple[tuple[str, str, tuple[Permission, ...]], ...] = (
    ("/", "工作台", ()),
    ("/intake", "登记受理", (Permission.INTAKE,)),
    ("/tasks", "待办任务", (Permission.TASKS,)),
    ("/cases", "案件查询", (Permission.CASES_ALL, Permission.CASES_UNIT)),
    ("/knowledge", "知识库", (Permission.KNOWLEDGE,)),
    ("/upstream", "上级平台隔离区", (Permission.UPSTREAM,)),
    ("/instances", "流程监控", (Permission.INSTANCES,)),
    ("/dashboards", "统计看板", (Permission.DASHBOARDS,)),
    ("/reports", "通报下载", (Permission.REPORTS,)),
    ("/admin/users", "用户管理", (Permission.USERS,)),
    ("/admin/audit", "审计日志", (Permission.USERS,)),
)


def menu_of(user: Principal) -> list[tuple[str, str]]:
    return [(path, label) for path, label, needs in MENU if not needs or any(user.may(p) for p in needs)]


def render(
    request: Request, user: Principal | None, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    console = console_of(request)
    values = {
        "user": user,
        "menu": menu_of(user) if user else [],
        "csrf_field": CSRF_FIELD,
        "csrf_token": user.session.csrf_token if user else "",
        "path": request.url.path,
        **context,
    }
    return console.templates.TemplateResponse(request, template, values, status_code=status_code)
