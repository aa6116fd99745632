"""The dashboards' pure parts: periods chosen by name, working days around holidays, the bulletin
folders the report worker writes, and downloads that stay inside the report folder."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from console import dashboard
from workers.deadline_policy import load_calendar_policy, load_deadline_policy
from workers.reports.periods import PeriodKind
from workers.services.calendar import WorkingCalendar

CONFIG = Path(__file__).resolve().parents[3] / "config"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar(load_calendar_policy(CONFIG))


def test_a_period_is_the_one_under_way_unless_named() -> None:
    week = dashboard.period_of("weekly", None, date(2026, 11, 5))
    assert (week.label, week.first, week.last) == ("2026-W45", date(2026, 11, 2), date(2026, 11, 8))
    december = dashboard.period_of("monthly", "2026-12", date(2026, 11, 5))
    assert dashboard.following_period(december).label == "2027-01"
    assert dashboard.earlier_period(december).label == "2026-11"
    quarter = dashboard.period_of("quarterly", None, date(2026, 11, 5))
    assert quarter.title == "2026年第四季度"


@pytest.mark.parametrize(
    ("kind", "written", "said"),
    [
        ("monthly", "2026-13", "请写作 2026-10"),
        ("weekly", "2026-10", "请写作 2026-W41"),
        ("custom", None, "统计周期只能是"),
        ("daily", None, "统计周期只能是"),
    ],
)
def test_a_period_that_does_not_exist_is_refused_in_chinese(
    kind: str, written: str | None, said: str
) -> None:
    with pytest.raises(dashboard.PeriodChoiceError, match=said):
        dashboard.period_of(kind, written, date(2026, 11, 5))


def test_bulletin_choices_offer_each_kind_under_way_and_before() -> None:
    choices = dashboard.bulletin_choices(date(2026, 11, 5))
    assert [period.label for period in choices[PeriodKind.MONTHLY]] == ["2026-11", "2026-10", "2026-09"]
    assert [period.label for period in choices[PeriodKind.YEARLY]] == ["2026", "2025", "2024"]


def test_working_days_skip_national_day_and_count_the_make_up_saturday(calendar: WorkingCalendar) -> None:
    # 2026: 10-01..10-07 are holidays, Saturday 10-10 is a make-up working day.
    deadline = load_deadline_policy(CONFIG)
    due = dashboard.due_day(datetime(2026, 10, 1, tzinfo=SHANGHAI), deadline)
    assert due == date(2026, 9, 30), "a deadline at 24:00 ends on the day before the next midnight"
    assert dashboard.working_days_overdue(calendar, date(2026, 10, 10), due) == 3, "10-08, 10-09, 10-10"
    assert dashboard.working_days_overdue(calendar, due, due) == 0
    assert dashboard.working_days_left(calendar, date(2026, 9, 30), date(2026, 10, 9)) == 3, (
        "09-30, 10-08, 10-09"
    )
    assert dashboard.working_days_left(calendar, date(2026, 10, 9), date(2026, 10, 9)) == 1


def test_bulletin_folders_are_listed_newest_first_with_their_periods(tmp_path: Path) -> None:
    written = {
        "monthly-2026-10": 300,
        "custom-2026-10-01_2026-10-15-deputy-suggestion": 200,
        "weekly-2026-W41": 100,
    }
    for folder, moment in written.items():
        (tmp_path / folder).mkdir()
        html = tmp_path / folder / "bulletin.html"
        html.write_text("<html></html>", encoding="utf-8")
        os.utime(html, (moment, moment))
    (tmp_path / "monthly-2026-10" / "bulletin.xlsx").write_bytes(b"PK")
    (tmp_path / "monthly-2026-11").mkdir()  # being written: no HTML yet
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "bulletin.html").write_text("", encoding="utf-8")

    found = dashboard.published_bulletins(tmp_path, SHANGHAI)
    assert [(b.folder, b.period.title, b.channels) for b in found] == [
        ("monthly-2026-10", "2026年10月", None),
        (
            "custom-2026-10-01_2026-10-15-deputy-suggestion",
            "2026年10月1日至2026年10月15日",
            "deputy-suggestion",
        ),
        ("weekly-2026-W41", "2026年第41周（2026年10月5日至2026年10月11日）", None),
    ]
    assert [file.path for file in found[0].files] == [
        "monthly-2026-10/bulletin.html",
        "monthly-2026-10/bulletin.xlsx",
    ]
    assert dashboard.published_bulletins(tmp_path / "missing", SHANGHAI) == []


def test_a_report_file_is_found_only_inside_the_report_folder(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    (reports / "monthly-2026-10").mkdir(parents=True)
    inside = reports / "monthly-2026-10" / "bulletin.html"
    inside.write_text("通报", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("x", encoding="utf-8")
    (reports / "escape").symlink_to(tmp_path)
    assert dashboard.report_file(reports, "monthly-2026-10/bulletin.html") == inside.resolve()
    for path in ("../secret.txt", "/etc/passwd", "escape/secret.txt", "monthly-2026-10", "", "nope.html"):
        assert dashboard.report_file(reports, path) is None, f"{path!r} was served"
