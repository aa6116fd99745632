"""The ledger is where the classification finds open cases that a new appeal repeats."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ledger_support import open_test_ledger

from workers.ledger import events
from workers.ledger.events import AppellantDetails, CaseRegistration
from workers.ledger.service import Ledger
from workers.services.appeal import Appeal, AppealClassifier

NOW = datetime(2025, 3, 3, 1, 30, tzinfo=UTC)
CONTENT = "小区东门的路灯已经坏了两个星期，晚上一片漆黑，老人出门很危险，希望尽快维修"


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    ledger = open_test_ledger(f"sqlite:///{tmp_path / 'ledger.db'}", clock=lambda: NOW)
    yield ledger
    ledger.close()


def register(ledger: Ledger, job_key: int, content: str, phone: str) -> str:
    appellant = AppellantDetails(name="李四", phone=phone, address="福州市鼓楼区东街1号")
    return ledger.register(
        job_key,
        CaseRegistration.model_validate(
            {"channel": "hotline-ticket", "appellant": appellant, "title": "路灯不亮", "content": content}
        ),
    )


def test_open_cases_come_with_their_phone_and_text_and_archived_ones_do_not(ledger: Ledger) -> None:
    kept = register(ledger, 1, CONTENT, "13900001111")
    archived = register(ledger, 2, "楼下餐馆油烟很大", "13900002222")
    ledger.record(3, events.Archive(kind="archive", case_number=archived))
    (case,) = ledger.received_since(NOW - timedelta(days=1))
    assert case.case_id == kept and case.phone == "13900001111" and CONTENT in case.text


def test_a_retold_appeal_is_found_to_repeat_the_open_case(
    ledger: Ledger, classifier: AppealClassifier
) -> None:
    first = register(ledger, 1, CONTENT, "13900001111")
    retold = Appeal(
        title="路灯坏了",
        content="小区东门路灯坏了两个星期还没人修，晚上漆黑一片，老人出门危险，请尽快维修",
        received_at=NOW + timedelta(days=3),
        phone="13900001111",
    )
    assert classifier.classify(retold, ledger).repeat_of == first
