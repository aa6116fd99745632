"""Reading ``value.name``: context entries, list projection and properties of temporal values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from .scope import Run
from .temporal import FeelTime, YearMonthDuration, duration_micros, zone_name
from .values import Range, feel_value, type_name


def member(run: Run, value: Any, key: str) -> Any:
    if isinstance(value, Mapping):
        if key in value:
            return feel_value(value[key])
        run.warn(f"no context entry found with key '{key}'")
        return None
    if type(value) is list:
        # A path over a list reads the member of every element.
        return [member(run, feel_value(item), key) for item in value]
    if value is None:
        return None
    reader = _PROPERTIES.get((type(value), key))
    if reader is None:
        run.warn(f"no property found with name '{key}' for {type_name(value)}")
        return None
    return reader(value)


def _number(value: int) -> Decimal:
    return Decimal(value)


def _time_offset(value: datetime | FeelTime) -> timedelta | None:
    return value.offset() if isinstance(value, FeelTime) else value.utcoffset()


def _timezone(value: datetime | FeelTime) -> str | None:
    zone = value.zone if isinstance(value, FeelTime) else value.tzinfo
    if zone is None:
        return None
    return zone_name(zone, value if isinstance(value, datetime) else None)


def _seconds(value: datetime | FeelTime) -> Decimal:
    clock = value.local if isinstance(value, FeelTime) else value
    return Decimal(clock.second) if not clock.microsecond else Decimal(clock.second) + Decimal(
        clock.microsecond) / 1_000_000


def _duration_part(divisor: int, modulus: int | None) -> Callable[[Any], Decimal]:
    def read(value: timedelta) -> Decimal:
        micros = duration_micros(value)
        sign = -1 if micros < 0 else 1
        part = abs(micros) // divisor
        if modulus is not None:
            part %= modulus
        return Decimal(sign * part)

    return read


_SECOND = 1_000_000
_PROPERTIES: dict[tuple[type, str], Callable[[Any], Any]] = {}
for _kind in (date, datetime):
    _PROPERTIES[(_kind, "year")] = lambda v: _number(v.year)
    _PROPERTIES[(_kind, "month")] = lambda v: _number(v.month)
    _PROPERTIES[(_kind, "day")] = lambda v: _number(v.day)
    _PROPERTIES[(_kind, "weekday")] = lambda v: _number(v.isoweekday())
for _kind in (datetime, FeelTime):
    _PROPERTIES[(_kind, "hour")] = lambda v: _number((v.local if isinstance(v, FeelTime) else v).hour)
    _PROPERTIES[(_kind, "minute")] = lambda v: _number((v.local if isinstance(v, FeelTime) else v).minute)
    _PROPERTIES[(_kind, "second")] = _seconds
    _PROPERTIES[(_kind, "time offset")] = _time_offset
    _PROPERTIES[(_kind, "timezone")] = _timezone
_PROPERTIES[(datetime, "date")] = lambda v: v.date()
_PROPERTIES[(datetime, "time")] = lambda v: FeelTime(v.time(), v.tzinfo)
_PROPERTIES[(timedelta, "days")] = _duration_part(86_400 * _SECOND, None)
_PROPERTIES[(timedelta, "hours")] = _duration_part(3600 * _SECOND, 24)
_PROPERTIES[(timedelta, "minutes")] = _duration_part(60 * _SECOND, 60)
_PROPERTIES[(timedelta, "seconds")] = _duration_part(_SECOND, 60)
_PROPERTIES[(YearMonthDuration, "years")] = lambda v: Decimal(int(v.months / 12))
_PROPERTIES[(YearMonthDuration, "months")] = lambda v: Decimal(abs(v.months) % 12 * (1 if v.months >= 0 else -1))
_PROPERTIES[(Range, "start")] = lambda v: v.start
_PROPERTIES[(Range, "end")] = lambda v: v.end
_PROPERTIES[(Range, "start included")] = lambda v: v.start_included
_PROPERTIES[(Range, "end included")] = lambda v: v.end_included
