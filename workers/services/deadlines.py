"""Due dates, reminder times and extension decisions on the jurisdiction's working-day calendar.

Every instant is returned in the jurisdiction's time zone, so that its ISO 8601 form carries the
offset a diagram's `timeDate` timer needs and the date a person reads is the local one.

The rules, each configured in `deadlines.toml`:
- a limit in working days ends on the Nth working day counted from the day after the start (or
  from the start day itself), at the configured time, 24:00 by default;
- counting from the day after the start, a limit that starts at 00:00 when limits end at 24:00
  starts on the day before, which ends then (the time to answer a reminder sent as a limit runs
  out is counted from that limit's last day, as an extension is);
- a limit of 0 working days ("the same day", 当天) ends at that time on the start day when it is
  a working day, else on the next working day, whichever way the first day is counted; its
  reminder follows the rule below, so it falls at the opening of office hours of that day, or at
  once when the limit starts later than that (a message taken in at 10:00 is reminded at 10:00);
- a limit in months ends on the same day of the month M months on (the month's last day if it
  has none), one in calendar days N days on; either is moved to the next working day if that is a
  day off;
- a limit in working hours counts only office hours on working days from the start instant, one
  in hours counts every hour, day and night;
- a reminder falls when the configured number of working days (or hours) of the limit remain:
  at the opening of office hours of the due day itself for one working day;
- an extension may be requested up to the end of the day that lies the configured number of
  working days before the due day; it adds its amount counted from the old due day;
- a date of a schedule before an event ends at the configured time on the Nth working day before
  the event's day, or on the day N calendar days before it, or on a weekday of an earlier week;
  the last two move back to the working day before when they fall on a day off.
"""

from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import chain, islice
from zoneinfo import ZoneInfo

from workers.deadline_policy import (
    DEADLINE_POLICY_FILE,
    WEEKDAYS,
    DeadlinePolicy,
    LimitUnit,
    ScheduleDate,
    TimeLimit,
)
from workers.services.calendar import WorkingCalendar

_DAY = timedelta(days=1)
_WEEK = timedelta(weeks=1)


class DeadlineError(ValueError):
    """A request that no configuration can answer: an unknown channel or category, a date-time
    that does not parse, an extension of a limit that cannot be extended."""


@dataclass(frozen=True, slots=True)
class Deadline:
    limit: TimeLimit
    due_at: datetime
    remind_at: datetime


@dataclass(frozen=True, slots=True)
class ExtensionDecision:
    requested_at: datetime
    # Requests up to the end of this day are allowed.
    latest_request_day: date
    # The deadline after the extension; None when the request came too late.
    extended: Deadline | None
    refusal_reason: str | None


def deadline_day_and_clock(instant: datetime, zone: ZoneInfo) -> tuple[date, str]:
    """A deadline as people read it: its local day and time, one at local midnight being 24:00 of
    the day before (a day counts to its end), not the start of the next."""
    local = instant.astimezone(zone)
    if (local.hour, local.minute) == (0, 0):
        return (local - timedelta(days=1)).date(), "24:00"
    return local.date(), f"{local:%H:%M}"


def iso(instant: datetime) -> str:
    """The form of an instant that diagrams' timers and people read: `2025-10-11T00:00:00+08:00`."""
    return instant.isoformat(timespec="seconds")


