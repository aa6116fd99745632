"""Which years the working-day calendar covers and when it runs out: the early warning before a
deadline reaches a year whose holidays nobody has added (chinesecalendar 1.11 covers 2004 to 2026)."""

import logging
from datetime import date
from pathlib import Path

import pytest

from workers.app import warn_if_calendar_runs_out
from workers.deadline_policy import (
    CALENDAR_POLICY_FILE,
    CalendarPolicy,
    LimitUnit,
    YearCalendar,
    load_calendar_policy,
    load_deadline_policy,
)
from workers.policy import PolicyError
from workers.services.calendar import WorkingCalendar

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"
WITH_2027 = CalendarPolicy(years={2027: YearCalendar(holidays=(date(2027, 1, 1),))})


def test_the_package_covers_its_years_and_no_later_one() -> None:
    years = WorkingCalendar(CalendarPolicy()).covered_years()
    assert years[0] <= 2004, f"the package's early years are missing: {years}"
    assert years[-1] == 2026, f"the package should cover up to 2026, covers {years}"
    assert years == tuple(range(years[0], 2027)), f"the covered years have a gap: {years}"


def test_a_configured_year_extends_the_coverage() -> None:
    calendar = WorkingCalendar(WITH_2027)
    assert calendar.covered_years()[-2:] == (2026, 2027)
    assert calendar.first_uncovered_day(date(2026, 11, 27)) == date(2028, 1, 1)


def test_a_configured_year_after_a_gap_does_not_cover_the_gap() -> None:
    calendar = WorkingCalendar(CalendarPolicy(years={2028: YearCalendar()}))
    assert calendar.covered_years()[-2:] == (2026, 2028)
    assert calendar.first_uncovered_day(date(2026, 11, 27)) == date(2027, 1, 1)


def test_an_uncovered_today_is_itself_the_first_uncovered_day() -> None:
    assert WorkingCalendar(CalendarPolicy()).first_uncovered_day(date(2027, 3, 1)) == date(2027, 3, 1)


@pytest.mark.parametrize(
    ("warn_days_ahead", "today", "runs_out"),
    [
        # The default look-ahead, 60 days: 1 January 2027 is 35 days after 27 November 2026.
        (None, date(2026, 11, 27), date(2027, 1, 1)),
        (None, date(2026, 11, 2), date(2027, 1, 1)),  # exactly 60 days
        (None, date(2026, 11, 1), None),  # 61 days
        # The policy's look-ahead.
        (100, date(2026, 9, 23), date(2027, 1, 1)),  # exactly 100 days
        (100, date(2026, 9, 22), None),
        (10, date(2026, 11, 27), None),
        (1, date(2026, 12, 31), date(2027, 1, 1)),
    ],
)
def test_the_calendar_runs_out_within_the_look_ahead(
    warn_days_ahead: int | None, today: date, runs_out: date | None
) -> None:
    policy = CalendarPolicy() if warn_days_ahead is None else CalendarPolicy(warn_days_ahead=warn_days_ahead)
    assert WorkingCalendar(policy).runs_out_soon(today) == runs_out


def test_a_configured_next_year_silences_the_warning() -> None:
    assert WorkingCalendar(WITH_2027).runs_out_soon(date(2026, 12, 31)) is None


def test_the_look_ahead_is_read_from_the_policy_file(tmp_path: Path) -> None:
    (tmp_path / CALENDAR_POLICY_FILE).write_text("warn_days_ahead = 100\n", encoding="utf-8")
    calendar = WorkingCalendar(load_calendar_policy(tmp_path))
    assert calendar.runs_out_soon(date(2026, 9, 23)) == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0", "warn_days_ahead: must be a positive integer, got 0"),
        ('"60"', 'warn_days_ahead: must be an integer, got "60"'),
    ],
)
def test_a_wrong_look_ahead_is_named(tmp_path: Path, value: str, problem: str) -> None:
    (tmp_path / CALENDAR_POLICY_FILE).write_text(f"warn_days_ahead = {value}\n", encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_calendar_policy(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path / CALENDAR_POLICY_FILE}: {problem}"), str(raised.value)


def test_the_shipped_look_ahead_outlasts_the_longest_limit_in_calendar_time() -> None:
    """Working-day limits are far shorter than the months and days limits, which set the bound."""
    steps = load_deadline_policy(SHIPPED_CONFIG).limits.values()
    limits = [limit for step in steps for limit in step.values()]
    longest = max(
        limit.amount * (31 if limit.unit is LimitUnit.MONTHS else 1)
        for limit in limits
        if limit.unit in (LimitUnit.MONTHS, LimitUnit.DAYS)
    )
    warn_days_ahead = load_calendar_policy(SHIPPED_CONFIG).warn_days_ahead
    assert warn_days_ahead >= longest, (
        f"calendar.toml warns {warn_days_ahead} days ahead, but a limit lasts up to {longest} days"
    )


def test_the_workers_warn_at_start_up_when_the_calendar_runs_out(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="workers"):
        warn_if_calendar_runs_out(WorkingCalendar(CalendarPolicy()), date(2026, 12, 1))
    assert [record.levelno for record in caplog.records] == [logging.WARNING], "no single warning logged"
    assert "runs out on 2027-01-01" in caplog.text and "[years.2027]" in caplog.text, caplog.text


def test_the_workers_say_nothing_when_the_calendar_lasts(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="workers"):
        warn_if_calendar_runs_out(WorkingCalendar(CalendarPolicy()), date(2026, 6, 1))
    assert not caplog.records, f"a warning was logged 214 days ahead: {caplog.text}"
