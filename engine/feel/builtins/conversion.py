"""Conversion functions: ``number``, ``string``, ``date``, ``time``, ``date and time``, durations."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from ..formatting import to_string
from ..scope import Run
from ..temporal import (
    FeelTime,
    YearMonthDuration,
    months_between,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_time,
    zone_from_id,
    zone_from_offset,
)
from .registry import builtin

_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@builtin("number(from: string)")
def number(run: Run, text: str) -> Decimal | None:
    return _to_number(run, text.strip())


@builtin("number(from: string, grouping separator: string|null, decimal separator: string|null)")
def number_with_separators(run: Run, text: str, grouping: str | None, decimal: str | None) -> Decimal | None:
    if grouping not in (None, " ", ",", ".") or decimal not in (None, ",", "."):
        run.warn("number() accepts only ' ', ',' and '.' as separators")
        return None
    if grouping is not None and grouping == decimal:
        run.warn("number() needs different grouping and decimal separators")
        return None
    if grouping is not None:
        text = text.replace(grouping, "")
    if decimal is not None:
        text = text.replace(decimal, ".")
    return _to_number(run, text)


def _to_number(run: Run, text: str) -> Decimal | None:
    if not _NUMBER_RE.fullmatch(text):
        run.warn(f"can't convert '{text}' to a number")
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@builtin("string(from: any)")
def string(run: Run, value: Any) -> str | None:
    return None if value is None else to_string(value)


@builtin("date(from: string|date|date and time)")
def date_from(run: Run, value: Any) -> date | None:
    if type(value) is str:
        parsed = parse_date(value)
        if parsed is None:
            parsed_date_time = parse_date_time(value)
            parsed = parsed_date_time.date() if parsed_date_time is not None else None
        if parsed is None:
            run.warn(f"can't convert '{value}' to a date")
        return parsed
    if type(value) is datetime:
        return value.date()
    return value  # type: ignore[no-any-return]


@builtin("date(year: number, month: number, day: number)")
def date_of(run: Run, year: Decimal, month: Decimal, day: Decimal) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except (ValueError, OverflowError):
        run.warn(f"{year}-{month}-{day} is not a valid date")
        return None


@builtin("time(from: string|time|date and time|date)")
def time_from(run: Run, value: Any) -> FeelTime | None:
    if type(value) is str:
        parsed = parse_time(value)
        if parsed is None:
            parsed_date_time = parse_date_time(value)
            if parsed_date_time is not None:
                parsed = FeelTime(parsed_date_time.time(), parsed_date_time.tzinfo)
        if parsed is None:
            run.warn(f"can't convert '{value}' to a time")
        return parsed
    if type(value) is datetime:
        return FeelTime(value.time(), value.tzinfo)
    if type(value) is date:
        # Camunda's answer for a date: midnight UTC.
        return FeelTime(time(), UTC)
    return value  # type: ignore[no-any-return]


@builtin("time(hour: number, minute: number, second: number, offset?: days and time duration|null)")
def time_of(
    run: Run, hour: Decimal, minute: Decimal, second: Decimal, offset: timedelta | None = None
) -> Any:
    try:
        micros = int((second - int(second)) * 1_000_000)
        local = time(int(hour), int(minute), int(second), micros)
    except (ValueError, OverflowError):
        run.warn(f"{hour}:{minute}:{second} is not a valid time")
        return None
    if offset is None:
        return FeelTime(local)
    sign = "-" if offset < timedelta(0) else "+"
    seconds = int(abs(offset).total_seconds())
    zone = zone_from_offset(f"{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}")
    if zone is None:
        run.warn(f"{offset} is not a valid time offset")
        return None
    return FeelTime(local, zone)


@builtin("date and time(from: string)")
def date_and_time_from(run: Run, value: str) -> datetime | None:
    parsed = parse_date_time(value)
    if parsed is None:
        # Camunda reads a plain date as the start of that day.
        parsed_date = parse_date(value)
        parsed = datetime.combine(parsed_date, time()) if parsed_date is not None else None
    if parsed is None:
        run.warn(f"can't convert '{value}' to a date and time")
    return parsed


@builtin("date and time(date: date|date and time, time: time)")
def date_and_time_of(run: Run, day: date, clock: FeelTime) -> datetime:
    if type(day) is datetime:
        day = day.date()
    return datetime.combine(day, clock.local, clock.zone)


@builtin("date and time(date: date and time, timezone: string)")
def date_and_time_in_zone(run: Run, value: datetime, zone_id: str) -> datetime | None:
    zone = zone_from_id(zone_id)
    if zone is None:
        run.warn(f"unknown time zone '{zone_id}'")
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)


@builtin("duration(from: string|days and time duration|years and months duration)")
def duration(run: Run, value: Any) -> timedelta | YearMonthDuration | None:
    if type(value) is not str:
        return value  # type: ignore[no-any-return]
    parsed = parse_duration(value)
    if parsed is None:
        run.warn(f"can't convert '{value}' to a duration")
    return parsed


@builtin("years and months duration(from: date|date and time, to: date|date and time)")
def years_and_months_duration(run: Run, start: date, end: date) -> YearMonthDuration:
    # Camunda compares only the calendar dates, ignoring times and zones.
    start = start.date() if isinstance(start, datetime) else start
    end = end.date() if isinstance(end, datetime) else end
    return YearMonthDuration(months_between(start, end))
