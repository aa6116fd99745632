"""FEEL temporal values: parsing, printing, arithmetic and comparison.

Python's own types carry most of the weight: ``datetime.date`` is a FEEL date,
``datetime.datetime`` a date and time (naive = local, ``timezone`` = offset, ``ZoneInfo`` = zone id)
and ``datetime.timedelta`` a days and time duration. FEEL times may carry a zone, which
``datetime.time`` does not model well, and years-months durations have no Python type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

_DATE = r"(?P<year>-?\d{4,9})-(?P<month>\d\d)-(?P<day>\d\d)"
_TIME = r"(?P<hour>\d\d):(?P<minute>\d\d)(?::(?P<second>\d\d)(?:\.(?P<fraction>\d+))?)?"
_ZONE_ID = r"[A-Za-z][\w/+\-]*"
_ZONE = rf"(?P<offset>Z|[+-]\d\d:\d\d(?::\d\d)?)?(?:@(?P<zone>{_ZONE_ID})|\[(?P<bracket>{_ZONE_ID})\])?"
_DATE_RE = re.compile(_DATE)
_TIME_RE = re.compile(_TIME + _ZONE)
_DATE_TIME_RE = re.compile(_DATE + "T" + _TIME + _ZONE)
_DURATION_RE = re.compile(
    r"(?P<sign>-)?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)

_MICROS_PER_SECOND = 1_000_000
_MICROS_PER_DAY = 86_400 * _MICROS_PER_SECOND
# Times with a zone id need some date to resolve the zone's offset; the epoch keeps results stable.
_ZONE_REFERENCE_DATE = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class FeelTime:
    """A time of day, local (``zone is None``) or with an offset or a zone id."""

    local: time
    zone: tzinfo | None = None

    def offset(self) -> timedelta | None:
        if self.zone is None:
            return None
        return datetime.combine(_ZONE_REFERENCE_DATE, self.local, self.zone).utcoffset()

    def seconds_since_midnight(self) -> Decimal:
        value = self.local
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return Decimal(seconds) + Decimal(value.microsecond) / _MICROS_PER_SECOND

    def utc_seconds(self) -> Decimal:
        offset = self.offset() or timedelta(0)
        return (self.seconds_since_midnight() - Decimal(offset.total_seconds())) % 86400


@dataclass(frozen=True, slots=True, order=True)
class YearMonthDuration:
    months: int


# --- parsing -------------------------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    match = _DATE_RE.fullmatch(text)
    if match is None:
        return None
    return _make_date(match)


def parse_time(text: str) -> FeelTime | None:
    match = _TIME_RE.fullmatch(text)
    if match is None:
        return None
    local = _make_time(match)
    if local is None:
        return None
    valid, zone = _make_zone(match)
    return FeelTime(local, zone) if valid else None


def parse_date_time(text: str) -> datetime | None:
    match = _DATE_TIME_RE.fullmatch(text)
    if match is None:
        return None
    day = _make_date(match)
    clock = _make_time(match)
    valid, zone = _make_zone(match)
    if day is None or clock is None or not valid:
        return None
    return datetime.combine(day, clock, zone)


def parse_duration(text: str) -> timedelta | YearMonthDuration | None:
    match = _DURATION_RE.fullmatch(text)
    if match is None or text.rstrip("-") in ("P", "PT") or text.endswith("T"):
        return None
    parts = match.groupdict()
    negative = parts.pop("sign") is not None
    if not any(parts.values()):
        return None
    years, months = int(parts["years"] or 0), int(parts["months"] or 0)
    day_parts = ("days", "hours", "minutes", "seconds")
    has_day_time = any(parts[name] for name in day_parts)
    if parts["years"] or parts["months"]:
        # FEEL has no duration mixing months with days: the two never convert exactly.
        if has_day_time:
            return None
        total = years * 12 + months
        return YearMonthDuration(-total if negative else total)
    seconds = Decimal(parts["seconds"] or 0)
    micros = int((seconds * _MICROS_PER_SECOND).to_integral_value(ROUND_FLOOR))
    days = int(parts["days"] or 0)
    try:
        value = timedelta(
            days=days, hours=int(parts["hours"] or 0), minutes=int(parts["minutes"] or 0), microseconds=micros
        )
    except OverflowError:
        return None
    return -value if negative else value


def parse_temporal(text: str) -> date | datetime | FeelTime | timedelta | YearMonthDuration | None:
    """Read an ``@"..."`` literal, whose kind follows from its shape."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if "T" in text:
        return parse_date_time(text)
    if ":" in text:
        return parse_time(text)
    return parse_date(text)


def _make_date(match: re.Match[str]) -> date | None:
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


def _make_time(match: re.Match[str]) -> time | None:
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    try:
        hour = int(match["hour"])
        # 24:00:00 is the end of a day in ISO 8601; Java reads it as midnight.
        if hour == 24 and int(match["minute"]) == 0 and int(match["second"] or 0) == 0 and int(fraction) == 0:
            hour = 0
        return time(hour, int(match["minute"]), int(match["second"] or 0), int(fraction))
    except ValueError:
        return None


