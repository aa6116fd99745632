"""The start page warns those who watch the live processes that the working-day calendar runs out
(config/calendar.toml's warn_days_ahead, 100 days as shipped) before a deadline reaches the year
it does not cover; chinesecalendar 1.11 covers up to 2026."""

from __future__ import annotations

from datetime import UTC, datetime

from console_support import ConsoleStack

BANNER = 'data-testid="calendar-running-out"'
WARNING = "工作日历尚未包含2027年的节假日安排：自2027年1月1日起的办理时限将无法计算。"


async def _start_page(console: ConsoleStack, username: str) -> str:
    client = await console.client(username)
    page = (await client.get("/")).text
    await client.aclose()
    return page


async def test_near_the_year_end_the_centre_admin_and_supervision_are_warned(console: ConsoleStack) -> None:
    # 11 days before 1 January 2027, in Beijing.
    console.engine.set_time(int(datetime(2026, 12, 21, 2, tzinfo=UTC).timestamp() * 1000))
    for username in ("centre", "admin", "supervisor"):
        page = await _start_page(console, username)
        assert BANNER in page, f"{username}'s start page does not warn that the calendar runs out"
        assert WARNING in page, f"{username}'s warning does not name 2027 and its first day"
        assert "[years.2027]" in page, f"{username}'s warning does not say which table to add"
    for username in ("operator", "zhujian", "leader"):
        assert BANNER not in await _start_page(console, username), (
            f"{username}, who cannot see the processes' incidents, is shown the calendar warning"
        )


async def test_far_from_the_year_end_nobody_is_warned(console: ConsoleStack) -> None:
    # 1 June 2026: 214 days before the calendar runs out, beyond the 100 days' look-ahead.
    console.engine.set_time(int(datetime(2026, 6, 1, 2, tzinfo=UTC).timestamp() * 1000))
    assert BANNER not in await _start_page(console, "centre"), "the warning shows 214 days ahead"