class Deadlines:
    def __init__(self, policy: DeadlinePolicy, calendar: WorkingCalendar) -> None:
        self._policy = policy
        self._calendar = calendar

    @property
    def timezone(self) -> ZoneInfo:
        """The jurisdiction's, in which days begin and end."""
        return self._policy.timezone

    def limit(self, channel: str, category: str) -> TimeLimit:
        limits = self._policy.limits
        if channel not in limits:
            raise DeadlineError(
                f"no time limits for channel {channel!r} in {DEADLINE_POLICY_FILE}; "
                f"it has {', '.join(limits)}"
            )
        if category not in limits[channel]:
            raise DeadlineError(
                f"no time limit for category {category!r} of channel {channel} in {DEADLINE_POLICY_FILE}; "
                f"it has {', '.join(limits[channel])}"
            )
        return limits[channel][category]

    def instant(self, text: str, name: str) -> datetime:
        """`text`, an ISO 8601 date-time named `name` in messages, in the jurisdiction's time zone;
        without an offset it is taken to be local time there."""
        try:
            parsed = datetime.fromisoformat(text)
        except (TypeError, ValueError):
            raise DeadlineError(f"{name} must be an ISO 8601 date-time, got {text!r}") from None
        zone = self._policy.timezone
        return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed.astimezone(zone)

    def compute(self, channel: str, category: str, start: datetime) -> Deadline:
        """The deadline of an item of `channel` and `category` whose limit starts at `start`."""
        limit = self.limit(channel, category)
        start = start.astimezone(self._policy.timezone)
        if limit.unit is LimitUnit.WORKING_HOURS:
            before = self._policy.reminder.working_hours_before_due
            due_at = self._after_working_hours(start, limit.amount)
            remind_at = self._after_working_hours(start, limit.amount - before)
            return Deadline(limit, due_at, remind_at)
        if limit.unit is LimitUnit.HOURS:
            due_at = start + timedelta(hours=limit.amount)
            lead = timedelta(hours=self._policy.reminder.working_hours_before_due)
            return Deadline(limit, due_at, max(due_at - lead, start))
        # With "same-day", counting from the day before makes the start day the first one counted;
        # so does a limit of 0 working days (the same day), however days are counted otherwise.
        same_day = self._policy.counting.first_day == "same-day" or limit.amount == 0
        counted_after = start.date() - _DAY if same_day else self._start_day(start)
        due_day = self._last_day(limit.unit, counted_after, limit.amount)
        return self._deadline_ending(limit, due_day, not_before=start)

    def decide_extension(
        self, channel: str, category: str, due_at: datetime, requested_at: datetime
    ) -> ExtensionDecision:
        """Whether a request made at `requested_at` to extend the deadline `due_at` comes in time,
        and the deadline it gives if so."""
        limit = self.limit(channel, category)
        if limit.unit in (LimitUnit.WORKING_HOURS, LimitUnit.HOURS):
            raise DeadlineError(
                f"the limit of {category} of channel {channel} is in {limit.unit.replace('_', ' ')}: "
                "no extension"
            )
        requested_at = requested_at.astimezone(self._policy.timezone)
        due_day = (due_at.astimezone(self._policy.timezone) - self._policy.counting.due_time).date()
        days_before = self._policy.extension.request_working_days_before_due
        latest = self._working_day_back(due_day, days_before)
        if requested_at.date() > latest:
            reason = (
                f"延期申请须在办理期限届满{days_before}个工作日前提出，即最迟于{latest.isoformat()}提出；"
                f"本申请提出于{requested_at:%Y-%m-%d %H:%M}，已超过申请期限，不予延期。"
            )
            return ExtensionDecision(requested_at, latest, None, reason)
        if limit.extension_amount == 0:
            raise DeadlineError(
                f"the limit of {category} of channel {channel} is the same day: no extension without "
                f"an extension amount in {DEADLINE_POLICY_FILE}"
            )
        new_due_day = self._last_day(limit.unit, due_day, limit.extension_amount)
        extended = self._deadline_ending(limit, new_due_day, not_before=requested_at)
        return ExtensionDecision(requested_at, latest, extended, None)

    def schedule(self, name: str, event_at: datetime) -> dict[str, datetime]:
        """The dates of schedule `name` before an event at `event_at`, by variable name."""
        schedules = self._policy.schedules
        if name not in schedules:
            raise DeadlineError(
                f"no schedule {name!r} in {DEADLINE_POLICY_FILE}; it has {', '.join(schedules) or 'none'}"
            )
        event_day = event_at.astimezone(self._policy.timezone).date()
        return {
            variable: self._at(self._scheduled_day(entry, event_day), self._policy.counting.due_time)
            for variable, entry in schedules[name].items()
        }

    def _scheduled_day(self, entry: ScheduleDate, event_day: date) -> date:
        if entry.working_days_before is not None:
            return _nth(self._calendar.working_days_before(event_day), entry.working_days_before)
        if entry.days_before is not None:
            day = event_day - entry.days_before * _DAY
        else:
            assert entry.weekday_before is not None
            monday = event_day - event_day.weekday() * _DAY
            weeks = 1 if entry.weeks_before is None else entry.weeks_before
            day = monday - weeks * _WEEK + WEEKDAYS.index(entry.weekday_before) * _DAY
        return self._working_day_back(day, 0)

    def _last_day(self, unit: LimitUnit, counted_after: date, amount: int) -> date:
        """The day a limit of `amount` `unit`s ends when counted from the day after `counted_after`."""
        if unit is LimitUnit.WORKING_DAYS:
            # 0 is the first working day after `counted_after`, like 1: see `compute`.
            return _nth(self._calendar.working_days_after(counted_after), max(amount, 1))
        if unit is LimitUnit.DAYS:
            day = counted_after + amount * _DAY
        else:
            index = counted_after.month - 1 + amount
            year, month = counted_after.year + index // 12, index % 12 + 1
            day = counted_after.replace(
                year=year, month=month, day=min(counted_after.day, monthrange(year, month)[1])
            )
        if self._policy.counting.months_end_on_working_day and not self._calendar.is_working_day(day):
            return next(self._calendar.working_days_after(day))
        return day

    def _deadline_ending(self, limit: TimeLimit, due_day: date, not_before: datetime) -> Deadline:
        """The deadline at the end of `due_day`, with its reminder; a reminder that would fall
        before `not_before` (a limit shorter than the reminder's lead) falls at once."""
        due_at = self._at(due_day, self._policy.counting.due_time)
        reminder_day = self._working_day_back(due_day, self._policy.reminder.working_days_before_due - 1)
        remind_at = max(self._at(reminder_day, self._policy.office_hours[0].start), not_before)
        return Deadline(limit, due_at, remind_at)

    def _start_day(self, start: datetime) -> date:
        """The day, not counted, on which a limit starting at `start` starts. With deadlines at
        24:00, midnight is the end of the day before, as a deadline reads (a due day's 24:00 is
        handed to diagrams as the next day's 00:00): a limit that starts when another runs out (the
        time to answer the reminder sent at the due time, 催办答复) starts on the due day, as an
        extension counts from it, not a day later."""
        at_midnight = start.time() == time() and self._policy.counting.due_time == _DAY
        return start.date() - _DAY if at_midnight else start.date()

    def _working_day_back(self, day: date, count: int) -> date:
        """The working day `count` working days before `day`: `day` itself for 0 if it is one."""
        own = [day] if self._calendar.is_working_day(day) else []
        return _nth(chain(own, self._calendar.working_days_before(day)), count + 1)

    def _after_working_hours(self, start: datetime, hours: int) -> datetime:
        """The instant at which `hours` office hours on working days have passed since `start`;
        `start` itself when `hours` is not positive."""
        remaining = timedelta(hours=hours)
        day = start.date()
        while remaining > timedelta(0):
            if self._calendar.is_working_day(day):
                for period in self._policy.office_hours:
                    begin, end = max(self._at(day, period.start), start), self._at(day, period.end)
                    if end - begin >= remaining:
                        return begin + remaining
                    remaining -= max(end - begin, timedelta(0))
            day += _DAY
        return start

    def _at(self, day: date, since_midnight: timedelta) -> datetime:
        return datetime.combine(day, time(), tzinfo=self._policy.timezone) + since_midnight


def _nth(days: Iterator[date], n: int) -> date:
    """The `n`th of `days`, counting from 1."""
    return next(islice(days, n - 1, None))
