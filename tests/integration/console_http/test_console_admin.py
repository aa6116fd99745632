"""Administration: users (add, deactivate, reset a password) and the audit log, for admins only."""

from __future__ import annotations

import httpx
from console_support import ConsoleStack, sign_in


async def test_only_an_admin_reaches_the_user_administration(console: ConsoleStack) -> None:
    for username in ("operator", "centre", "supervisor", "leader", "zhujian"):
        client = await console.client(username)
        for path in ("/admin/users", "/admin/audit"):
            answer = await client.get(path)
            assert answer.status_code == 403, f"{username} reached {path}: {answer.status_code}"
        added = await client.post(
            "/admin/users",
            data={"username": "x1", "display_name": "X", "role": "admin", "password": "long-enough-1"},
        )
        assert added.status_code == 403, f"{username} could add an administrator"
        await client.aclose()
    assert not console.store.has_user("x1")


async def test_an_admin_adds_a_unit_user_who_can_then_sign_in(console: ConsoleStack) -> None:
    admin = await console.client("admin")
    missing_unit = await admin.post(
        "/admin/users",
        data={"username": "jiaoyu", "display_name": "钱七", "role": "unit", "password": "jiaoyu-pass-2026"},
    )
    assert missing_unit.status_code == 400 and "必须填写所属单位" in missing_unit.text
    short = await admin.post(
        "/admin/users",
        data={
            "username": "jiaoyu",
            "display_name": "钱七",
            "role": "unit",
            "unit": "教育局",
            "password": "short",
        },
    )
    assert short.status_code == 400 and "密码至少10位" in short.text
    added = await admin.post(
        "/admin/users",
        data={
            "username": "jiaoyu",
            "display_name": "钱七",
            "role": "unit",
            "unit": "教育局",
            "password": "jiaoyu-pass-2026",
        },
    )
    assert added.status_code == 303, added.text[:300]
    user = await sign_in(console.url, "jiaoyu", "jiaoyu-pass-2026")
    home = await user.get("/")
    assert "钱七" in home.text and "教育局" in home.text
    log = await admin.get("/admin/audit")
    assert "添加用户" in log.text and "jiaoyu" in log.text
    await user.aclose()
    await admin.aclose()


async def test_a_deactivated_user_is_signed_out_and_cannot_sign_in(console: ConsoleStack) -> None:
    admin = await console.client("admin")
    user = await console.client("huanbao")
    assert (await user.get("/")).status_code == 200
    answer = await admin.post("/admin/users/huanbao/active", data={"active": "false"})
    assert answer.status_code == 303
    assert (await user.get("/")).status_code == 303, "a deactivated user's session must end at once"
    async with httpx.AsyncClient(base_url=console.url) as fresh:
        refused = await fresh.post("/login", data={"username": "huanbao", "password": "minsheng-demo"})
        assert refused.status_code == 401
    own = await admin.post("/admin/users/admin/active", data={"active": "false"})
    assert own.status_code == 400, "an admin must not lock themselves out"
    await user.aclose()
    await admin.aclose()


async def test_a_reset_password_replaces_the_old_one(console: ConsoleStack) -> None:
    admin = await console.client("admin")
    answer = await admin.post("/admin/users/leader/password", data={"password": "new-leader-pass-1"})
    assert answer.status_code == 303
    user = await sign_in(console.url, "leader", "new-leader-pass-1")
    await user.aclose()
    unknown = await admin.post("/admin/users/nobody/password", data={"password": "new-leader-pass-1"})
    assert unknown.status_code == 404
    await admin.aclose()
