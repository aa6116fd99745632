"""The working-day calendar against the State Council's notices for 2025 (国办发明电〔2024〕12号) and
2026 (国办发明电〔2025〕7号), as chinesecalendar 1.11 carries them."""

from datetime import date

import pytest

from workers.deadline_policy import CalendarPolicy, YearCalendar
from workers.services.calendar import UncoveredYearError, WorkingCalendar

CALENDAR = WorkingCalendar(CalendarPolicy())


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # National Day and Mid-autumn 2025: 1 to 8 October off; Sunday 28 September and Saturday
        # 11 October worked.
        (date(2025, 9, 28), True),
        (date(2025, 9, 30), True),
        (date(2025, 10, 1), False),
        (date(2025, 10, 6), False),
        (date(2025, 10, 8), False),
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),
        (date(2025, 10, 12), False),
        # Spring Festival 2026: 15 to 23 February off; Saturdays 14 and 28 February worked.
        (date(2026, 2, 13), True),
        (date(2026, 2, 14), True),
        (date(2026, 2, 15), False),
        (date(2026, 2, 23), False),
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),
        # Mid-autumn 25 to 27 September 2026, National Day 1 to 7 October; Sunday 20 September and
        # Saturday 10 October worked.
        (date(2026, 9, 20), True),
        (date(2026, 9, 25), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),
        # An ordinary weekend.
        (date(2025, 3, 8), False),
        (date(2025, 3, 9), False),
        (date(2025, 3, 10), True),
    ],
)
def test_official_holidays_and_make_up_days(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working


def test_a_year_nobody_covers_is_refused_by_name() -> None:
    with pytest.raises(UncoveredYearError, match=r"does not cover 2027: .*\[years\.2027\]") as raised:
        CALENDAR.is_working_day(date(2027, 3, 1))
    assert raised.value.year == 2027


def test_a_configured_year_counts_its_listed_days_and_otherwise_the_weekdays() -> None:
    calendar = WorkingCalendar(
        CalendarPolicy(
            years={2027: YearCalendar(holidays=(date(2027, 2, 8),), working_days=(date(2027, 2, 6),))}
        )
    )
    assert calendar.is_working_day(date(2027, 2, 5)) is True  # a Friday
    assert calendar.is_working_day(date(2027, 2, 6)) is True  # a Saturday worked
    assert calendar.is_working_day(date(2027, 2, 7)) is False  # a Sunday
    assert calendar.is_working_day(date(2027, 2, 8)) is False  # a Monday off
    with pytest.raises(UncoveredYearError, match="2028"):
        calendar.is_working_day(date(2028, 1, 3))


def test_in_a_covered_year_a_configured_day_overrides_the_package() -> None:
    local_holiday = date(2025, 3, 10)
    calendar = WorkingCalendar(CalendarPolicy(years={2025: YearCalendar(holidays=(local_holiday,))}))
    assert calendar.is_working_day(local_holiday) is False
    assert calendar.is_working_day(date(2025, 10, 1)) is False  # still the package's holiday
    assert calendar.is_working_day(date(2025, 3, 11)) is True


def test_working_days_are_walked_both_ways_past_a_holiday() -> None:
    after = CALENDAR.working_days_after(date(2025, 9, 30))
    assert [next(after) for _ in range(3)] == [date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 11)]
    before = CALENDAR.working_days_before(date(2025, 10, 9))
    assert [next(before) for _ in range(2)] == [date(2025, 9, 30), date(2025, 9, 29)]
