"""Who is asking, and may they: the dependencies every route declares.

Authorisation is checked on the server for every request: a page or an endpoint names the
permission it needs (`Allowed(Permission.X)`), and anything about a case goes through
`Principal.may_see_case`, so a unit's user reaches no other unit's case by URL, key or search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from console.context import Console
from console.policy import Permission, RolePolicy
from console.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, SessionData, csrf_matches
from console.store import Account
from workers.ledger.masking import Viewer


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


ConsoleDep = Annotated[Console, Depends(console_of)]


@dataclass(frozen=True)
class Principal:
    account: Account
    role: RolePolicy
    session: SessionData
    # The person's name a diagram may assign a task to (person_name), unless it is another account's
    # username: a display name must not open someone else's claimed tasks.
    person: str | None = None

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def names(self) -> tuple[str, ...]:
        """What a user task's assignee may call this user: the username a claim sets, or the person's
        name, which a diagram assigns a task by (`assignee="=receivingLeader"`, a reviewer, a guest)."""
        return (self.username,) if self.person is None else (self.username, self.person)

    def is_assignee(self, assignee: str | None) -> bool:
        return assignee is not None and assignee in self.names

    @property
    def groups(self) -> tuple[str, ...]:
        """The candidate groups whose user tasks this user works on."""
        return self.role.groups_of(self.account.unit)

    @property
    def viewer(self) -> Viewer:
        """This user as the ledger masks appellants' data for them."""
        return Viewer(role=self.role.ledger_role, unit=self.account.unit, user=self.account.username)

    def may(self, permission: Permission) -> bool:
        return permission in self.role.permissions

    def may_see_case(self, lead_unit: str | None, co_units: tuple[str, ...] | list[str]) -> bool:
        if self.may(Permission.CASES_ALL):
            return True
        unit = self.account.unit
        return (
            self.may(Permission.CASES_UNIT) and unit is not None and (unit == lead_unit or unit in co_units)
        )

    def may_work_on(self, candidate_groups: list[str] | tuple[str, ...], assignee: str | None) -> bool:
        """Whether a user task with these candidate groups (and assignee) is this user's to see."""
        return self.is_assignee(assignee) or any(group in self.groups for group in candidate_groups)


def person_name(display_name: str) -> str:
    """The person's name in a display name, without the title in brackets: 陈建国（分管副市长） → 陈建国."""
    return re.split(r"[（(]", display_name, maxsplit=1)[0].strip()


def principal(request: Request, console: ConsoleDep) -> Principal:
    session = console.sessions.read(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise HTTPException(401, "请先登录")
    account = console.store.account(session.username)
    role = None if account is None else console.policy.roles.get(account.role)
    if account is None or role is None:
        raise HTTPException(401, "账号已停用或角色不存在，请重新登录")
    person = person_name(account.display_name)
    known = person == account.username or not person or console.store.has_user(person)
    return Principal(account, role, session, None if known else person)


PrincipalDep = Annotated[Principal, Depends(principal)]


class Allowed:
    """A dependency: the signed-in user, who must hold `permission` (403 otherwise)."""

    def __init__(self, *permissions: Permission) -> None:
        self.permissions = permissions

    def __call__(self, user: PrincipalDep) -> Principal:
        if not any(user.may(permission) for permission in self.permissions):
            raise HTTPException(403, "您的角色无权访问此页面")
        return user


async def checked_csrf(request: Request, user: PrincipalDep) -> Principal:
    """For a state-changing request: the signed-in user, whose session's CSRF token it must carry."""
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not csrf_matches(user.session, given):
        raise HTTPException(403, "请求缺少有效的安全令牌（CSRF），请刷新页面后重试")
    return user


CsrfDep = Annotated[Principal, Depends(checked_csrf)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def audit(
    console: Console, request: Request, user: Principal, action: str, subject: str, detail: Any = None
) -> None:
    """Write who saw or did what; every view of unmasked appellant data goes through here."""
    console.store.audit(
        user.username,
        action,
        subject,
        None if detail is None else str(detail),
        client_address(request),
        console.clock(),
    )
