"""Which days are working days: weekends and public holidays are not, make-up days (调休) are.

The official schedule changes every year by a State Council notice, so it comes from data:
`chinesecalendar` for the years it covers, and `calendar.toml` for corrections and for the years
it does not cover yet. A day that neither knows is an error naming its year, never a guess from
the weekday, because a guessed deadline would silently be wrong by a week around a holiday.
"""

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import count

import chinese_calendar  # type: ignore[import-untyped]

from workers.deadline_policy import CALENDAR_POLICY_FILE, CalendarPolicy

_DAY = timedelta(days=1)
# The years whose notices chinesecalendar carries (it refuses a day of any other), read from its
# own table so that upgrading the package moves the coverage with it.
_PACKAGE_YEARS = frozenset(day.year for day in chinese_calendar.holidays)


class UncoveredYearError(Exception):
    """A day in a year whose official holidays are unknown."""

    def __init__(self, year: int) -> None:
        super().__init__(
            f"the working-day calendar does not cover {year}: chinesecalendar has no official holidays "
            f"for {year} and {CALENDAR_POLICY_FILE} has no [years.{year}]; add that year's holidays and "
            f"make-up working days (调休) from the State Council's notice to {CALENDAR_POLICY_FILE}"
        )
        self.year = year


def running_out_warning(first_uncovered_day: date) -> str:
    """What the workers log and `minsheng calendar` prints when the calendar is about to run out."""
    year = first_uncovered_day.year
    return (
        f"the working-day calendar runs out on {first_uncovered_day.isoformat()}: it does not cover "
        f"{year}, so every deadline that reaches into {year} will fail its job with an incident; add "
        f"[years.{year}] to {CALENDAR_POLICY_FILE} from the State Council's notice "
        f"(国务院办公厅关于{year}年部分节假日安排的通知), or upgrade chinesecalendar once it carries {year}"
    )


class WorkingCalendar:
    def __init__(self, policy: CalendarPolicy) -> None:
        self._configured_years = frozenset(policy.years)
        self._covered_years = _PACKAGE_YEARS | self._configured_years
        self.warn_days_ahead = policy.warn_days_ahead
        self._holidays = frozenset(day for year in policy.years.values() for day in year.holidays)
        self._working_days = frozenset(day for year in policy.years.values() for day in year.working_days)
        # chinesecalendar recomputes its range on every call, and counting a deadline or an overdue
        # list down asks about the same days again and again: each day is asked once.
        self._answers: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        """A day listed in the configuration is what it says; any other day is what chinesecalendar
        says or, in a configured year it does not cover, a working day from Monday to Friday."""
        answer = self._answers.get(day)
        if answer is None:
            answer = self._answers[day] = self._is_working_day(day)
        return answer

    def _is_working_day(self, day: date) -> bool:
        if day in self._working_days:
            return True
        if day in self._holidays:
            return False
        if day.year not in self._covered_years:
            raise UncoveredYearError(day.year)
        if day.year in _PACKAGE_YEARS:
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def covered_years(self) -> tuple[int, ...]:
        """The years whose working days are known, from the package or the configuration, in order."""
        return tuple(sorted(self._covered_years))

    def first_uncovered_day(self, today: date) -> date:
        """The first day, from `today` on, of a year the calendar does not cover: `today` itself, or
        1 January of the first uncovered year after it."""
        year = next(year for year in count(today.year) if year not in self._covered_years)
        return today if year == today.year else date(year, 1, 1)

    def runs_out_soon(self, today: date) -> date | None:
        """The first uncovered day when it is at most `warn_days_ahead` days after `today`, which
        is when someone must add the next year before deadlines reach it; else None."""
        first = self.first_uncovered_day(today)
        return first if first - today <= timedelta(days=self.warn_days_ahead) else None

    def working_days_after(self, day: date) -> Iterator[date]:
        """The working days after `day`, nearest first."""
        return self._working_days_stepping(day, _DAY)

    def working_days_before(self, day: date) -> Iterator[date]:
        """The working days before `day`, nearest first."""
        return self._working_days_stepping(day, -_DAY)

    def _working_days_stepping(self, day: date, step: timedelta) -> Iterator[date]:
        while True:
            day += step
            if self.is_working_day(day):
                yield day
