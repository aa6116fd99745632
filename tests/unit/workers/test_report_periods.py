"""Periods of a bulletin: as written, their bounds in the jurisdiction's zone, the previous one."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from workers.reports.periods import PeriodError, PeriodKind, custom_period, parse_period, previous_period

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("kind", "written", "first", "last", "title"),
    [
        (
            "weekly",
            "2026-W41",
            date(2026, 10, 5),
            date(2026, 10, 11),
            "2026年第41周（2026年10月5日至2026年10月11日）",
        ),
        ("monthly", "2026-02", date(2026, 2, 1), date(2026, 2, 28), "2026年2月"),
        ("quarterly", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "2026年第四季度"),
        ("yearly", "2026", date(2026, 1, 1), date(2026, 12, 31), "2026年"),
    ],
)
def test_a_period_as_written(kind: str, written: str, first: date, last: date, title: str) -> None:
    period = parse_period(kind, written)
    assert (period.first, period.last, period.title, period.label) == (first, last, title, written)


def test_bounds_are_midnights_in_the_jurisdictions_zone() -> None:
    start, end = parse_period("monthly", "2026-10").bounds(SHANGHAI)
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (
        datetime(2026, 9, 30, 16, tzinfo=UTC),
        datetime(2026, 10, 31, 16, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("kind", "today", "label"),
    [
        ("weekly", date(2026, 10, 14), "2026-W41"),
        ("monthly", date(2026, 1, 1), "2025-12"),
        ("quarterly", date(2026, 4, 1), "2026-Q1"),
        ("yearly", date(2026, 6, 30), "2025"),
    ],
)
def test_the_previous_full_period(kind: str, today: date, label: str) -> None:
    assert previous_period(kind, today).label == label


def test_a_custom_period_runs_from_its_first_to_its_last_day() -> None:
    period = custom_period(date(2026, 10, 1), date(2026, 10, 15))
    assert (period.kind, period.label, period.title) == (
        PeriodKind.CUSTOM,
        "2026-10-01_2026-10-15",
        "2026年10月1日至2026年10月15日",
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: parse_period("monthly", "2026-13"), "no such monthly period: '2026-13'"),
        (lambda: parse_period("monthly", "10/2026"), "a monthly period is written YYYY-MM"),
        (lambda: parse_period("daily", "2026"), "the period must be one of weekly, monthly"),
        (lambda: previous_period("custom", date(2026, 1, 1)), "a custom period has no previous period"),
        (lambda: custom_period(date(2026, 10, 2), date(2026, 10, 1)), "ends"),
    ],
)
def test_mistakes_are_named(call: object, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        call()  # type: ignore[operator]
