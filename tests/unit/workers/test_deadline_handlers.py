"""The deadline handlers as the worker registers them, called directly: the job type, the
variables they fetch, and the variables they return."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pyzeebe import ZeebeTaskRouter

from workers.deadlines import create_router, load_deadlines
from workers.ids import JobType
from workers.services.calendar import UncoveredYearError
from workers.services.deadlines import Deadlines
from workers.settings import Settings

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"
COUNTY_CONFIG = SHIPPED_CONFIG / "jurisdictions" / "county-example"
NOW = datetime(2025, 10, 20, 1, 0, tzinfo=UTC)
OPTIONS = Settings().task_options()


async def call(router: ZeebeTaskRouter, job_type: str, **variables: Any) -> dict[str, Any]:
    """What the worker does with a job: fetch the variables the handler names, and run it."""
    task = router.get_task(job_type)
    fetched = {name: value for name, value in variables.items() if name in task.config.variables_to_fetch}
    result: dict[str, Any] = await task.original_function(**fetched)
    return result


@pytest.fixture
def router(deadlines: Deadlines) -> ZeebeTaskRouter:
    return deadlines_router(deadlines)


def deadlines_router(rules: Deadlines) -> ZeebeTaskRouter:
    return create_router(rules, OPTIONS, clock=lambda: NOW)


async def test_compute_deadline_hands_the_timer_an_iso_date_time_with_offset(router: ZeebeTaskRouter) -> None:
    variables = await call(
        router,
        JobType.COMPUTE_DEADLINE,
        channel="hotline-ticket",
        category="投诉",
        dispatchedAt="2025-09-30T02:00:00+00:00",
        title="unrelated",
    )
    assert variables == {
        "dueAt": "2025-11-05T00:00:00+08:00",
        "remindAt": "2025-11-04T08:30:00+08:00",
        "limitWorkingDays": 20,
    }


async def test_compute_deadline_fetches_only_what_it_needs(router: ZeebeTaskRouter) -> None:
    task = router.get_task(JobType.COMPUTE_DEADLINE)
    assert sorted(task.config.variables_to_fetch) == ["category", "channel", "dispatchedAt"]


@pytest.mark.parametrize(
    ("channel", "category", "limit"),
    [
        ("forum-post", "首次回应", {"limitWorkingHours": 3}),
        ("deputy-suggestion", "交办会", {"limitMonths": 3}),
    ],
)
async def test_the_limit_variable_names_its_unit(
    router: ZeebeTaskRouter, channel: str, category: str, limit: dict[str, int]
) -> None:
    variables = await call(
        router, JobType.COMPUTE_DEADLINE, channel=channel, category=category, dispatchedAt="2025-03-07T16:30"
    )
    assert limit.items() <= variables.items()
    assert {"dueAt", "remindAt"} | limit.keys() == variables.keys()


async def test_an_uncovered_year_fails_the_job_naming_the_year(router: ZeebeTaskRouter) -> None:
    # pyzeebe turns the exception into FailJob with its message, and the engine's incident shows it.
    with pytest.raises(UncoveredYearError, match="does not cover 2027"):
        await call(
            router,
            JobType.COMPUTE_DEADLINE,
            channel="hotline-ticket",
            category="咨询",
            dispatchedAt="2027-01-04T10:00:00+08:00",
        )


async def test_decide_extension_allows_a_timely_request(router: ZeebeTaskRouter) -> None:
    variables = await call(
        router,
        JobType.DECIDE_EXTENSION,
        channel="hotline-ticket",
        category="投诉",
        dueAt="2025-11-05T00:00:00+08:00",
        extensionRequestedAt="2025-10-31T16:00:00+08:00",
    )
    assert variables == {
        "extensionAllowed": True,
        "newDueAt": "2025-12-03T00:00:00+08:00",
        "newRemindAt": "2025-12-02T08:30:00+08:00",
        "extensionRefusalReason": None,
    }


async def test_decide_extension_refuses_a_late_request_with_a_reason(router: ZeebeTaskRouter) -> None:
    variables = await call(
        router,
        JobType.DECIDE_EXTENSION,
        channel="hotline-ticket",
        category="投诉",
        dueAt="2025-11-05T00:00:00+08:00",
        extensionRequestedAt="2025-11-03T09:00:00+08:00",
    )
    assert (variables["extensionAllowed"], variables["newDueAt"], variables["newRemindAt"]) == (
        False,
        None,
        None,
    )
    assert "2025-10-31" in variables["extensionRefusalReason"]


async def test_decide_extension_without_a_request_time_takes_the_workers_clock(
    router: ZeebeTaskRouter,
) -> None:
    # NOW is 09:00 on Monday 20 October 2025 in Shanghai, well before the last day (31 October).
    variables = await call(
        router,
        JobType.DECIDE_EXTENSION,
        channel="hotline-ticket",
        category="投诉",
        dueAt="2025-11-05T00:00:00+08:00",
    )
    assert variables["extensionAllowed"] is True


@pytest.mark.parametrize(
    ("config_dir", "due_at"), [(SHIPPED_CONFIG, "2025-10-11"), (COUNTY_CONFIG, "2025-10-15")]
)
async def test_the_config_dir_selects_the_jurisdiction(config_dir: Path, due_at: str) -> None:
    # As workers/app.py builds the router from MINSHENG_CONFIG_DIR.
    router = deadlines_router(load_deadlines(Settings(config_dir=config_dir).config_dir))
    variables = await call(
        router,
        JobType.COMPUTE_DEADLINE,
        channel="hotline-ticket",
        category="咨询",
        dispatchedAt="2025-09-30T10:00:00+08:00",
    )
    assert variables["dueAt"] == f"{due_at}T00:00:00+08:00"
