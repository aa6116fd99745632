"""Which days are working days: weekends and public holidays are not, make-up days (调休) are.

The official schedule changes every year by a State Council notice, so it comes from data:
`chinesecalendar` for the years it covers, and `calendar.toml` for corrections and for the years
it does not cover yet. A day that neither knows is an error naming its year, never a guess from
the weekday, because a guessed deadline would silently be wrong by a week around a holiday.
"""

from collections.abc import Iterator
from datetime import date, timedelta

import chinese_calendar  # type: ignore[import-untyped]

from workers.deadline_policy import CALENDAR_POLICY_FILE, CalendarPolicy

_DAY = timedelta(days=1)


class UncoveredYearError(Exception):
    """A day in a year whose official holidays are unknown."""

    def __init__(self, year: int) -> None:
        super().__init__(
            f"the working-day calendar does not cover {year}: chinesecalendar has no official holidays "
            f"for {year} and {CALENDAR_POLICY_FILE} has no [years.{year}]; add that year's holidays and "
            f"make-up working days (调休) from the State Council's notice to {CALENDAR_POLICY_FILE}"
        )
        self.year = year


class WorkingCalendar:
    def __init__(self, policy: CalendarPolicy) -> None:
        self._configured_years = frozenset(policy.years)
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
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year in self._configured_years:
                return day.weekday() < 5
            raise UncoveredYearError(day.year) from None

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
