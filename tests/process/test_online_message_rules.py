"""online-message (省长热线、网上留言、市长信箱): one scenario per rule of domain.md's online-message
section, on the real workers.

Each scenario moves the engine's clock (which is the workers' clock) instead of sleeping, and checks
the end state, the dates and what the ledger (台账) recorded and posted to the inboxes. Dates are
2026's: National Day 2026-10-01..10-07 is a holiday and Saturday 2026-10-10 a make-up working day
(国务院办公厅 2026 schedule, as chinesecalendar has it).
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from typing import Any

import pytest
from pyzeebe import ZeebeClient
from scenario import (
    CENTRE,
    LEADERS,
    REPOSITORY,
    SUPERVISION,
    Steps,
    after,
    case_of,
    configured_chain,
    dispatch_notices,
    history,
    instant,
    local,
    move_to,
    statuses,
    subjects,
    unit,
)

from engine.testing.handle import EngineHandle
from workers.ids import OnlineMessage, ProcessId, ReviewChain, UnitHandling
from workers.ledger.service import InboxView, Ledger

HOUSING = "住房城乡建设委"

ROAD = {
    "source": "网上留言",
    "fromAbove": False,
    "title": "小区门口道路破损",
    "content": "幸福路小区门口的道路路面破损严重，坑洼积水，行人车辆通行困难，请尽快维修。",
    "appellant": {"name": "张三", "phone": "13800001111", "address": "铁东区幸福路8号"},
}
REPAIRED = "经现场核查，该路段已列入维修计划，将于10月20日前修复。"


# ------------------------------------------------------------------------------------------ helpers


async def receive(
    engine: EngineHandle,
    client: ZeebeClient,
    message: dict[str, Any] = ROAD,
    at: str = "2026-09-30 09:00",
    waits_at: str = OnlineMessage.HANDLING_OPINION,
) -> int:
    """The centre downloads `message` at `at` (Wednesday 30 September 2026 by default)."""
    move_to(engine, local(at))
    started = await client.run_process(
        ProcessId.ONLINE_MESSAGE, {**message, "receivedAt": local(at).isoformat()}
    )
    await engine.user_task_at(started.process_instance_key, waits_at)
    return started.process_instance_key


async def give_opinion(engine: EngineHandle, key: int, **changes: Any) -> None:
    """The centre's handling opinion (拟办意见): a simple, general item for the housing commission."""
    form = {
        "category": "求助",
        "limitKey": "简单件",
        "leadUnit": HOUSING,
        "coUnits": [],
        "sensitivity": "general",
        "opinionNote": "请住房城乡建设委核实并维修。",
        **changes,
    }
    await engine.complete_user_task(key, OnlineMessage.HANDLING_OPINION, form)


async def sign_for(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key,
        UnitHandling.SIGN_FOR,
        {"signAction": "accept", "readingLeader": "王主任", "readingOpinion": "请市政处现场核查维修"},
    )


async def unit_replies(engine: EngineHandle, key: int, signer: str = "王主任") -> None:
    await engine.complete_user_task(
        key,
        UnitHandling.HANDLING_REPLY,
        {
            "handlingAction": "reply",
            "replyText": REPAIRED,
            "replySigner": signer,
            "signatureManner": "handwritten",
        },
    )
    await engine.user_task_at(key, OnlineMessage.REPLY_DRAFT)


async def to_reply_draft(engine: EngineHandle, client: ZeebeClient, message: dict[str, Any] = ROAD) -> int:
    key = await receive(engine, client, message)
    await give_opinion(engine, key)
    await sign_for(engine, key)
    await unit_replies(engine, key)
    return key


async def draft_and_sign_off(
    engine: EngineHandle, key: int, publish: bool | None = True
) -> list[tuple[str, ...]]:
    draft: dict[str, Any] = {"draftText": f"您好，{REPAIRED}感谢您对我市工作的关心。"}
    if publish is not None:
        draft["publish"] = publish
    await engine.complete_user_task(key, OnlineMessage.REPLY_DRAFT, draft)
    reviews = Steps(engine, key)
    return [await reviews.complete(reviewDecision="approved", reviewOpinion="同意") for _ in range(4)]


