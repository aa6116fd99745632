"""When BPMN timer events are due, following Zeebe's (Camunda 8.8) reading of timer definitions.

All instants are epoch milliseconds. The three definition kinds:

* ``timeDate`` (`due_at_date`): an ISO 8601 date-time that must say where it is: an offset (``Z``,
  ``+08:00``), an offset plus a bracketed zone id (``...+02:00[Europe/Berlin]``, FEEL's JSON form), or
  a local time plus a zone id (``...T10:00:00@Asia/Shanghai``, FEEL's text form, or ``...T10:00[Asia/
  Shanghai]``). Zeebe parses with ``ZonedDateTime.parse``, which rejects a date-time that has neither
  offset nor zone, so we reject it too rather than guess UTC. When both are given the offset fixes the
  instant, as in Java. A local time that falls into a DST gap moves forward by the gap and one in an
  overlap takes the earlier offset, which is what ``ZonedDateTime`` does. One deliberate extension: a
  bare date (``2026-10-01``) means its start of day UTC; Zeebe would reject it.
* ``timeDuration`` (`due_after_duration`): ``PnYnMnWnDTnHnMnS`` with a fraction only on seconds, as
  Java's ``Period`` + ``Duration``. Years, months and days move the calendar date in UTC (the zone of a
  standard Zeebe broker), so ``P1M`` from Jan 31 lands on the last day of February; hours, minutes and
  seconds are exact. Negative durations are refused.
* ``timeCycle`` (`parse_cycle`): ``R[n]/[start/]duration`` or a Spring 5.3 cron expression (Zeebe
  uses cron-utils' SPRING53 definition), evaluated in UTC and repeating forever.

Repetitions: the caller counts them. Zeebe reschedules a fired cycle only while its count is -1 or
above 1, so ``R0`` fires once just like ``R1``; `Cycle` keeps the parsed number as is.

Start dates: with ``R3/2026-10-01T08:00:00Z/P1D`` the first occurrence is the start date itself (or
right away if that has passed, since Zeebe fires an overdue start at once), then one per interval, 3
occurrences in all. The interval is added in the start date's own zone, so ``P1D`` from a start
written with ``[Europe/Berlin]`` keeps the wall-clock time across DST, as Java's ``ZonedDateTime``.

Catching up after a late wake-up: Zeebe does not replay missed occurrences. After a fire it takes the
natural next occurrence (previous due + interval) if that is still ahead of now, otherwise it
re-anchors on now (now + interval), so an engine that was down fires once and then resumes a full
interval later. `Cycle.next_due` does exactly that and is therefore always strictly after both the
previous due time and now; for cron it is the next matching second after the later of the two.

Not supported (refused with `TimerFormatError`): Spring's ``L``, ``W`` and ``#`` day modifiers, and
zero-length cycle intervals, which would fire in a busy loop.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


class TimerFormatError(ValueError):
    """A timer definition that cannot be scheduled; the message names the value and the problem."""


def _to_ms(moment: datetime) -> int:
    return (moment - _EPOCH) // _ONE_MS


def _from_ms(epoch_ms: int, zone: tzinfo) -> datetime:
    return (_EPOCH + timedelta(milliseconds=epoch_ms)).astimezone(zone)


# ---------------------------------------------------------------------------------------------------
# Date-times

_DATE_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?"
    r"(?P<offset>Z|[+-]\d{2}:\d{2}(?::\d{2})?)?"
    r"(?:\[(?P<bracket_zone>[^\]]+)\]|@(?P<at_zone>\S+))?)?"
)


def _zone(value: str, zone_id: str) -> tzinfo:
    try:
        return ZoneInfo(zone_id)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimerFormatError(f"{value!r} names an unknown time zone {zone_id!r}") from None


def _offset(text: str) -> tzinfo:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes, *seconds = (int(part) for part in text[1:].split(":"))
    if hours > 18 or minutes > 59 or (seconds and seconds[0] > 59):
        raise ValueError(text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes, seconds=sum(seconds)))


def _localize(local: datetime, zone: tzinfo, preferred: timedelta | None) -> datetime:
    """Attach `zone` to a wall-clock time the way Java's ``ZonedDateTime.ofLocal`` does."""
    earlier = local.replace(tzinfo=zone, fold=0)
    later = local.replace(tzinfo=zone, fold=1)
    earlier_offset, later_offset = earlier.utcoffset(), later.utcoffset()
    # zoneinfo reports a gap as fold=0 having the smaller offset; only a real overlap offers a choice,
    # and there Java keeps the offset the moment had before the arithmetic if it is still valid.
    in_overlap = earlier_offset is not None and later_offset is not None and earlier_offset > later_offset
    if in_overlap and later_offset == preferred:
        return later
    return earlier


