"""Instants as people here read them: local time (the jurisdiction's zone) to the minute."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from workers.services.deadlines import deadline_day_and_clock

# An instant with its offset, as the engine and the workers write them (2026-12-26T00:00:00+08:00).
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


def is_instant(text: str) -> bool:
    return _INSTANT.fullmatch(text) is not None


def local_time(value: datetime | str | None, timezone: ZoneInfo) -> str:
    """An instant as people here read it: local date and time to the minute."""
    if value is None or value == "":
        return ""
    return _local(value, timezone).strftime("%Y-%m-%d %H:%M")


def local_deadline(value: datetime | str | None, timezone: ZoneInfo) -> str:
    """A deadline as people read it: one that runs out at local midnight ends the day before at
    24:00, as the case page and the notifications say (2026-12-25 24:00, not 2026-12-26 00:00)."""
    if value is None or value == "":
        return ""
    day, clock = deadline_day_and_clock(_local(value, timezone), timezone)
    return f"{day.isoformat()} {clock}"


def _local(value: datetime | str, timezone: ZoneInfo) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(timezone)
