"""Reading ``value.name``: context entries, list projection and properties of temporal values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .scope import Run
from .temporal import FeelTime, YearMonthDuration, duration_micros
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
    reader = _PROPERTIES_BY_TYPE.get(type(value), {}).get(key)
    if reader is None:
        run.warn(f"no property found with name '{key}' for {type_name(value)}")
        return None
    return reader(value)


def _number(value: int) -> Decimal:
    return Decimal(value)


def _time_offset(value: datetime | FeelTime) -> timedelta | None:
    return value.offset() if isinstance(value, FeelTime) else value.utcoffset()


def _timezone(value: datetime | FeelTime) -> str | None:
    # Only a zone id is a time zone; a bare offset has none (as in Camunda).
    zone = value.zone if isinstance(value, FeelTime) else value.tzinfo
    return zone.key if isinstance(zone, ZoneInfo) else None


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


def _clock(value: datetime | FeelTime) -> datetime | time:
    return value.local if isinstance(value, FeelTime) else value


_DATE_PROPERTIES: dict[str, Callable[[Any], Any]] = {
    "year": lambda v: _number(v.year),
    "month": lambda v: _number(v.month),
    "day": lambda v: _number(v.day),
    "weekday": lambda v: _number(v.isoweekday()),
}
_TIME_PROPERTIES: dict[str, Callable[[Any], Any]] = {
    "hour": lambda v: _number(_clock(v).hour),
    "minute": lambda v: _number(_clock(v).minute),
    # Camunda gives whole seconds here.
    "second": lambda v: _number(_clock(v).second),
    "time offset": _time_offset,
    "timezone": _timezone,
}
_PROPERTIES_BY_TYPE: dict[type, dict[str, Callable[[Any], Any]]] = {
    date: _DATE_PROPERTIES,
    datetime: {**_DATE_PROPERTIES, **_TIME_PROPERTIES},
    FeelTime: _TIME_PROPERTIES,
    timedelta: {
        "days": _duration_part(86_400 * _SECOND, None),
        "hours": _duration_part(3600 * _SECOND, 24),
        "minutes": _duration_part(60 * _SECOND, 60),
        "seconds": _duration_part(_SECOND, 60),
    },
    YearMonthDuration: {
        "years": lambda v: Decimal(int(v.months / 12)),
        "months": lambda v: Decimal(abs(v.months) % 12 * (1 if v.months >= 0 else -1)),
    },
    Range: {
        "start": lambda v: v.start,
        "end": lambda v: v.end,
        "start included": lambda v: v.start_included,
        "end included": lambda v: v.end_included,
    },
}