async def call_back(engine: EngineHandle, key: int, satisfaction: str = "satisfied") -> None:
    await engine.complete_user_task(
        key, OnlineMessage.CALLBACK, {"satisfaction": satisfaction, "callbackNote": "留言人确认已修复"}
    )


# ------------------------------------------------------------------------------------------- rules


@pytest.mark.usefixtures("workers")
async def test_a_message_is_collected_with_its_source_registered_in_the_ledger_and_classified(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive(engine, client)
    view = engine.instance(key)
    assert view.passed[:5] == [
        OnlineMessage.MESSAGE_RECEIVED,
        OnlineMessage.CLASSIFY_MESSAGE,
        OnlineMessage.REGISTER_CASE,
        OnlineMessage.RECORD_CLASSIFICATION,
        OnlineMessage.ACCEPTED_GATEWAY,
    ]
    variables = view.variables
    assert variables["channel"] == ProcessId.ONLINE_MESSAGE
    assert variables["source"] == "网上留言" and variables["fromAbove"] is False
    assert variables["caseNumber"].startswith("WL2026-"), "online messages are numbered WL<year>-"
    assert variables["accepted"] is True and variables["repeatOf"] is None
    assert variables["category"] in {"咨询", "建议", "投诉", "求助", "其他"}
    case = case_of(workers, engine, key, CENTRE)
    assert case.channel == ProcessId.ONLINE_MESSAGE
    assert case.received_at == local("2026-09-30 09:00")
    assert case.title == ROAD["title"] and case.appellant.name == "张三"
    assert case.category == variables["category"] and case.accepted is True
    assert case.lead_unit == HOUSING, "the classifier's proposal until the centre's opinion"
    task = await engine.user_task_at(key, OnlineMessage.HANDLING_OPINION)
    assert task.candidate_groups == ("hotline-centre",)


@pytest.mark.usefixtures("workers")
@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (
            {"title": "招商加盟", "content": "本公司诚招加盟代理商，价格优惠，欢迎来电洽谈合作事宜"},
            "commercial",
        ),
        (
            {
                "title": "工资被拖欠",
                "content": "公司拖欠我三个月工资，我已经申请了劳动仲裁，仲裁委已经受理，希望政府督促",
            },
            "legal_proceedings",
        ),
    ],
    ids=["advertisement", "in-arbitration"],
)
async def test_a_message_outside_the_acceptance_scope_is_not_accepted_and_the_appellant_is_told_why(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, message: dict[str, Any], reason: str
) -> None:
    appellant = {"name": "李四", "phone": "13800002222"}
    key = await receive(
        engine,
        client,
        {**message, "source": "网上留言", "appellant": appellant},
        waits_at=OnlineMessage.ACCEPTANCE_REVIEW,
    )
    variables = engine.instance(key).variables
    assert variables["accepted"] is False and variables["notAcceptedReason"] == reason
    notice = variables["notAcceptedNotice"]
    await engine.complete_user_task(
        key,
        OnlineMessage.ACCEPTANCE_REVIEW,
        {"acceptanceDecision": "not-accepted", "notAcceptedReason": reason, "notAcceptedNotice": notice},
    )
    view = await engine.is_completed(key)
    assert OnlineMessage.NOT_ACCEPTED in view.passed
    assert OnlineMessage.HANDLING_OPINION not in view.passed and OnlineMessage.DISPATCH not in view.passed
    case = case_of(workers, engine, key, CENTRE)
    assert case.status == "not-accepted" and case.accepted is False
    assert case.acceptance_reason == reason
    assert history(case, "transition")[-1]["note"] == notice
    told = [m for m in workers.inbox(CENTRE) if m.case_number == case.case_number]
    assert len(told) == 1 and "不予受理告知" in told[0].subject and notice in told[0].body


