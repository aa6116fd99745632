"""The start page (工作台): each role's tiles, the 登记受理 button, and marking inbox messages read."""

from __future__ import annotations

import re

from console_support import ConsoleStack

from workers.ledger.events import InboxPost


def _token(page: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert found, "the start page carries no CSRF token"
    return found.group(1)


def _tile_count(page: str, tile: str) -> int:
    found = re.search(rf'data-testid="home-tile-{tile}-count">(\d+)<', page)
    assert found, f"the start page shows no {tile!r} tile"
    return int(found.group(1))


async def test_each_role_sees_its_own_tiles(console: ConsoleStack) -> None:
    operator = await console.client("operator")
    page = (await operator.get("/")).text
    assert 'data-testid="home-intake"' in page, "the operator is offered no 登记受理 button"
    tasks = (await operator.get("/api/tasks")).json()["items"]
    assert _tile_count(page, "open") == len(tasks), "the open-task tile disagrees with the task list"
    await operator.aclose()

    unit = await console.client("zhujian")
    page = (await unit.get("/")).text
    assert 'data-testid="home-intake"' not in page, "a unit's user must not be offered 登记受理"
    assert "本单位超期案件" in page, "a unit's user sees no tile of its unit's overdue cases"
    assert _tile_count(page, "cases-overdue") == 0
    assert 'href="/cases?overdue=1"' in page
    await unit.aclose()

    supervisor = await console.client("supervisor")
    page = (await supervisor.get("/")).text
    assert _tile_count(page, "cases-overdue") == 0
    await supervisor.aclose()


async def test_a_user_marks_only_their_own_messages_read(console: ConsoleStack) -> None:
    message_id = console.ledger.post_message(
        9_100_001, InboxPost(recipient_unit="住房城乡建设委", subject="新工单", body="请及时签收")
    )
    owner = await console.client("zhujian")
    stranger = await console.client("zhifa")

    assert "请及时签收" not in (await stranger.get("/")).text, "another unit's message shows in the inbox"
    refused = await stranger.post(f"/inbox/{message_id}/read")
    assert refused.status_code == 404, f"another unit's user marked the message: {refused.status_code}"
    page = (await owner.get("/")).text
    assert f'data-testid="inbox-mark-read-{message_id}"' in page, "the unread message has no 标为已读 button"

    del owner.headers["X-CSRF-Token"]
    forged = await owner.post(f"/inbox/{message_id}/read")
    assert forged.status_code == 403, f"marking read without the CSRF token answered {forged.status_code}"
    still = (await owner.get("/")).text
    assert f'data-testid="inbox-mark-read-{message_id}"' in still, "a forged request marked the message read"

    marked = await owner.post(f"/inbox/{message_id}/read", data={"csrf_token": _token(page)})
    assert marked.status_code == 303, f"marking the message read answered {marked.status_code}"
    page = (await owner.get("/")).text
    assert f'data-testid="inbox-mark-read-{message_id}"' not in page, "the message still reads as unread"
    await owner.aclose()
    await stranger.aclose()
