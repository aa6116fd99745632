"""Administration: the console's users (add, deactivate, reset a password) and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.auth import Allowed, ConsoleDep, CsrfDep, Principal, audit
from console.pages import render
from console.policy import Permission
from console.routes.tasks import process_names
from console.security import MIN_PASSWORD_LENGTH, hash_password

router = APIRouter(prefix="/admin")

# How the audit log names the actions written to it (tests/unit/console_logic/test_audit_actions.py
# checks that every action the console writes has its name here).
AUDIT_ACTIONS = {
    "view-appellant": "查看诉求人信息",
    "add-user": "添加用户",
    "activate-user": "启用用户",
    "deactivate-user": "停用用户",
    "reset-password": "重置密码",
    "retry-incident": "重试故障",
    "resolve-incident": "解决故障",
    "cancel-instance": "取消流程实例",
    "submit-knowledge": "提交知识条目",
    "resolve-quarantine": "处理隔离的上级平台来件",
    "intake": "登记受理",
    "import": "批量导入",
    "publish-message": "登记办理信息",
}
Admin = Annotated[Principal, Depends(Allowed(Permission.USERS))]


@router.get("/users", response_class=HTMLResponse)
async def users_page(
    request: Request, console: ConsoleDep, user: Admin, notice: str | None = None
) -> Response:
    return render(
        request,
        user,
        "admin_users.html",
        users=console.store.users(include_inactive=True),
        roles=console.policy.roles,
        notice=notice,
        error=None,
    )


@router.post("/users", response_class=HTMLResponse)
async def add_user(
    request: Request,
    console: ConsoleDep,
    user: Admin,
    _csrf: CsrfDep,
    username: Annotated[str, Form(max_length=64)],
    display_name: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=200)],
    unit: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    problem = _problem(console, username, display_name, role, password, unit.strip() or None)
    if problem is not None:
        return render(
            request,
            user,
            "admin_users.html",
            status_code=400,
            users=console.store.users(include_inactive=True),
            roles=console.policy.roles,
            notice=None,
            error=problem,
        )
    console.store.add_user(
        username, display_name, hash_password(password), role, unit.strip() or None, console.clock()
    )
    audit(console, request, user, "add-user", username, role)
    return RedirectResponse(f"/admin/users?notice=已添加用户 {username}", status_code=303)


@router.post("/users/{username}/active")
async def set_active(
    request: Request,
    console: ConsoleDep,
    user: Admin,
    _csrf: CsrfDep,
    username: str,
    active: Annotated[bool, Form()],
) -> Response:
    if username == user.username and not active:
        raise HTTPException(400, "不能停用自己的账号")
    if not console.store.set_active(username, active):
        raise HTTPException(404, f"用户 {username} 不存在")
    audit(console, request, user, "activate-user" if active else "deactivate-user", username)
    state = "启用" if active else "停用"
    return RedirectResponse(f"/admin/users?notice=已{state}用户 {username}", status_code=303)


@router.post("/users/{username}/password")
async def reset_password(
    request: Request,
    console: ConsoleDep,
    user: Admin,
    _csrf: CsrfDep,
    username: str,
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise HTTPException(400, f"密码至少{MIN_PASSWORD_LENGTH}位")
    if not console.store.set_password_hash(username, hash_password(password)):
        raise HTTPException(404, f"用户 {username} 不存在")
    audit(console, request, user, "reset-password", username)
    return RedirectResponse(f"/admin/users?notice=已重置用户 {username} 的密码", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request,
    console: ConsoleDep,
    user: Admin,
    subject: str | None = None,
    username: str | None = None,
) -> Response:
    entries = console.store.audit_log(subject=subject or None, username=username or None)
    return render(
        request,
        user,
        "admin_audit.html",
        entries=entries,
        subject=subject,
        username=username,
        actions=AUDIT_ACTIONS,
        # A registration and a cancellation name their process by its id (hotline-ticket): shown
        # by its Chinese name.
        process_names=await process_names(console),
    )


def _problem(
    console: ConsoleDep, username: str, display_name: str, role: str, password: str, unit: str | None
) -> str | None:
    """What is wrong with a new user, in the words the form shows; None when nothing is."""
    policy = console.policy.roles.get(role)
    if not username.strip() or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        return "用户名只能包含字母、数字、点、横线和下划线"
    if not display_name.strip():
        return "请填写姓名"
    if policy is None:
        return f"角色 {role} 不存在"
    if policy.per_unit and unit is None:
        return f"{policy.title}的用户必须填写所属单位"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少{MIN_PASSWORD_LENGTH}位"
    if console.store.has_user(username):
        return f"用户名 {username} 已存在"
    return None
