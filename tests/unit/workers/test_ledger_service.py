"""The ledger's service on SQLite: numbering, every kind of event, idempotency per job, views."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ledger_support import open_test_ledger
from sqlalchemy import func, select

from workers.ledger import events, models
from workers.ledger.events import AppellantDetails, CaseRegistration, InboxPost
from workers.ledger.masking import Viewer
from workers.ledger.service import Ledger, ReceiptConflict, UnknownCase, UnknownChannel

NOW = datetime(2025, 3, 3, 1, 30, tzinfo=UTC)
DUE = datetime(2025, 3, 31, 16, 0, tzinfo=UTC)
UNIT = Viewer("handling-unit", unit="环保局")
CENTRE = Viewer("hotline-centre")


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    ledger = open_test_ledger(f"sqlite:///{tmp_path / 'ledger.db'}", clock=lambda: NOW)
    yield ledger
    ledger.close()


def registration(channel: str = "hotline-ticket", **fields: object) -> CaseRegistration:
    appellant = AppellantDetails(name="张三", phone="13812345678", address="北京市朝阳区建国路88号")
    given = {"channel": channel, "appellant": appellant, "title": "噪音扰民", "content": "楼下KTV", **fields}
    return CaseRegistration.model_validate(given)


def count(ledger: Ledger, model: type[models.Base]) -> int:
    with ledger._engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model)) or 0)


def test_case_numbers_run_per_channel_prefix_and_year(ledger: Ledger) -> None:
    assert ledger.register(1, registration()) == "RX2025-000001"
    assert ledger.register(2, registration()) == "RX2025-000002"
    assert ledger.register(3, registration("online-message")) == "WL2025-000001"
    # 16:00 UTC on New Year's Eve is midnight in Asia/Shanghai, where the year is counted.
    new_year = datetime(2024, 12, 31, 16, 0, tzinfo=UTC)
    assert ledger.register(4, registration(received_at=new_year)) == "RX2025-000003"
    assert ledger.register(5, registration(received_at=new_year - timedelta(seconds=1))) == "RX2024-000001"


def test_an_unknown_channel_is_refused_by_name(ledger: Ledger) -> None:
    with pytest.raises(UnknownChannel, match=r"'periodic-report' in case_numbers\.prefixes"):
        ledger.register(1, registration("periodic-report"))


def test_a_new_case_is_received_now_with_its_first_transition(ledger: Ledger) -> None:
    number = ledger.register(1, registration(), process_instance_key=42)
    case = ledger.view_case(number, CENTRE)
    assert (case.received_at, case.status, case.process_instance_key) == (NOW, "received", 42)
    assert [(entry.kind, entry.fields["to_status"]) for entry in case.history] == [("transition", "received")]


def test_the_same_job_registers_once_and_gets_the_same_number(ledger: Ledger) -> None:
    first = ledger.register(7, registration())
    assert ledger.register(7, registration()) == first
    assert count(ledger, models.Case) == 1
    assert count(ledger, models.JobReceipt) == 1


def test_a_job_key_seen_with_other_variables_is_a_conflict_not_a_redelivery(ledger: Ledger) -> None:
    ledger.register(7, registration())
    with pytest.raises(ReceiptConflict, match="job 7 already recorded a register with other variables"):
        ledger.register(7, registration(title="另一件事"))


def test_every_event_is_recorded_once_per_job(ledger: Ledger) -> None:
    number = ledger.register(1, registration())
    recorded = [
        events.Details(
            kind="details", case_number=number, category="投诉", lead_unit="环保局", co_units=("民政局",)
        ),
        events.Transition(kind="transition", case_number=number, status="dispatched", actor="hotline-centre"),
        events.Deadline(kind="deadline", case_number=number, due_at=DUE),
        events.Reminder(kind="reminder", case_number=number),
        events.Return(kind="return", case_number=number, reason="不属于本单位职责"),
        events.Extension(
            kind="extension",
            case_number=number,
            reason="需现场勘验",
            signer="王局长",
            decision="approved",
            new_due_at=DUE + timedelta(days=5),
        ),
        events.Escalation(kind="escalation", case_number=number, reason="催办两次无回应"),
        events.Reply(kind="reply", case_number=number, text="已处理", signer="王局长", grade="A"),
        events.Satisfaction(kind="satisfaction", case_number=number, result="满意"),
        events.Archive(kind="archive", case_number=number),
    ]
    for job_key, event in enumerate(recorded, start=100):
        first = ledger.record(job_key, event)
        assert ledger.record(job_key, event) == first
    case = ledger.view_case(number, UNIT)
    assert (case.category, case.lead_unit, case.co_units) == ("投诉", "环保局", ("民政局",))
    assert (case.status, case.due_at, case.archived_at) == ("dispatched", DUE + timedelta(days=5), NOW)
    assert [entry.kind for entry in case.history] == [
        "transition",
        "transition",
        "deadline",
        "deadline",
        "reminder",
        "return",
        "extension",
        "escalation",
        "reply",
        "satisfaction",
    ]
    history = {entry.kind: entry.fields for entry in case.history}
    assert history["transition"] == {
        "from_status": "received",
        "to_status": "dispatched",
        "actor": "hotline-centre",
        "note": None,
    }
    assert history["reminder"]["unit"] == "环保局"
    assert history["deadline"]["previous_due_at"] == DUE
    assert history["reply"]["grade"] == "A"


def test_reminders_are_counted_for_the_escalation_rule(ledger: Ledger) -> None:
    number = ledger.register(1, registration())
    reminder = events.Reminder(kind="reminder", case_number=number)
    assert ledger.record(10, reminder) == {"reminderCount": 1}
    assert ledger.record(11, reminder) == {"reminderCount": 2}
    assert ledger.record(10, reminder) == {"reminderCount": 1}, "a redelivery returns its first outcome"


def test_details_change_only_the_fields_given(ledger: Ledger) -> None:
    number = ledger.register(1, registration(location="朝阳区"))
    ledger.record(10, events.Details(kind="details", case_number=number, category="投诉"))
    ledger.record(
        11, events.Details(kind="details", case_number=number, accepted=False, acceptance_reason="已诉讼")
    )
    case = ledger.view_case(number, CENTRE)
    assert (case.category, case.accepted, case.acceptance_reason, case.location) == (
        "投诉",
        False,
        "已诉讼",
        "朝阳区",
    )


def test_an_event_for_an_unknown_case_is_refused(ledger: Ledger) -> None:
    with pytest.raises(UnknownCase, match="no case RX2025-999999"):
        ledger.record(1, events.Archive(kind="archive", case_number="RX2025-999999"))
    assert count(ledger, models.JobReceipt) == 0


def test_views_mask_the_appellant_by_role(ledger: Ledger) -> None:
    number = ledger.register(1, registration())
    assert ledger.view_case(number, CENTRE).appellant.name == "张三"
    masked = ledger.view_case(number, UNIT).appellant
    assert (masked.name, masked.phone, masked.address) == ("张**", "138****5678", "北京市朝阳区****")


def test_the_inbox_shows_a_message_to_whoever_matches_every_recipient_given(ledger: Ledger) -> None:
    number = ledger.register(1, registration())
    for_unit = ledger.post_message(
        10, InboxPost(recipient_unit="环保局", case_number=number, subject="新工单", body="请签收")
    )
    assert (
        ledger.post_message(
            10, InboxPost(recipient_unit="环保局", case_number=number, subject="新工单", body="请签收")
        )
        == for_unit
    )
    ledger.post_message(11, InboxPost(recipient_role="supervision", subject="督办", body="逾期"))
    ledger.post_message(
        12, InboxPost(recipient_role="handling-unit", recipient_unit="民政局", subject="别家", body="")
    )
    [message] = ledger.inbox(UNIT)
    assert (message.id, message.case_number, message.subject, message.read) == (
        for_unit,
        number,
        "新工单",
        False,
    )
    ledger.mark_read(for_unit)
    assert ledger.inbox(UNIT)[0].read
    assert [message.subject for message in ledger.inbox(Viewer("supervision"))] == ["督办"]


def test_an_activity_is_recorded_with_its_figures_once_per_job(ledger: Ledger) -> None:
    number = ledger.register(1, registration(channel="meeting-attendance"))
    headers = {"ledgerEvent": "activity", "activity": "attendees-selected", "label": "确定列席人员"}
    figures = {"selected": 4, "onTime": True}
    variables = {"caseNumber": number, "unit": "市政府办公室", "activityData": figures}
    event = events.ledger_event(headers, variables)
    first = ledger.record(20, event)
    assert ledger.record(20, event) == first
    [entry] = [entry for entry in ledger.view_case(number, CENTRE).history if entry.kind == "activity"]
    assert entry.fields == {
        "activity": "attendees-selected",
        "label": "确定列席人员",
        "unit": "市政府办公室",
        "actor": None,
        "data": figures,
        "occurredAt": NOW,
    }, "an activity without occurredAt happened when it was recorded"
    assert count(ledger, models.Activity) == 1


def test_an_activity_keeps_when_it_happened_and_needs_a_kebab_case_name(ledger: Ledger) -> None:
    number = ledger.register(1, registration(channel="radio-hotline"))
    aired = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    headers = {"ledgerEvent": "activity", "activity": "broadcast-held", "label": "上线直播"}
    headers["actor"] = "李局长"
    ledger.record(21, events.ledger_event(headers, {"caseNumber": number, "occurredAt": aired.isoformat()}))
    [entry] = [entry for entry in ledger.view_case(number, CENTRE).history if entry.kind == "activity"]
    assert (entry.fields["occurredAt"], entry.fields["actor"], entry.fields["data"]) == (aired, "李局长", {})
    with pytest.raises(events.LedgerInputError, match="activity"):
        events.ledger_event({**headers, "activity": "Broadcast held"}, {"caseNumber": number})
