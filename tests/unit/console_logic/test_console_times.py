"""Instants on the console's pages: Beijing time to the minute, and a deadline at midnight as 24:00 of
its last day, as the case page and the notifications write it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from console.times import is_instant, local_deadline, local_time

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_an_instant_reads_in_beijing_time_to_the_minute() -> None:
    assert local_time("2026-11-27T05:34:10.123Z", SHANGHAI) == "2026-11-27 13:34"
    assert local_time(datetime(2026, 11, 27, 5, 34, tzinfo=UTC), SHANGHAI) == "2026-11-27 13:34"
    assert local_time(None, SHANGHAI) == ""


def test_a_deadline_at_midnight_ends_the_day_before_at_24_00() -> None:
    assert local_deadline("2026-12-26T00:00:00+08:00", SHANGHAI) == "2026-12-25 24:00"
    assert local_deadline("2026-12-25T16:00:00Z", SHANGHAI) == "2026-12-25 24:00"
    assert local_deadline("2026-12-25T09:30:00+08:00", SHANGHAI) == "2026-12-25 09:30"
    assert local_deadline("", SHANGHAI) == ""


def test_only_iso_instants_with_an_offset_count_as_instants() -> None:
    assert is_instant("2026-12-26T00:00:00+08:00") and is_instant("2026-12-25T16:00:00.5Z")
    for text in ("2026-12-26", "2026-12-26T00:00:00", "RX2026-000001", "明天 10:00"):
        assert not is_instant(text), f"{text!r} taken for an instant"
