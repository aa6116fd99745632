"""A jurisdiction's time limits and working-day calendar: `config/deadlines.toml` and
`config/calendar.toml`, validated at start-up like every other policy file (see `workers.policy`).

Zeebe has no business calendar, so these files decide every due date a diagram's timer waits for;
their numbers are policy of one jurisdiction (domain.md), never code.
"""

import re
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal, Self, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, model_validator

from workers.policy import Text, WorkingDays, _Policy, load_policy

DEADLINE_POLICY_FILE = "deadlines.toml"
CALENDAR_POLICY_FILE = "calendar.toml"

_CLOCK = re.compile(r"(\d\d):(\d\d)")


def _clock_time(value: object) -> timedelta:
    """ "HH:MM" as the time since midnight; "24:00" is the end of the day, as the Civil Code words
    a deadline (期间的最后一日的截止时间为二十四时), so it must be expressible."""
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'must be a time of day as "HH:MM", got {value!r}')
    hours, minutes = int(match[1]), int(match[2])
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes > 0):
        raise ValueError(f"must be a time of day from 00:00 to 24:00, got {value!r}")
    return timedelta(hours=hours, minutes=minutes)


def _time_zone(value: object) -> ZoneInfo:
    if not isinstance(value, str):
        raise ValueError(f"must be an IANA time zone name such as Asia/Shanghai, got {value!r}")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"is not a known IANA time zone, got {value!r}") from None


# Hours and months are counted like working days: a positive whole number.
Count = WorkingDays
ClockTime = Annotated[timedelta, BeforeValidator(_clock_time)]
TimeZone = Annotated[ZoneInfo, BeforeValidator(_time_zone)]
NonNegative = Annotated[int, Field(strict=True, ge=0)]


class LimitUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    # Calendar months, as deputies' suggestions are limited [seed 003 §二.4(2)].
    MONTHS = "months"
    # Hours round the clock, for what cannot wait for office hours (a sudden event's release).
    HOURS = "hours"
    # Calendar days, as the petition regulations (信访条例 第三十三条) limit a petition's handling.
    DAYS = "days"


_IN_HOURS = frozenset({LimitUnit.WORKING_HOURS, LimitUnit.HOURS})


class TimeLimit(_Policy):
    """One time limit, written `{ working_days = 2 }`, `{ working_hours = 3 }`, `{ months = 3 }`,
    `{ days = 60 }` or `{ hours = 1 }`.

    `{ working_days = 0 }` is "the same working day" (当天, the handling opinion [seed 000 二]): the
    end of the start day when it is a working day, else of the next working day. It is extended
    only by an `extension` given with it: the limit once more would add nothing."""

    working_days: NonNegative | None = None
    working_hours: Count | None = None
    months: Count | None = None
    days: Count | None = None
    hours: Count | None = None
    # What an approved extension adds, in the limit's unit; the limit once more when not given.
    extension: Count | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        given = [unit for unit in LimitUnit if getattr(self, unit) is not None]
        if len(given) != 1:
            raise ValueError(f"must have exactly one of {', '.join(LimitUnit)}")
        if self.unit in _IN_HOURS and self.extension is not None:
            raise ValueError(f"a limit in {self.unit.replace('_', ' ')} cannot be extended: remove extension")
        return self

    @property
    def unit(self) -> LimitUnit:
        return next(unit for unit in LimitUnit if getattr(self, unit) is not None)

    @property
    def amount(self) -> int:
        amount: int = getattr(self, self.unit)
        return amount

    @property
    def extension_amount(self) -> int:
        return self.amount if self.extension is None else self.extension


class CountingRule(_Policy):
    # "next-day": the day of the start is not counted (民法典 第二百零一条), so a limit of N working
    # days ends on the Nth working day after it; "same-day": the start day counts when it is one.
    first_day: Literal["next-day", "same-day"]
    # The time on the last day at which the limit runs out.
    due_time: ClockTime
    # A limit in months or calendar days that ends on a day off ends on the next working day
    # instead (民法典 第二百零三条); limits in working days always end on one.
    months_end_on_working_day: bool = Field(strict=True)


class OfficePeriod(_Policy):
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.start >= self.end:
            raise ValueError("must end after it starts")
        return self


