"""Dates due before an event (`[schedules]` of deadlines.toml, `minsheng.compute-schedule`): a
meeting's preview 3 working days ahead, an interview's plan two weeks ahead, a radio department's
leading official by the Thursday of the week before, on the official 2026 calendar.

National Day 2026: 1-7 October off; Saturday 10 October is a make-up working day."""

import re
import shutil
from pathlib import Path

import pytest
from pyzeebe import ZeebeTaskRouter
from worker_support import call_with_job

from workers.deadline_policy import CALENDAR_POLICY_FILE, DEADLINE_POLICY_FILE
from workers.deadlines import create_router, load_deadlines
from workers.ids import JobType, TaskHeader
from workers.policy import PolicyError
from workers.services.deadlines import DeadlineError, Deadlines, iso
from workers.settings import Settings

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"
SCHEDULE = """
[schedules.test-event]
previewDueAt = { working_days_before = 3 }
planDueAt = { days_before = 14 }
officialDueAt = { weekday_before = "thursday", weeks_before = 1 }
"""


def with_schedules(tmp_path: Path, text: str) -> Path:
    """The shipped jurisdiction with `text` added to its deadlines.toml."""
    shipped = (SHIPPED_CONFIG / DEADLINE_POLICY_FILE).read_text(encoding="utf-8")
    (tmp_path / DEADLINE_POLICY_FILE).write_text(shipped + text, encoding="utf-8")
    shutil.copy(SHIPPED_CONFIG / CALENDAR_POLICY_FILE, tmp_path)
    return tmp_path


@pytest.fixture
def deadlines(tmp_path: Path) -> Deadlines:
    return load_deadlines(with_schedules(tmp_path, SCHEDULE))


def schedule(deadlines: Deadlines, event_at: str) -> dict[str, str]:
    dates = deadlines.schedule("test-event", deadlines.instant(event_at, "eventAt"))
    return {variable: iso(instant) for variable, instant in dates.items()}


def test_dates_before_an_event_in_an_ordinary_week(deadlines: Deadlines) -> None:
    # Thursday 10 December 2026.
    assert schedule(deadlines, "2026-12-10T09:00:00+08:00") == {
        # Wednesday, Tuesday, Monday: the end of Monday 7 December.
        "previewDueAt": "2026-12-08T00:00:00+08:00",
        # Thursday 26 November.
        "planDueAt": "2026-11-27T00:00:00+08:00",
        # The Thursday of the week before: 3 December.
        "officialDueAt": "2026-12-04T00:00:00+08:00",
    }


def test_working_days_before_skip_the_holiday_and_count_the_make_up_day(deadlines: Deadlines) -> None:
    # Tuesday 13 October 2026: Monday 12, Saturday 10 (worked), Friday 9.
    assert schedule(deadlines, "2026-10-13T09:00:00+08:00")["previewDueAt"] == "2026-10-10T00:00:00+08:00"


def test_a_calendar_date_on_a_day_off_moves_back_to_the_working_day_before(deadlines: Deadlines) -> None:
    # Thursday 15 October 2026: 14 days before is 1 October, National Day -> 30 September.
    assert schedule(deadlines, "2026-10-15T09:00:00+08:00")["planDueAt"] == "2026-10-01T00:00:00+08:00"
    # Friday 9 October: the Thursday of the week before is 1 October, a holiday -> 30 September.
    assert schedule(deadlines, "2026-10-09T09:00:00+08:00")["officialDueAt"] == "2026-10-01T00:00:00+08:00"
    # Tuesday 13 October: the Thursday of the week before is 8 October, worked.
    assert schedule(deadlines, "2026-10-13T09:00:00+08:00")["officialDueAt"] == "2026-10-09T00:00:00+08:00"


def test_the_event_day_is_taken_in_the_jurisdictions_time_zone(deadlines: Deadlines) -> None:
    # 17:00 UTC on Wednesday 9 December is 01:00 on Thursday 10 December in Beijing.
    assert schedule(deadlines, "2026-12-09T17:00:00+00:00")["previewDueAt"] == "2026-12-08T00:00:00+08:00"


def test_an_unknown_schedule_is_refused_by_name(deadlines: Deadlines) -> None:
    with pytest.raises(DeadlineError, match=re.escape("no schedule 'meeting' in deadlines.toml; it has ")):
        deadlines.schedule("meeting", deadlines.instant("2026-12-10T09:00:00+08:00", "eventAt"))


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("{ working_days_before = 3, days_before = 2 }", "must have exactly one of working_days_before"),
        ("{ weeks_before = 1, days_before = 2 }", "weeks_before goes only with weekday_before"),
        ('{ weekday_before = "thursdy" }', "schedules.test-event.officialDueAt.weekday_before"),
        ("{ days_before = 0 }", "schedules.test-event.officialDueAt.days_before"),
    ],
)
def test_a_mistaken_schedule_names_the_file_the_key_and_the_problem(
    tmp_path: Path, entry: str, problem: str
) -> None:
    text = SCHEDULE.replace('{ weekday_before = "thursday", weeks_before = 1 }', entry)
    with pytest.raises(PolicyError) as raised:
        load_deadlines(with_schedules(tmp_path, text))
    assert DEADLINE_POLICY_FILE in str(raised.value)
    assert problem in str(raised.value)


def test_a_variable_a_diagram_cannot_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=re.escape("schedules.test-event.preview-due")):
        load_deadlines(with_schedules(tmp_path, SCHEDULE.replace("previewDueAt", "preview-due")))


@pytest.fixture
def router(deadlines: Deadlines) -> ZeebeTaskRouter:
    return create_router(deadlines, Settings().task_options())


async def test_the_handler_returns_one_variable_per_date_of_the_headers_schedule(
    router: ZeebeTaskRouter,
) -> None:
    variables = await call_with_job(
        router,
        1,
        JobType.COMPUTE_SCHEDULE,
        {TaskHeader.SCHEDULE: "test-event"},
        eventAt="2026-12-10T09:00:00+08:00",
        title="unrelated",
    )
    assert variables == {
        "previewDueAt": "2026-12-08T00:00:00+08:00",
        "planDueAt": "2026-11-27T00:00:00+08:00",
        "officialDueAt": "2026-12-04T00:00:00+08:00",
    }


async def test_a_task_without_the_schedule_header_fails_naming_it(router: ZeebeTaskRouter) -> None:
    with pytest.raises(DeadlineError, match="needs the task header schedule"):
        await call_with_job(router, 1, JobType.COMPUTE_SCHEDULE, {}, eventAt="2026-12-10T09:00:00+08:00")