def _make_zone(match: re.Match[str]) -> tuple[bool, tzinfo | None]:
    """Whether the zone part is valid, and the zone (``None`` for a local value)."""
    zone_id = match["zone"] or match["bracket"]
    if zone_id is not None:
        zone = zone_from_id(zone_id)
        return zone is not None, zone
    offset = match["offset"]
    if offset is None:
        return True, None
    zone = zone_from_offset(offset)
    return zone is not None, zone


def zone_from_id(zone_id: str) -> tzinfo | None:
    if zone_id == "Z":
        return UTC
    if zone_id[:1] in "+-":
        return zone_from_offset(zone_id)
    try:
        return ZoneInfo(zone_id)
    except (ValueError, OSError):
        return None


def zone_from_offset(offset: str) -> tzinfo | None:
    if offset == "Z":
        return UTC
    match = re.fullmatch(r"([+-])(\d\d):(\d\d)(?::(\d\d))?", offset)
    if match is None:
        return None
    amount = timedelta(hours=int(match[2]), minutes=int(match[3]), seconds=int(match[4] or 0))
    if amount > timedelta(hours=18):
        return None
    return timezone(-amount if match[1] == "-" else amount)


# --- printing ------------------------------------------------------------------------------------


def format_date(value: date) -> str:
    year = value.year
    return f"{year:04d}-{value.month:02d}-{value.day:02d}"


def format_local_time(value: time) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    return text


def format_offset(offset: timedelta) -> str:
    if not offset:
        return "Z"
    sign = "-" if offset < timedelta(0) else "+"
    seconds = int(abs(offset).total_seconds())
    text = f"{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}"
    return text + (f":{seconds % 60:02d}" if seconds % 60 else "")


def format_time(value: FeelTime) -> str:
    text = format_local_time(value.local)
    if value.zone is None:
        return text
    if isinstance(value.zone, ZoneInfo):
        return f"{text}@{value.zone.key}"
    return text + format_offset(value.offset() or timedelta(0))


def format_date_time(value: datetime, zone_style: str = "feel") -> str:
    """Print a date and time; ``zone_style`` "json" writes zone ids the way Java's ISO format does."""
    text = f"{format_date(value)}T{format_local_time(value.time())}"
    zone = value.tzinfo
    if zone is None:
        return text
    if isinstance(zone, ZoneInfo):
        if zone_style == "json":
            return f"{text}{format_offset(value.utcoffset() or timedelta(0))}[{zone.key}]"
        return f"{text}@{zone.key}"
    return text + format_offset(value.utcoffset() or timedelta(0))


def format_day_time_duration(value: timedelta) -> str:
    micros = duration_micros(value)
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    days, micros = divmod(micros, _MICROS_PER_DAY)
    hours, micros = divmod(micros, 3600 * _MICROS_PER_SECOND)
    minutes, micros = divmod(micros, 60 * _MICROS_PER_SECOND)
    seconds, fraction = divmod(micros, _MICROS_PER_SECOND)
    text = f"{sign}P"
    if days:
        text += f"{days}D"
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or fraction:
        clock += f"{seconds}" + ("." + f"{fraction:06d}".rstrip("0") if fraction else "") + "S"
    if clock:
        text += "T" + clock
    elif not days:
        return "P0D"
    return text


def format_year_month_duration(value: YearMonthDuration) -> str:
    months = value.months
    sign = "-" if months < 0 else ""
    years, months = divmod(abs(months), 12)
    if not years and not months:
        return "P0Y"
    text = f"{sign}P"
    if years:
        text += f"{years}Y"
    if months:
        text += f"{months}M"
    return text


# --- arithmetic ----------------------------------------------------------------------------------


def duration_micros(value: timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * _MICROS_PER_SECOND + value.microseconds


def micros_duration(micros: int) -> timedelta:
    return timedelta(microseconds=micros)


def add_months(value: date, months: int) -> date:
    """Move by calendar months, clamping to the last day of a shorter month (as Java does)."""
    total = value.year * 12 + (value.month - 1) + months
    year, month_index = divmod(total, 12)
    day = min(value.day, days_in_month(year, month_index + 1))
    return value.replace(year=year, month=month_index + 1, day=day)


def days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def add_to_date_time(value: datetime, delta: timedelta) -> datetime:
    zone = value.tzinfo
    if isinstance(zone, ZoneInfo):
        # Zoned arithmetic runs on the instant timeline, so a DST switch does not distort it.
        return (value.astimezone(UTC) + delta).astimezone(zone)
    return value + delta


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``, truncated toward zero like Java's ``Period.between``."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return months


def time_plus(value: FeelTime, delta: timedelta) -> FeelTime:
    shifted = datetime.combine(_ZONE_REFERENCE_DATE, value.local) + delta
    return FeelTime(shifted.time(), value.zone)