class ReminderRule(_Policy):
    # Reminders go out when this much of a limit remains; see `workers.services.deadlines`.
    working_days_before_due: Count
    working_hours_before_due: Count


class ExtensionRule(_Policy):
    # The last day on which an extension may be requested is this many working days before the
    # day the limit ends [seed 002 二].
    request_working_days_before_due: NonNegative


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
# A schedule's dates become process variables, which FEEL must be able to name.
VariableName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class ScheduleDate(_Policy):
    """A date by which something is due before an event (a meeting, an interview, a broadcast),
    written `{ working_days_before = 3 }`, `{ days_before = 14 }` or `{ weekday_before = "thursday",
    weeks_before = 1 }` (that weekday of the week, Monday to Sunday, N weeks before the event's).
    It runs out at the counting rule's due time of its day; a date in calendar days or weeks that
    falls on a day off moves back to the working day before it, as nobody works on it."""

    working_days_before: Count | None = None
    days_before: Count | None = None
    weekday_before: Weekday | None = None
    weeks_before: Count | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        given = [
            key for key in ("working_days_before", "days_before", "weekday_before") if getattr(self, key)
        ]
        if len(given) != 1:
            raise ValueError("must have exactly one of working_days_before, days_before, weekday_before")
        if self.weeks_before is not None and self.weekday_before is None:
            raise ValueError("weeks_before goes only with weekday_before")
        return self


class DeadlinePolicy(_Policy):
    """`config/deadlines.toml`: how deadlines are counted, and each channel's time limits."""

    timezone: TimeZone
    counting: CountingRule
    # Working hours on a working day, for limits in working hours; in order, not overlapping.
    office_hours: Annotated[tuple[OfficePeriod, ...], Field(min_length=1)]
    reminder: ReminderRule
    extension: ExtensionRule
    # Channel (the process id) -> category, or the step of the process a limit applies to -> limit.
    limits: Annotated[dict[Text, Annotated[dict[Text, TimeLimit], Field(min_length=1)]], Field(min_length=1)]
    # Schedule name (a task's `schedule` header) -> process variable -> the date it holds.
    schedules: dict[Text, Annotated[dict[VariableName, ScheduleDate], Field(min_length=1)]] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _check_office_hours(self) -> Self:
        for index, (earlier, later) in enumerate(pairwise(self.office_hours), start=1):
            if later.start < earlier.end:
                raise ValueError(f"office_hours.{index}.start: must not be before the end of the one before")
        return self


class YearCalendar(_Policy):
    """One year's official schedule, from the State Council's notice (部分节假日安排的通知)."""

    # Days off that would otherwise be working days: public holidays and the days off in lieu.
    holidays: tuple[Annotated[date, Field(strict=True)], ...] = ()
    # Make-up working days (调休上班) that would otherwise be weekend days.
    working_days: tuple[Annotated[date, Field(strict=True)], ...] = ()


class CalendarPolicy(_Policy):
    """`config/calendar.toml`: official schedules that `chinesecalendar` does not know (yet)."""

    years: dict[int, YearCalendar] = Field(default_factory=dict)
    # How many days ahead the console, `minsheng calendar` and the workers' start-up warn that the
    # calendar runs out: at least the longest time limit, so the warning comes before the first
    # deadline that cannot be computed.
    warn_days_ahead: Count = 60

    @model_validator(mode="after")
    def _check_years(self) -> Self:
        for year, schedule in self.years.items():
            for key in ("holidays", "working_days"):
                for index, day in enumerate(getattr(schedule, key)):
                    if day.year != year:
                        raise ValueError(f"years.{year}.{key}.{index}: {day} is not in {year}")
            both = sorted(set(schedule.holidays) & set(schedule.working_days))
            if both:
                raise ValueError(
                    f"years.{year}: {', '.join(map(str, both))} cannot be both a holiday and a working day"
                )
        return self


def load_deadline_policy(config_dir: Path) -> DeadlinePolicy:
    return load_policy(config_dir / DEADLINE_POLICY_FILE, DeadlinePolicy)


def load_calendar_policy(config_dir: Path) -> CalendarPolicy:
    return load_policy(config_dir / CALENDAR_POLICY_FILE, CalendarPolicy)