def _parse_date_time(value: str) -> datetime:
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        raise TimerFormatError(f"{value!r} is not an ISO 8601 date-time")
    try:
        day = datetime.strptime(match["date"], "%Y-%m-%d")
        if match["hour"] is None:
            return day.replace(tzinfo=UTC)
        fraction = match["fraction"] or ""
        local = day.replace(
            hour=int(match["hour"]),
            minute=int(match["minute"]),
            second=int(match["second"] or 0),
            # Java keeps nanoseconds; anything below a microsecond cannot change an epoch millisecond.
            microsecond=int(fraction[:6].ljust(6, "0")),
        )
        offset = _offset(match["offset"]) if match["offset"] else None
    except ValueError:
        raise TimerFormatError(f"{value!r} is not a valid date-time") from None
    zone_id = match["bracket_zone"] or match["at_zone"]
    zone = _zone(value, zone_id) if zone_id else None
    if offset is not None:
        fixed = local.replace(tzinfo=offset)
        return fixed.astimezone(zone) if zone is not None else fixed
    if zone is None:
        raise TimerFormatError(f"{value!r} has neither an offset nor a zone id")
    return _localize(local, zone, None)


def due_at_date(value: str) -> int:
    """The instant a ``timeDate`` definition names."""
    return _to_ms(_parse_date_time(value.strip()))


# ---------------------------------------------------------------------------------------------------
# Durations

_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)(?:[.,](?P<fraction>\d{1,9}))?S)?)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Duration:
    text: str
    months: int
    days: int
    nanos: int

    def is_zero(self) -> bool:
        return self.months == 0 and self.days == 0 and self.nanos == 0

    def add_to(self, epoch_ms: int, zone: tzinfo) -> int:
        """`epoch_ms` plus this duration: months and days on `zone`'s calendar, the rest exactly."""
        # The start is a whole millisecond, so truncating the nanoseconds alone matches Java's toEpochMilli.
        exact_ms = self.nanos // 1_000_000
        if self.months == 0 and self.days == 0:
            return epoch_ms + exact_ms
        start = _from_ms(epoch_ms, zone)
        year_shift, month_index = divmod(start.month - 1 + self.months, 12)
        year = start.year + year_shift
        month = month_index + 1
        try:
            local = start.replace(
                tzinfo=None, year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1])
            ) + timedelta(days=self.days)
        except (ValueError, OverflowError):
            raise TimerFormatError(f"{self.text!r} from {start.isoformat()} is beyond the calendar") from None
        return _to_ms(_localize(local, zone, start.utcoffset())) + exact_ms


def _parse_duration(value: str) -> _Duration:
    if value.startswith("-") or re.search(r"P.*-", value, re.IGNORECASE):
        raise TimerFormatError(f"{value!r} is negative; timer durations must not be")
    match = _DURATION.fullmatch(value)
    groups = match.groupdict() if match is not None else {}
    if not any(groups.values()):
        raise TimerFormatError(f"{value!r} is not an ISO 8601 duration")

    def number(name: str) -> int:
        return int(groups[name] or 0)

    seconds = number("hours") * 3600 + number("minutes") * 60 + number("seconds")
    nanos = seconds * 1_000_000_000 + int((groups["fraction"] or "").ljust(9, "0"))
    return _Duration(
        text=value,
        months=number("years") * 12 + number("months"),
        days=number("weeks") * 7 + number("days"),
        nanos=nanos,
    )


