"""The handlers as the worker registers them, called directly: the job type, the variables they
fetch, and the variables they return. Process tests drive the same routers through an engine."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pyzeebe import ZeebeTaskRouter

from workers import classification, dispatch
from workers.classification_policy import ClassificationPolicy
from workers.ids import JobType
from workers.knowledge.search import KnowledgeSearch
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate
from workers.policy import HotlinePolicy
from workers.services.repeats import InMemoryOpenCases, OpenCase
from workers.settings import Settings

OPTIONS = Settings().task_options()
DISPATCH_TIME = datetime(2025, 3, 3, 1, 30, tzinfo=UTC)


async def call(router: ZeebeTaskRouter, job_type: str, **variables: Any) -> dict[str, Any]:
    task = router.get_task(job_type)
    fetched = {name: value for name, value in variables.items() if name in task.config.variables_to_fetch}
    result: dict[str, Any] = await task.original_function(**fetched)
    return result


@pytest.fixture
def open_cases() -> InMemoryOpenCases:
    return InMemoryOpenCases()


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeSearch]:
    """An empty knowledge base: the proposals' own tests are tests/integration's."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ledger') / 'ledger.db'}"
    migrate(url)
    engine = open_engine(url)
    yield KnowledgeSearch(engine, KnowledgeSegmenter())
    engine.dispose()


@pytest.fixture
def classification_router(
    policy: HotlinePolicy,
    classification_rules: ClassificationPolicy,
    open_cases: InMemoryOpenCases,
    knowledge: KnowledgeSearch,
) -> ZeebeTaskRouter:
    return classification.create_router(
        policy, classification_rules, OPTIONS, open_cases, knowledge, clock=lambda: DISPATCH_TIME
    )


@pytest.fixture
def dispatch_router() -> ZeebeTaskRouter:
    return dispatch.create_router(OPTIONS, clock=lambda: DISPATCH_TIME)


async def test_classify_ticket_returns_the_classification(classification_router: ZeebeTaskRouter) -> None:
    variables = await call(
        classification_router,
        JobType.CLASSIFY_TICKET,
        title="噪音扰民",
        content="楼下KTV每晚营业到凌晨，多次反映无人处理，特此投诉",
        channel="hotline",
        appellant={"name": "张三", "phone": "13800001234"},
        caller="unrelated",
    )
    assert variables == {
        "category": "投诉",
        "categoryConfidence": variables["categoryConfidence"],
        "needsManualClassification": False,
        "limitWorkingDays": 20,
        "accepted": True,
        "notAcceptedReason": None,
        "notAcceptedNotice": None,
        "leadUnit": "环保局",
        "coUnits": [],
        "needsLeaderInstruction": False,
        "repeatOf": None,
        "knowledgeProposals": [],
        "knowledgeOptions": [],
    }
    assert variables["categoryConfidence"] > 0.5


async def test_classify_ticket_fetches_the_appeal_only(classification_router: ZeebeTaskRouter) -> None:
    task = classification_router.get_task(JobType.CLASSIFY_TICKET)
    assert sorted(task.config.variables_to_fetch) == [
        "appellant",
        "caseNumber",
        "channel",
        "content",
        "title",
    ]
    assert task.config.max_running_jobs >= 2 * task.config.max_jobs_to_activate


async def test_classify_ticket_accepts_missing_and_null_text(classification_router: ZeebeTaskRouter) -> None:
    variables = await call(classification_router, JobType.CLASSIFY_TICKET, title=None)
    assert variables["category"] == "其他"
    assert variables["needsManualClassification"] is True
    assert (variables["accepted"], variables["notAcceptedReason"]) == (False, "no_substance")


async def test_classify_ticket_refuses_with_a_notice_and_flags_for_a_leader(
    classification_router: ZeebeTaskRouter,
) -> None:
    refused = await call(
        classification_router, JobType.CLASSIFY_TICKET, content="该信访事项已经作出信访终结，我仍要求重新处理"
    )
    assert (refused["accepted"], refused["notAcceptedReason"]) == (False, "petition_concluded")
    assert refused["notAcceptedNotice"]
    urgent = await call(classification_router, JobType.CLASSIFY_TICKET, content="五号楼燃气泄漏，味道很浓")
    assert urgent["needsLeaderInstruction"] is True


async def test_classify_ticket_links_a_repeat_to_the_open_case(
    classification_router: ZeebeTaskRouter, open_cases: InMemoryOpenCases
) -> None:
    open_cases.add(
        OpenCase(
            case_id="RX2025-000017",
            received_at=DISPATCH_TIME - timedelta(days=2),
            phone="13800001234",
            text="兴盛小区3号楼单元门禁坏了两个月，楼道灯也不亮，物业不修",
        )
    )
    variables = await call(
        classification_router,
        JobType.CLASSIFY_TICKET,
        content="兴盛小区3号楼门禁和楼道灯还是没人修",
        appellant="13800001234",
    )
    assert variables["repeatOf"] == "RX2025-000017"


async def test_dispatch_ticket_records_the_unit_and_the_time(dispatch_router: ZeebeTaskRouter) -> None:
    variables = await call(dispatch_router, JobType.DISPATCH_TICKET, leadUnit="环保局")
    assert variables == {"dispatchedTo": "环保局", "dispatchedAt": "2025-03-03T01:30:00+00:00"}
