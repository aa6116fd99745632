"""Temporal functions: the clock (``now``, ``today``) and calendar facts about a date."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal

from ..scope import Run
from .registry import builtin

# Spelled out rather than taken from the calendar module, whose names follow the process locale.
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@builtin("now()")
def now(run: Run) -> datetime:
    return run.now


@builtin("today()")
def today(run: Run) -> date:
    return run.now.date()


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


@builtin("day of year(date: date|date and time)")
def day_of_year(run: Run, value: date) -> Decimal:
    return Decimal(_day(value).timetuple().tm_yday)


@builtin("day of week(date: date|date and time)")
def day_of_week(run: Run, value: date) -> str:
    return _DAYS[_day(value).weekday()]


@builtin("month of year(date: date|date and time)")
def month_of_year(run: Run, value: date) -> str:
    return _MONTHS[_day(value).month - 1]


@builtin("week of year(date: date|date and time)")
def week_of_year(run: Run, value: date) -> Decimal:
    return Decimal(_day(value).isocalendar().week)


@builtin("last day of month(date: date|date and time)")
def last_day_of_month(run: Run, value: date) -> date:
    day = _day(value)
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
