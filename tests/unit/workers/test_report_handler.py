"""The bulletin handler as the worker registers it: the job type, the variables it fetches, the
period it chooses, and what it returns."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ledger_support import CONFIG, open_test_ledger
from pyzeebe import ZeebeTaskRouter
from sqlalchemy import Engine
from worker_support import call_with_job

from workers import reporting
from workers.ids import JobType, TaskHeader
from workers.ledger import events
from workers.ledger.events import CaseRegistration
from workers.report_policy import load_report_policy
from workers.reports.periods import PeriodError
from workers.reports.service import open_reader
from workers.settings import Settings

# Early November 2026 in Shanghai: the previous full month is October.
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = open_test_ledger(url, clock=lambda: datetime(2026, 10, 9, 2, tzinfo=UTC))
    number = ledger.register(1, CaseRegistration(channel="hotline-ticket", title="路灯不亮"))
    ledger.record(
        2, events.Details(kind="details", case_number=number, category="求助", lead_unit="综合执法局")
    )
    ledger.record(3, events.Reply(kind="reply", case_number=number, text="已修复", grade="A"))
    ledger.close()
    engine = open_reader(url)
    yield engine
    engine.dispose()


@pytest.fixture
def router(reader: Engine, tmp_path: Path) -> ZeebeTaskRouter:
    output = reporting.ReportOutput(tmp_path / "reports", Settings().report_font)
    return reporting.create_router(
        reader, load_report_policy(CONFIG), output, Settings().task_options(), clock=lambda: NOW
    )


async def call(router: ZeebeTaskRouter, headers: dict[str, str], **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = await call_with_job(router, 1, JobType.COMPILE_BULLETIN, headers, **variables)
    return result


def test_it_fetches_only_the_period_variables(router: ZeebeTaskRouter) -> None:
    task = router.get_task(JobType.COMPILE_BULLETIN)
    assert sorted(task.config.variables_to_fetch) == [
        "reportChannels",
        "reportFrom",
        "reportOf",
        "reportPeriod",
        "reportTo",
    ]


async def test_a_timer_started_bulletin_covers_the_previous_full_period(
    router: ZeebeTaskRouter, tmp_path: Path
) -> None:
    result = await call(router, {TaskHeader.REPORT_PERIOD: "monthly"}, unrelated="x")
    assert result["bulletinPeriod"] == {
        "kind": "monthly",
        "label": "2026-10",
        "first": "2026-10-01",
        "last": "2026-10-31",
    }
    assert result["bulletinReceived"] == 1
    folder = tmp_path / "reports" / "monthly-2026-10"
    assert result["bulletinFiles"]["html"] == str(folder / "bulletin.html")
    assert all(
        Path(path).is_file()
        for path in [result["bulletinFiles"]["workbook"], *result["bulletinFiles"]["charts"]]
    )
    # Nothing completed or visited: 综合执法局's rates have no data, so it is not ranked.
    assert result["ranking"] == {"top": [], "bottom": []}


async def test_variables_choose_the_period_and_win_over_the_header(router: ZeebeTaskRouter) -> None:
    result = await call(
        router,
        {TaskHeader.REPORT_PERIOD: "monthly"},
        reportPeriod="custom",
        reportFrom="2026-10-01",
        reportTo="2026-10-08",
        reportChannels=["hotline-ticket"],
    )
    assert result["bulletinPeriod"]["label"] == "2026-10-01_2026-10-08"
    assert result["bulletinReceived"] == 0
    assert result["bulletinFiles"]["directory"].endswith("custom-2026-10-01_2026-10-08-hotline-ticket")
    weekly = await call(router, {}, reportPeriod="weekly", reportOf="2026-W41")
    assert (weekly["bulletinPeriod"]["first"], weekly["bulletinReceived"]) == ("2026-10-05", 1)


async def test_a_request_without_a_period_fails_by_name(router: ZeebeTaskRouter) -> None:
    with pytest.raises(ValueError, match=TaskHeader.REPORT_PERIOD):
        await call(router, {})
    with pytest.raises(PeriodError, match="a quarterly period is written YYYY-Qn"):
        await call(router, {}, reportPeriod="quarterly", reportOf="2026-4")
