"""Online interviews: the portal's interviews of a month, counted from the ledger's
`interview-scheduled` activities in the month the interview is held (Beijing time), per unit and in
all, through the handler as the worker registers it."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ledger_support import open_test_ledger

from workers import interviews
from workers.deadline_policy import load_deadline_policy
from workers.ids import JobType
from workers.interviews import InterviewError
from workers.ledger.events import Activity, CaseRegistration
from workers.ledger.service import Ledger
from workers.reports.service import open_reader
from workers.settings import Settings

CONFIG = Path(__file__).resolve().parents[3] / "config"
HOUSING = "住房城乡建设委"


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def ledger(database: str) -> Ledger:
    return open_test_ledger(database)


def scheduled(ledger: Ledger, job: int, unit: str, at: str, venue: str = "portal", name: str = "") -> None:
    """An interview of `unit` scheduled at `venue` for `at`."""
    number = ledger.register(job, CaseRegistration(channel="online-interview", received_at=datetime.now(UTC)))
    activity = Activity(
        kind="activity",
        case_number=number,
        activity=name or interviews.SCHEDULED_ACTIVITY,
        label="访谈排期",
        unit=unit,
        occurred_at=datetime.fromisoformat(at),
        activity_data={"venue": venue, "overMonthlyCap": False},
    )
    ledger.record(job + 100, activity)


async def count(database: str, **variables: Any) -> dict[str, Any]:
    router = interviews.create_router(
        open_reader(database), load_deadline_policy(CONFIG).timezone, Settings().task_options()
    )
    task = router.get_task(JobType.INTERVIEW_MONTH_COUNT)
    fetched = {
        name: value for name, value in variables.items() if name in (task.config.variables_to_fetch or ())
    }
    result: dict[str, Any] = await task.original_function(**fetched)
    return result


async def test_the_months_portal_interviews_are_counted_in_all_and_for_the_unit(
    ledger: Ledger, database: str
) -> None:
    scheduled(ledger, 1, HOUSING, "2026-12-01T00:30:00+08:00")
    scheduled(ledger, 2, "民政局", "2026-12-31T23:30:00+08:00")
    scheduled(ledger, 3, HOUSING, "2026-12-10T14:30:00+08:00", venue="department")
    # Beijing's 1 January and 30 November, though UTC's 31 December and 1 December.
    scheduled(ledger, 4, HOUSING, "2027-01-01T07:00:00+08:00")
    scheduled(ledger, 5, HOUSING, "2026-11-30T23:00:00+08:00")
    scheduled(ledger, 6, HOUSING, "2026-12-15T14:30:00+08:00", name="interview-held")
    result = await count(database, interviewAt="2026-12-17T14:30:00+08:00", unit=HOUSING, title="x")
    assert result == {"monthPortalInterviews": 2, "unitPortalInterviews": 1}, (
        "December's portal interviews: the housing commission's on the 1st and civil affairs' on the 31st"
    )
    other = await count(database, interviewAt="2026-12-17T06:30:00Z", unit="环保局")
    assert other == {"monthPortalInterviews": 2, "unitPortalInterviews": 0}


async def test_an_interview_time_without_its_offset_is_refused(database: str, ledger: Ledger) -> None:
    with pytest.raises(InterviewError, match="offset"):
        await count(database, interviewAt="2026-12-17T14:30:00", unit=HOUSING)
    with pytest.raises(InterviewError, match="ISO date-time"):
        await count(database, interviewAt="下周四", unit=HOUSING)
