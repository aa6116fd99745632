"""The ledger's handlers as the worker registers them: job types, fetched variables, headers."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_support import open_test_ledger
from pyzeebe import ZeebeTaskRouter
from worker_support import call_with_job as call

from workers import ledger_tasks
from workers.ids import JobType, TaskHeader
from workers.ledger.events import LedgerInputError
from workers.ledger.masking import Viewer
from workers.ledger.service import Ledger
from workers.settings import Settings

APPELLANT = {"name": "张三", "phone": "13812345678", "address": "北京市朝阳区建国路88号"}


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    ledger = open_test_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    yield ledger
    ledger.close()


@pytest.fixture
def router(ledger: Ledger) -> ZeebeTaskRouter:
    return ledger_tasks.create_router(ledger, Settings().task_options())


async def test_register_takes_the_channel_from_the_process_id(
    router: ZeebeTaskRouter, ledger: Ledger
) -> None:
    result = await call(
        router, 1, JobType.LEDGER_REGISTER, {}, appellant=APPELLANT, content="噪音", unrelated=1
    )
    case = ledger.view_case(result["caseNumber"], Viewer("hotline-centre"))
    assert (case.channel, case.process_instance_key, case.appellant.name) == ("hotline-ticket", 9001, "张三")


async def test_each_handler_fetches_only_the_variables_it_reads(router: ZeebeTaskRouter) -> None:
    register = router.get_task(JobType.LEDGER_REGISTER).config.variables_to_fetch
    assert sorted(register) == ["appellant", "channel", "content", "location", "receivedAt", "title"]
    record = router.get_task(JobType.LEDGER_RECORD).config.variables_to_fetch
    assert {"caseNumber", "status", "dueAt", "reason", "newDueAt", "grade"} <= set(record)
    assert "kind" not in record and "appellant" not in record


async def test_record_takes_the_event_from_the_header_and_headers_win(
    router: ZeebeTaskRouter, ledger: Ledger
) -> None:
    number = (await call(router, 1, JobType.LEDGER_REGISTER, {}, content="噪音"))["caseNumber"]
    headers = {TaskHeader.LEDGER_EVENT: "transition", "status": "dispatched", "actor": "hotline-centre"}
    assert await call(router, 2, JobType.LEDGER_RECORD, headers, caseNumber=number, status="stale") == {}
    assert ledger.view_case(number, Viewer("supervision")).status == "dispatched"


async def test_record_refuses_an_unknown_event_or_header(router: ZeebeTaskRouter) -> None:
    with pytest.raises(LedgerInputError, match=f"task header {TaskHeader.LEDGER_EVENT}: .*'closing'"):
        await call(
            router, 1, JobType.LEDGER_RECORD, {TaskHeader.LEDGER_EVENT: "closing"}, caseNumber="RX2025-000001"
        )
    headers = {TaskHeader.LEDGER_EVENT: "transition", "status": "x", "stauts": "y"}
    with pytest.raises(LedgerInputError, match="task headers that a transition event does not use: stauts"):
        await call(router, 1, JobType.LEDGER_RECORD, headers, caseNumber="RX2025-000001")


async def test_invalid_variables_are_named_without_their_values(router: ZeebeTaskRouter) -> None:
    appellant = {**APPELLANT, "phone": 13812345678}
    with pytest.raises(LedgerInputError) as error:
        await call(router, 1, JobType.LEDGER_REGISTER, {}, appellant=appellant)
    assert str(error.value) == "appellant.phone: Input should be a valid string"
