"""The handlers as the worker registers them, called directly: the job type, the variables they
fetch, and the variables they return. Process tests drive the same routers through an engine."""

from datetime import UTC, datetime
from typing import Any

import pytest
from pyzeebe import ZeebeTaskRouter

from workers import classification, dispatch
from workers.ids import JobType
from workers.policy import HotlinePolicy
from workers.settings import Settings

OPTIONS = Settings().task_options()
DISPATCH_TIME = datetime(2025, 3, 3, 1, 30, tzinfo=UTC)


async def call(router: ZeebeTaskRouter, job_type: str, **variables: Any) -> dict[str, Any]:
    task = router.get_task(job_type)
    fetched = {name: value for name, value in variables.items() if name in task.config.variables_to_fetch}
    result: dict[str, Any] = await task.original_function(**fetched)
    return result


@pytest.fixture
def classification_router(policy: HotlinePolicy) -> ZeebeTaskRouter:
    return classification.create_router(policy, OPTIONS)


@pytest.fixture
def dispatch_router(policy: HotlinePolicy) -> ZeebeTaskRouter:
    return dispatch.create_router(policy, OPTIONS, clock=lambda: DISPATCH_TIME)


async def test_classify_ticket_returns_category_confidence_and_limit(
    classification_router: ZeebeTaskRouter,
) -> None:
    variables = await call(
        classification_router,
        JobType.CLASSIFY_TICKET,
        title="噪音扰民",
        content="楼下KTV每晚营业到凌晨，多次反映无人处理，特此投诉",
        caller="unrelated",
    )
    assert variables == {"category": "投诉", "categoryConfidence": 1.0, "limitWorkingDays": 20}


async def test_classify_ticket_fetches_only_title_and_content(classification_router: ZeebeTaskRouter) -> None:
    task = classification_router.get_task(JobType.CLASSIFY_TICKET)
    assert sorted(task.config.variables_to_fetch) == ["content", "title"]
    assert task.config.max_running_jobs >= 2 * task.config.max_jobs_to_activate


async def test_classify_ticket_accepts_missing_and_null_text(classification_router: ZeebeTaskRouter) -> None:
    variables = await call(classification_router, JobType.CLASSIFY_TICKET, title=None)
    assert variables["category"] == "其他"


async def test_dispatch_ticket_names_the_lead_unit_and_the_time(dispatch_router: ZeebeTaskRouter) -> None:
    variables = await call(
        dispatch_router, JobType.DISPATCH_TICKET, title="欠薪", content="工地老板拖欠农民工工资两个月"
    )
    assert variables == {"leadUnit": "人力资源社会保障局", "dispatchedAt": "2025-03-03T01:30:00+00:00"}


async def test_dispatch_ticket_without_a_topic_goes_to_the_default_unit(
    dispatch_router: ZeebeTaskRouter, policy: HotlinePolicy
) -> None:
    variables = await call(dispatch_router, JobType.DISPATCH_TICKET, content="请问图书馆周一开门吗")
    assert variables["leadUnit"] == policy.routing.default_unit