@pytest.mark.usefixtures("workers")
async def test_the_centre_may_accept_a_message_the_screening_refused(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    message = {
        "title": "招商引资政策",
        "content": "请问我市对外来企业招商引资有哪些优惠政策，到哪个部门咨询？",
    }
    key = await receive(
        engine, client, {**message, "source": "市长信箱"}, waits_at=OnlineMessage.ACCEPTANCE_REVIEW
    )
    await engine.complete_user_task(key, OnlineMessage.ACCEPTANCE_REVIEW, {"acceptanceDecision": "accepted"})
    await engine.user_task_at(key, OnlineMessage.HANDLING_OPINION)
    await give_opinion(engine, key, category="咨询", limitKey="信箱-咨询建议")
    await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    case = case_of(workers, engine, key, CENTRE)
    assert case.accepted is True and case.acceptance_reason is None
    assert "not-accepted" not in statuses(case)


@pytest.mark.usefixtures("workers")
async def test_the_category_is_one_of_five_and_the_centre_confirms_or_corrects_it(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    form = json.loads((REPOSITORY / "forms" / "handling-opinion.form").read_text(encoding="utf-8"))
    (category,) = [c for c in form["components"] if c.get("key") == "category"]
    five = ["咨询", "建议", "投诉", "求助", "其他"]
    assert [value["value"] for value in category["values"]] == five, "[seed 001 第四条㈡]"
    with (REPOSITORY / "config" / "deadlines.toml").open("rb") as file:
        assert set(five) <= set(tomllib.load(file)["limits"]["online-message"])

    key = await receive(engine, client)
    classified = engine.instance(key).variables["category"]
    corrected = "建议" if classified != "建议" else "投诉"
    await give_opinion(engine, key, category=corrected)
    await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    case = case_of(workers, engine, key, CENTRE)
    assert case.category == corrected, "the ledger keeps the centre's category, not the classifier's"
    assert engine.instance(key).variables["category"] == corrected


@pytest.mark.usefixtures("workers")
async def test_the_handling_opinion_is_due_the_same_working_day_and_the_centre_is_reminded_when_late(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive(engine, client, at="2026-09-30 09:00")
    task = await engine.user_task_at(key, OnlineMessage.HANDLING_OPINION)
    assert engine.instance(key).variables["opinionDueAt"] == "2026-10-01T00:00:00+08:00"
    assert instant(task.due_date) == instant("2026-10-01T00:00:00+08:00"), "the same working day, until 24:00"

    await after(engine, local("2026-09-30 23:59"))
    assert OnlineMessage.RECORD_OPINION_REMINDER not in engine.instance(key).passed
    number = case_of(workers, engine, key, CENTRE).case_number

    def late_notices() -> list[InboxView]:
        return [m for m in workers.inbox(CENTRE) if m.case_number == number and "拟办超时" in m.subject]

    assert not late_notices(), "the centre was told of a late opinion before 24:00"
    await after(engine, local("2026-10-01 00:01"))
    await engine.has_passed(key, OnlineMessage.NOTIFY_OPINION_REMINDER)
    case = case_of(workers, engine, key, CENTRE)
    (reminder,) = history(case, "reminder")
    assert reminder["unit"] == "12345热线服务中心" and reminder["note"] == "受理当日未提出拟办意见"
    # The centre hears it, not only the ledger: no unit has the message yet.
    told = late_notices()
    assert len(told) == 1, f"the centre's inbox holds {subjects(workers, CENTRE)}, not one 拟办超时 notice"
    assert case.case_number in told[0].subject and f"“{ROAD['title']}”" in told[0].body, told[0].body
    (body,) = [message.body for message in told]
    assert "于2026年9月30日 09:00受理" in body and "拟办时限（2026年9月30日 24:00）" in body, (
        f"the notice does not say when the message was accepted and that the day has passed:\n{body}"
    )
    # The reminder does not take the task away: the centre still gives its opinion.
    assert (await engine.user_task_at(key, OnlineMessage.HANDLING_OPINION)).key == task.key
    await give_opinion(engine, key)
    await engine.user_task_at(key, UnitHandling.SIGN_FOR)


@pytest.mark.usefixtures("workers")
async def test_a_message_received_on_a_holiday_is_due_for_its_opinion_on_the_next_working_day(
    engine: EngineHandle, client: ZeebeClient
) -> None:
    key = await receive(engine, client, at="2026-10-03 10:00")
    assert engine.instance(key).variables["opinionDueAt"] == "2026-10-09T00:00:00+08:00", (
        "National Day holiday: the opinion is due on Thursday 8 October, the next working day"
    )


@pytest.mark.usefixtures("workers")
async def test_a_general_item_is_dispatched_the_same_day(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive(engine, client, at="2026-09-30 09:00")
    move_to(engine, local("2026-09-30 10:30"))
    await give_opinion(engine, key)
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    view = engine.instance(key)
    assert OnlineMessage.LEADER_INSTRUCTION not in view.passed, "no leader's instruction for a general item"
    assert datetime.fromisoformat(view.variables["dispatchedAt"]) == local("2026-09-30 10:30")
    assert task.candidate_groups == (HOUSING,)
    case = case_of(workers, engine, key, CENTRE)
    (dispatched,) = [
        e for e in case.history if e.kind == "transition" and e.fields["to_status"] == "dispatched"
    ]
    assert dispatched.recorded_at == local("2026-09-30 10:30") and dispatched.fields["note"] == HOUSING
    notices = dispatch_notices(workers, HOUSING, case.case_number)
    assert len(notices) == 1, f"the unit got {len(notices)} dispatch notices, not one"
    # A simple item (简单件) dispatched on Wednesday 30 September is due at the end of Friday 9 October.
    assert "2026年10月9日 24:00" in notices[0], (
        f"the dispatch notice does not name the handling deadline:\n{notices[0]}"
    )
    assert OnlineMessage.RECORD_OPINION_REMINDER not in view.passed


@pytest.mark.usefixtures("workers")
@pytest.mark.parametrize(
    ("sensitivity", "chain"),
    [("sensitive", "instruction-sensitive"), ("important", "instruction-important")],
)
async def test_sensitive_and_important_items_go_to_the_configured_leaders_for_instruction_before_dispatch(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, sensitivity: str, chain: str
) -> None:
    key = await receive(engine, client)
    await give_opinion(engine, key, sensitivity=sensitivity, opinionNote="涉及群众安全，呈请领导批示")
    leaders = configured_chain(chain)
    instructions = Steps(engine, key, OnlineMessage.LEADER_INSTRUCTION)
    groups = []
    for leader in leaders:
        groups.append(
            await instructions.complete(leaderInstruction=f"请{HOUSING}立即处理（{leader['title']}）")
        )
        assert OnlineMessage.DISPATCH not in engine.instance(key).passed, "instruction comes before dispatch"
    assert groups == [(leader["group"],) for leader in leaders], "the config's chain, in order"
    expected = {
        "instruction-sensitive": [("deputy-secretary-general",), ("vice-mayor",)],
        "instruction-important": [("secretary-general",), ("mayor",)],
    }
    assert groups == expected[chain], "[seed 000 二]"
    await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    view = engine.instance(key)
    assert view.passed.index(OnlineMessage.RECORD_INSTRUCTION) < view.passed.index(OnlineMessage.DISPATCH)
    case = case_of(workers, engine, key, CENTRE)
    (instructed,) = [t for t in history(case, "transition") if t["to_status"] == "instructed"]
    assert [leader["title"] in instructed["note"] for leader in leaders] == [True, True]
    assert any("呈请批示" in subject for subject in subjects(workers, LEADERS))


@pytest.mark.usefixtures("workers")
@pytest.mark.parametrize(
    ("limit_key", "due_at"),
    [
        # By category, 7 working days [seed 000 三]: from Wednesday 30 September, 8 to 15 October
        # with the make-up Saturday 10 October.
        ("category", "2026-10-16T00:00:00+08:00"),
        # Dispatched Wednesday 30 September: 8 and 9 October (after the holiday) are 2 working days.
        ("简单件", "2026-10-10T00:00:00+08:00"),
        # ... and Saturday 10 October, a make-up working day, is the third.
        ("复杂件", "2026-10-11T00:00:00+08:00"),
        # Mailbox letters: 7 working days for suggestions and questions, 15 when they need investigating.
        ("信箱-咨询建议", "2026-10-16T00:00:00+08:00"),
        ("信箱-需调查", "2026-10-28T00:00:00+08:00"),
    ],
)
async def test_the_handling_limit_follows_the_opinion_simple_complex_or_mailbox(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, limit_key: str, due_at: str
) -> None:
    key = await receive(engine, client, at="2026-09-30 09:00")
    move_to(engine, local("2026-09-30 10:00"))
    await give_opinion(engine, key, limitKey=limit_key)
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    assert instant(task.due_date) == instant(due_at)
    case = case_of(workers, engine, key, CENTRE)
    assert case.due_at == datetime.fromisoformat(due_at)


@pytest.mark.usefixtures("workers")
async def test_the_units_reply_is_signed_by_its_principal_leader_and_recorded_in_the_ledger(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await to_reply_draft(engine, client)
    variables = engine.instance(key).variables
    assert variables["handlingOutcome"] == "replied" and variables["replySigner"] == "王主任"
    assert variables["draftText"] == REPAIRED, "the centre's draft starts from the unit's reply"
    case = case_of(workers, engine, key, CENTRE)
    (reply,) = history(case, "reply")
    assert reply == {**reply, "unit": HOUSING, "text": REPAIRED, "signer": "王主任"}


@pytest.mark.usefixtures("workers")
async def test_a_unit_that_returns_the_item_sends_it_back_to_the_handling_opinion(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive(engine, client)
    await give_opinion(engine, key, leadUnit="环保局")
    await engine.complete_user_task(key, UnitHandling.SIGN_FOR, {"signAction": "return"})
    await engine.complete_user_task(
        key, UnitHandling.RETURN_REQUEST, {"returnReason": "道路维修不属本局职责", "returnSigner": "赵局长"}
    )
    await engine.user_task_at(key, OnlineMessage.HANDLING_OPINION)
    view = engine.instance(key)
    assert view.variables["handlingOutcome"] == "returned"
    assert view.passed.count(OnlineMessage.HANDLING_OPINION) == 1
    await give_opinion(engine, key, leadUnit=HOUSING)
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    assert task.candidate_groups == (HOUSING,)
    case = case_of(workers, engine, key, CENTRE)
    assert [r["reason"] for r in history(case, "return")] == ["道路维修不属本局职责"]
    assert case.lead_unit == HOUSING
    for unit_name in ("环保局", HOUSING):
        notices = dispatch_notices(workers, unit_name, case.case_number)
        assert len(notices) == 1, f"{unit_name} got {len(notices)} dispatch notices, not one"
        # Both dispatched on Wednesday 30 September as simple items: due at the end of 9 October.
        assert "2026年10月9日 24:00" in notices[0], (
            f"{unit_name}'s dispatch notice does not name the handling deadline:\n{notices[0]}"
        )


@pytest.mark.usefixtures("workers")
async def test_the_government_reply_is_drafted_by_the_centre_and_signed_off_along_the_configured_chain(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await to_reply_draft(engine, client)
    draft = await engine.user_task_at(key, OnlineMessage.REPLY_DRAFT)
    assert draft.candidate_groups == ("hotline-centre",)
    groups = await draft_and_sign_off(engine, key)
    assert groups == [(reviewer["group"],) for reviewer in configured_chain("government-reply")]
    assert groups == [("deputy-secretary-general",), ("secretary-general",), ("vice-mayor",), ("mayor",)]
    await engine.user_task_at(key, OnlineMessage.CALLBACK)
    view = engine.instance(key)
    assert view.variables["reviewApproved"] is True
    case = case_of(workers, engine, key, CENTRE)
    government = history(case, "reply")[-1]
    assert government["unit"] == "市人民政府" and government["signer"] == "市长"
    assert government["text"].startswith("您好，" + REPAIRED)
    assert OnlineMessage.NOTIFY_REPLY in view.passed


@pytest.mark.usefixtures("workers")
async def test_a_reviewer_who_rejects_the_draft_sends_it_back_to_the_centre(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await to_reply_draft(engine, client)
    await engine.complete_user_task(
        key, OnlineMessage.REPLY_DRAFT, {"draftText": "已修复。", "publish": True}
    )
    reviews = Steps(engine, key)
    await reviews.complete(reviewDecision="approved", reviewOpinion="同意")
    await reviews.complete(reviewDecision="rejected", reviewOpinion="答复过简，请写明修复时间")
    task = await engine.user_task_at(key, OnlineMessage.REPLY_DRAFT)
    view = engine.instance(key)
    assert view.passed.count(OnlineMessage.REPLY_DRAFT) == 1, "back at drafting"
    assert view.variables["reviewApproved"] is False
    assert view.variables["reviewRejection"] == {
        "title": "秘书长",
        "decision": "rejected",
        "opinion": "答复过简，请写明修复时间",
    }
    assert view.variables["draftText"] == "已修复。", "the centre redrafts from the reviewed text"
    assert task.candidate_groups == ("hotline-centre",)
    assert OnlineMessage.RECORD_GOVERNMENT_REPLY not in view.passed
    assert await draft_and_sign_off(engine, key) == [
        ("deputy-secretary-general",),
        ("secretary-general",),
        ("vice-mayor",),
        ("mayor",),
    ], "the redraft goes through the whole chain again"
    await engine.user_task_at(key, OnlineMessage.CALLBACK)


@pytest.mark.usefixtures("workers")
async def test_a_review_longer_than_three_working_days_is_reported_to_supervision(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await to_reply_draft(engine, client)
    # The centre sends its draft for review on Wednesday 30 September at 15:00.
    move_to(engine, local("2026-09-30 15:00"))
    await engine.complete_user_task(key, OnlineMessage.REPLY_DRAFT, {"draftText": REPAIRED, "publish": True})
    first = await engine.user_task_at(key, ReviewChain.REVIEW_STEPS)
    # Counted from the next day: 8, 9 and (make-up working day) 10 October are the three days.
    assert instant(first.due_date) == instant("2026-10-11T00:00:00+08:00")
    await after(engine, local("2026-10-10 23:59"))
    assert not [s for s in subjects(workers, SUPERVISION) if "审签超时" in s]
    await after(engine, local("2026-10-11 00:01"))
    overdue = await engine.wait_until(
        lambda: [m for m in workers.inbox(SUPERVISION) if "审签超时" in m.subject],
        lambda: "no 审签超时 notice reached the supervision office after the review's limit",
    )
    assert len(overdue) == 1 and overdue[0].case_number == engine.instance(key).variables["caseNumber"]
    assert (await engine.user_task_at(key, ReviewChain.REVIEW_STEPS)).key == first.key, "the review goes on"


@pytest.mark.usefixtures("workers")
async def test_an_item_forwarded_from_above_is_answered_upward_in_a_supervision_report(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await to_reply_draft(engine, client, {**ROAD, "source": "省长热线", "fromAbove": True})
    await draft_and_sign_off(engine, key)
    task = await engine.user_task_at(key, OnlineMessage.UPWARD_REPORT)
    assert task.candidate_groups == ("supervision",)
    assert engine.instance(key).variables["reviewedText"].startswith("您好，")
    await engine.complete_user_task(
        key, OnlineMessage.UPWARD_REPORT, {"reportNumber": "2026年第18期", "reportText": "办理情况报告……"}
    )
    await engine.user_task_at(key, OnlineMessage.CALLBACK)
    view = engine.instance(key)
    assert (
        OnlineMessage.RECORD_GOVERNMENT_REPLY not in view.passed
        and OnlineMessage.NOTIFY_REPLY not in view.passed
    )
    assert OnlineMessage.RECORD_PUBLISHED not in view.passed
    case = case_of(workers, engine, key, CENTRE)
    reported = [t for t in history(case, "transition") if t["to_status"] == "reported-upward"]
    assert [t["note"] for t in reported] == ["《督查专报》2026年第18期"]


@pytest.mark.usefixtures("workers")
async def test_a_local_reply_is_answered_by_the_centre_and_published_online(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await to_reply_draft(engine, client)
    await draft_and_sign_off(engine, key, publish=True)
    await engine.user_task_at(key, OnlineMessage.CALLBACK)
    view = engine.instance(key)
    assert OnlineMessage.UPWARD_REPORT not in view.passed
    case = case_of(workers, engine, key, CENTRE)
    assert statuses(case)[-1] == "published"
    assert any("已办理答复" in subject for subject in subjects(workers, CENTRE))


@pytest.mark.usefixtures("workers")
async def test_an_appellant_who_asks_for_confidentiality_is_not_published_and_is_masked(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    secret = {**ROAD, "appellant": {**ROAD["appellant"], "confidential": True}}
    key = await to_reply_draft(engine, client, secret)
    # Even a draft that says "publish" (the form hides the box for them) is not published.
    await draft_and_sign_off(engine, key, publish=True)
    await engine.user_task_at(key, OnlineMessage.CALLBACK)
    view = engine.instance(key)
    assert OnlineMessage.RECORD_PUBLISHED not in view.passed
    assert OnlineMessage.PUBLISH_GATEWAY in view.passed
    number = view.variables["caseNumber"]
    assert "published" not in statuses(workers.view_case(number, CENTRE))
    for viewer in (SUPERVISION, unit(HOUSING)):
        shown = workers.view_case(number, viewer).appellant
        assert shown.name != "张三" and shown.phone != "13800001111" and "****" in (shown.phone or "")
    for message in workers.inbox(unit(HOUSING)):
        assert "张三" not in message.body and "13800001111" not in message.body
    assert workers.view_case(number, CENTRE).appellant.name == "张三", "the centre sees whom to call back"


@pytest.mark.usefixtures("workers")
async def test_the_return_visit_records_satisfaction_and_the_case_is_archived(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await to_reply_draft(engine, client)
    await draft_and_sign_off(engine, key)
    task = await engine.user_task_at(key, OnlineMessage.CALLBACK)
    assert task.candidate_groups == ("hotline-centre",)
    move_to(engine, local("2026-10-12 10:00"))
    await call_back(engine, key, "basically")
    view = await engine.is_completed(key)
    assert view.passed[-1] == OnlineMessage.CASE_CLOSED
    assert OnlineMessage.RECORD_EFFICIENCY_REVIEW not in view.passed
    case = case_of(workers, engine, key, CENTRE)
    (visit,) = history(case, "satisfaction")
    assert visit["result"] == "basically" and visit["note"] == "留言人确认已修复"
    assert case.status == "completed"
    assert case.archived_at == local("2026-10-12 10:00")


@pytest.mark.usefixtures("workers")
async def test_an_unsatisfied_appellant_brings_the_unit_before_efficiency_supervision(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await to_reply_draft(engine, client)
    await draft_and_sign_off(engine, key)
    await call_back(engine, key, "unsatisfied")
    view = await engine.is_completed(key)
    assert OnlineMessage.RECORD_EFFICIENCY_REVIEW in view.passed
    case = case_of(workers, engine, key, CENTRE)
    (escalation,) = history(case, "escalation")
    assert escalation["unit"] == HOUSING and escalation["reason"] == "回访不满意，提请效能监察"
    assert case.archived_at is not None