def due_after_duration(value: str, start_ms: int) -> int:
    """When a ``timeDuration`` timer entered at `start_ms` is due."""
    return _parse_duration(value.strip()).add_to(start_ms, UTC)


# ---------------------------------------------------------------------------------------------------
# Cycles


@dataclass(frozen=True)
class _IntervalRule:
    interval: _Duration
    start: datetime | None

    def _zone(self) -> tzinfo:
        return self.start.tzinfo if self.start is not None and self.start.tzinfo is not None else UTC

    def first_due(self, now_ms: int) -> int:
        if self.start is None:
            return self.interval.add_to(now_ms, UTC)
        return max(_to_ms(self.start), now_ms)

    def next_due(self, previous_due_ms: int, now_ms: int) -> int:
        natural = self.interval.add_to(previous_due_ms, self._zone())
        if natural > now_ms:
            return natural
        return self.interval.add_to(now_ms, self._zone())


@dataclass(frozen=True)
class _CronField:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()


_SECOND = _CronField("second", 0, 59)
_MINUTE = _CronField("minute", 0, 59)
_HOUR = _CronField("hour", 0, 23)
_DAY_OF_MONTH = _CronField("day-of-month", 1, 31)
_MONTH = _CronField(
    "month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
)
# Spring numbers weekdays 1 (Monday) to 7 (Sunday) and reads 0 as Sunday too; "*/2" therefore starts
# on Monday, which a 0-based range would get wrong.
_DAY_OF_WEEK = _CronField("day-of-week", 1, 7, ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"))
_FIELDS = (_SECOND, _MINUTE, _HOUR, _DAY_OF_MONTH, _MONTH, _DAY_OF_WEEK)

_MACROS = {
    "@yearly": "0 0 0 1 1 *",
    "@annually": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0",
    "@daily": "0 0 0 * * *",
    "@midnight": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
}


def _parse_cron_field(value: str, text: str, field: _CronField) -> frozenset[int]:
    def fail(problem: str) -> TimerFormatError:
        return TimerFormatError(f"{value!r} is not a cron expression: {field.name} {text!r} {problem}")

    def number(token: str) -> int:
        upper = token.upper()
        if upper in field.names:
            return field.names.index(upper) + field.low
        if not token.isdigit():
            raise fail(f"has {token!r}, which is neither a number nor a name")
        result = int(token)
        # Day-of-week alone accepts 0 (Sunday) below its range.
        low = 0 if field is _DAY_OF_WEEK else field.low
        if not low <= result <= field.high:
            raise fail(f"has {result}, outside {low}-{field.high}")
        return result

    values: set[int] = set()
    for part in text.split(","):
        range_text, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise fail(f"has step {step_text!r}; a step must be a positive number")
            step = int(step_text)
        if range_text in ("*", "?"):
            if range_text == "?" and field not in (_DAY_OF_MONTH, _DAY_OF_WEEK):
                raise fail("uses '?', which only the day fields allow")
            low, high = field.low, field.high
        elif "-" in range_text:
            low_text, _, high_text = range_text.partition("-")
            low, high = number(low_text), number(high_text)
            if low > high:
                raise fail(f"has the range {range_text!r}, which runs backwards")
        else:
            low = number(range_text)
            # As in Spring, "5/15" means from 5 to the end of the range in steps of 15.
            high = field.high if slash else low
        values.update(range(low, high + 1, step))
    if field is _DAY_OF_WEEK and 0 in values:
        values.discard(0)
        values.add(7)
    return frozenset(values)


@dataclass(frozen=True)
class _CronRule:
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int]
    months: frozenset[int]
    days_of_week: frozenset[int]

    def _day_matches(self, moment: datetime) -> bool:
        # Spring requires both day fields to match (unlike Vixie cron, which accepts either).
        return moment.day in self.days_of_month and moment.isoweekday() in self.days_of_week

    def after(self, epoch_ms: int) -> int:
        """The first matching whole second strictly after `epoch_ms`, in UTC."""
        moment = _from_ms((epoch_ms // 1000 + 1) * 1000, UTC)
        # Terminates because parse-time validation guarantees some month holds a matching day.
        while True:
            if moment.month not in self.months:
                year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
                moment = moment.replace(year=year, month=month, day=1, hour=0, minute=0, second=0)
            elif not self._day_matches(moment):
                moment = moment.replace(hour=0, minute=0, second=0) + timedelta(days=1)
            elif moment.hour not in self.hours:
                moment = moment.replace(minute=0, second=0) + timedelta(hours=1)
            elif moment.minute not in self.minutes:
                moment = moment.replace(second=0) + timedelta(minutes=1)
            elif moment.second not in self.seconds:
                moment += timedelta(seconds=1)
            else:
                return _to_ms(moment)

    def first_due(self, now_ms: int) -> int:
        return self.after(now_ms)

    def next_due(self, previous_due_ms: int, now_ms: int) -> int:
        return self.after(max(previous_due_ms, now_ms))


def _parse_cron(value: str) -> _CronRule:
    expression = _MACROS.get(value.lower(), value)
    texts = expression.split()
    if len(texts) != len(_FIELDS):
        raise TimerFormatError(
            f"{value!r} is not a cron expression: expected 6 fields "
            "(second minute hour day-of-month month day-of-week) or a macro such as @daily"
        )
    # Weekday names such as WED contain the modifier letters, so they are taken out before looking.
    weekdays_unnamed = re.sub("|".join(_DAY_OF_WEEK.names), "", texts[5], flags=re.IGNORECASE)
    if re.search(r"[LW#]", texts[3] + weekdays_unnamed, re.IGNORECASE):
        raise TimerFormatError(f"{value!r} uses the L, W or # day modifiers, which are not supported")
    seconds, minutes, hours, days_of_month, months, days_of_week = (
        _parse_cron_field(value, text, field) for text, field in zip(texts, _FIELDS, strict=True)
    )
    # Leap years give February 29 and, over the years, every date every weekday, so a month with a
    # day it can hold is enough for the expression to match at some point.
    if not any(day <= calendar.monthrange(2000, month)[1] for month in months for day in days_of_month):
        raise TimerFormatError(f"{value!r} names no day that exists in its months, so it would never fire")
    return _CronRule(seconds, minutes, hours, days_of_month, months, days_of_week)


def _parse_repeating_interval(value: str) -> tuple[int, _IntervalRule]:
    count, slash, rest = value[1:].partition("/")
    if not slash:
        raise TimerFormatError(f"{value!r} has no interval after the repetition count")
    if count and not count.isdigit():
        raise TimerFormatError(f"{value!r} has the repetition count {count!r}; expected digits or nothing")
    start_text, _, duration_text = rest.rpartition("/")
    start = _parse_date_time(start_text) if start_text else None
    interval = _parse_duration(duration_text)
    if interval.is_zero():
        raise TimerFormatError(f"{value!r} repeats a zero-length interval")
    return (int(count) if count else -1), _IntervalRule(interval, start)


@dataclass(frozen=True)
class Cycle:
    """A parsed ``timeCycle``. `repetitions` is -1 for forever; the caller counts occurrences."""

    repetitions: int
    rule: _IntervalRule | _CronRule

    def first_due(self, now_ms: int) -> int:
        """The first occurrence once the timer is scheduled at `now_ms`."""
        return self.rule.first_due(now_ms)

    def next_due(self, previous_due_ms: int, now_ms: int) -> int | None:
        """The occurrence after the one due at `previous_due_ms`, strictly later than it and `now_ms`.

        Never None for a cycle `parse_cycle` accepted: every accepted cron expression matches again.
        """
        return self.rule.next_due(previous_due_ms, now_ms)


def parse_cycle(value: str) -> Cycle:
    """Parse a ``timeCycle``: ``R[n]/[start/]duration`` or a Spring cron expression or macro."""
    text = value.strip()
    if text.startswith("R"):
        repetitions, interval_rule = _parse_repeating_interval(text)
        return Cycle(repetitions, interval_rule)
    return Cycle(-1, _parse_cron(text))
