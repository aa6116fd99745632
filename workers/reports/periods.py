"""The periods a bulletin covers: an ISO week, a month, a quarter, a year, or days from/to.

Weekly for the forum, monthly for the 12345 hotline, quarterly for the mailboxes, yearly for the
assessment [seed 003]. A period is written the way people write it (`2026-W41`, `2026-10`,
`2026-Q4`, `2026`, or two dates), and a timer-started bulletin covers the previous full period.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class PeriodKind(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    CUSTOM = "custom"


class PeriodError(ValueError):
    pass


_FORMS = {
    PeriodKind.WEEKLY: (re.compile(r"(\d{4})-W(\d{2})"), "YYYY-Www, e.g. 2026-W41"),
    PeriodKind.MONTHLY: (re.compile(r"(\d{4})-(\d{2})"), "YYYY-MM, e.g. 2026-10"),
    PeriodKind.QUARTERLY: (re.compile(r"(\d{4})-Q([1-4])"), "YYYY-Qn, e.g. 2026-Q4"),
    PeriodKind.YEARLY: (re.compile(r"(\d{4})()"), "YYYY, e.g. 2026"),
}
_QUARTER_NAMES = "一二三四"


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    # The first day and the last day, both included, in the jurisdiction's time zone.
    first: date
    last: date

    @property
    def label(self) -> str:
        """The period as written on the command line and in file names."""
        match self.kind:
            case PeriodKind.WEEKLY:
                year, week, _ = self.first.isocalendar()
                return f"{year}-W{week:02d}"
            case PeriodKind.MONTHLY:
                return f"{self.first:%Y-%m}"
            case PeriodKind.QUARTERLY:
                return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
            case PeriodKind.YEARLY:
                return str(self.first.year)
        return f"{self.first.isoformat()}_{self.last.isoformat()}"

    @property
    def title(self) -> str:
        """The period as the bulletin names it."""
        days = f"{_chinese_date(self.first)}至{_chinese_date(self.last)}"
        match self.kind:
            case PeriodKind.WEEKLY:
                year, week, _ = self.first.isocalendar()
                return f"{year}年第{week}周（{days}）"
            case PeriodKind.MONTHLY:
                return f"{self.first.year}年{self.first.month}月"
            case PeriodKind.QUARTERLY:
                return f"{self.first.year}年第{_QUARTER_NAMES[(self.first.month - 1) // 3]}季度"
            case PeriodKind.YEARLY:
                return f"{self.first.year}年"
        return days

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The instants it starts at (included) and ends at (excluded): midnights in `zone`."""
        return (
            datetime.combine(self.first, time(), zone),
            datetime.combine(self.last + timedelta(days=1), time(), zone),
        )


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def parse_period(kind: str, written: str) -> Period:
    """The period of `kind` written `written` (`2026-10` for a month)."""
    period_kind = _kind(kind)
    if period_kind is PeriodKind.CUSTOM:
        raise PeriodError("a custom period is given by its first and last day, not one value")
    pattern, form = _FORMS[period_kind]
    match = pattern.fullmatch(written.strip())
    if match is None:
        raise PeriodError(f"a {period_kind} period is written {form}, got {written!r}")
    year = int(match[1])
    number = int(match[2] or 1)
    try:
        first_day = {
            PeriodKind.WEEKLY: lambda: date.fromisocalendar(year, number, 1),
            PeriodKind.MONTHLY: lambda: date(year, number, 1),
            PeriodKind.QUARTERLY: lambda: date(year, 3 * number - 2, 1),
            PeriodKind.YEARLY: lambda: date(year, 1, 1),
        }[period_kind]()
    except ValueError as error:
        raise PeriodError(f"no such {period_kind} period: {written!r} ({error})") from None
    return _CONTAINING[period_kind](first_day)


def custom_period(first: date, last: date) -> Period:
    if last < first:
        raise PeriodError(f"the period ends ({last}) before it starts ({first})")
    return Period(PeriodKind.CUSTOM, first, last)


def previous_period(kind: str, today: date) -> Period:
    """The last full period of `kind` before the one `today` lies in: what a bulletin published
    at the start of a week, month, quarter or year reports on."""
    period_kind = _kind(kind)
    if period_kind is PeriodKind.CUSTOM:
        raise PeriodError("a custom period has no previous period: give its first and last day")
    containing = _CONTAINING[period_kind]
    return containing(containing(today).first - timedelta(days=1))


def _kind(kind: str) -> PeriodKind:
    try:
        return PeriodKind(kind)
    except ValueError:
        raise PeriodError(f"the period must be one of {', '.join(PeriodKind)}, got {kind!r}") from None


def _week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period(PeriodKind.WEEKLY, monday, monday + timedelta(days=6))


def _month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    return Period(PeriodKind.MONTHLY, first, following - timedelta(days=1))


def _quarter_of(day: date) -> Period:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    following = (first + timedelta(days=92)).replace(day=1)
    return Period(PeriodKind.QUARTERLY, first, following - timedelta(days=1))


def _year_of(day: date) -> Period:
    return Period(PeriodKind.YEARLY, date(day.year, 1, 1), date(day.year, 12, 31))


# The period of each kind that contains a day.
_CONTAINING = {
    PeriodKind.WEEKLY: _week_of,
    PeriodKind.MONTHLY: _month_of,
    PeriodKind.QUARTERLY: _quarter_of,
    PeriodKind.YEARLY: _year_of,
}
