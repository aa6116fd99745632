"""The demo users that `make run` creates, one per role, so a new user can try every part of the
console (README lists them). Their password is public: they are refused outside development."""

from __future__ import annotations

from datetime import datetime

from console.policy import ConsolePolicy
from console.security import hash_password
from console.store import ConsoleStore

DEMO_PASSWORD = "minsheng-demo"

# username, display name, role, unit
DEMO_USERS: tuple[tuple[str, str, str, str | None], ...] = (
    ("operator", "王芳（话务员）", "operator", None),
    ("centre", "李强（热线中心）", "hotline-centre", None),
    ("supervisor", "赵敏（督查室）", "supervision", None),
    ("leader", "陈建国（分管副市长）", "leader", None),
    # A leader's receptions are assigned to the leader's name (陈建国, 张明), see Principal.names.
    ("mayor", "张明（市长）", "leader", None),
    ("huiwu", "黄静（市政府办公室会务）", "meeting-office", None),
    ("zhengwu", "马骏（电子政务和信息处）", "e-government", None),
    ("bianji", "徐婷（网站编辑部）", "website-editorial", None),
    ("xinfang", "郭伟（信访局）", "petition-office", None),
    ("jiufeng", "何琳（纠风办）", "ethics-office", None),
    ("yingji", "高峰（应急办）", "emergency-office", None),
    ("zhujian", "刘洋（住房城乡建设委）", "unit", "住房城乡建设委"),
    ("zhifa", "孙丽（综合执法局）", "unit", "综合执法局"),
    ("huanbao", "周涛（环保局）", "unit", "环保局"),
    ("admin", "系统管理员", "admin", None),
)


def create_demo_users(store: ConsoleStore, policy: ConsolePolicy, now: datetime) -> list[str]:
    """Create the demo users that do not exist yet; their usernames."""
    password_hash = hash_password(DEMO_PASSWORD)
    created = []
    for username, display_name, role, unit in DEMO_USERS:
        if role in policy.roles and not store.has_user(username):
            store.add_user(username, display_name, password_hash, role, unit, now)
            created.append(username)
    return created
