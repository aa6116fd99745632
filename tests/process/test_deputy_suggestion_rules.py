"""deputy-suggestion (人大代表建议、政协提案): one scenario per rule of domain.md's deputy section.

Each scenario moves the engine's clock (which is the workers' clock) instead of sleeping, and checks
the end state, the dates and what the ledger (台账) recorded and posted to the inboxes. Dates are
2026's on the official calendar: Qingming 2026-04-04..06 and National Day 2026-10-01..10-07 are
holidays (chinesecalendar); limits are config/deadlines.toml's [limits.deputy-suggestion].
"""

from __future__ import annotations

from typing import Any

import pytest
from pyzeebe import ZeebeClient
from scenario import (
    SHANGHAI,
    SUPERVISION,
    after,
    case_of,
    dispatch_notices,
    history,
    instant,
    local,
    move_to,
    subjects,
    unit,
)

from engine.runtime.entities import UserTask
from engine.testing.handle import EngineHandle
from workers.ids import DeputySuggestion as DS
from workers.ids import ProcessId, ReviewChain
from workers.ledger.masking import Viewer
from workers.ledger.service import Ledger

CONGRESS = Viewer(role="congress-office")
CPPCC = Viewer(role="cppcc-office")
LEAD = "住房城乡建设委"
CO_UNITS = ["综合执法局", "环保局"]
# A step of the review chain (`deputy-reply` in config/review_chains.toml) that the answer goes through.
REVIEW_STEP = ReviewChain.REVIEW_STEPS

SUGGESTION = {
    "kind": "suggestion",
    "assignmentKind": "meeting",
    "provincial": False,
    "title": "关于加快老旧小区加装电梯的建议",
    "content": "建议简化老旧小区加装电梯审批程序，加大财政补贴力度。",
    "deputy": {"name": "王代表", "phone": "13900001234"},
    "leadUnit": LEAD,
    "coUnits": CO_UNITS,
}


async def open_tasks(engine: EngineHandle, key: int) -> list[str]:
    return [task.element_id for task in await engine.user_tasks(key)]


async def assign(
    engine: EngineHandle, client: ZeebeClient, at: str = "2026-03-10 09:00", **changes: Any
) -> int:
    """The office assigns an item at `at` (Tuesday 10 March 2026, the joint meeting, by default)."""
    move_to(engine, local(at))
    started = await client.run_process(ProcessId.DEPUTY_SUGGESTION, {**SUGGESTION, **changes})
    await engine.user_task_at(started.process_instance_key, DS.SIGN_FOR)
    return started.process_instance_key


async def sign_for(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key,
        DS.SIGN_FOR,
        {"signAction": "accept", "readingLeader": "李主任", "readingOpinion": "请城建处牵头办理"},
    )


async def co_opinion(engine: EngineHandle, key: int, co_unit: str) -> None:
    tasks = await engine.user_tasks(key)
    task = next(t for t in tasks if t.element_id == DS.CO_OPINION and t.candidate_groups == (co_unit,))
    await engine.driver.complete_user_task(
        task.key, {"coOpinion": f"{co_unit}同意配合，负责相关审批", "coSigner": f"{co_unit}局长"}
    )


async def contact_deputy(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key,
        DS.CONTACT_DEPUTY,
        {
            "contactManner": "meeting",
            "contactDate": "2026-03-20",
            "contactPerson": "城建处张科长",
            "deputyOpinion": "希望尽快出台补贴细则",
        },
    )


async def handle(engine: EngineHandle, key: int, co_units: list[str] = CO_UNITS) -> None:
    """The lead unit signs for the item, the co-units send their opinions, the deputy is met."""
    await sign_for(engine, key)
    for co_unit in co_units:
        await engine.user_task_at(key, DS.CO_OPINION)
        await co_opinion(engine, key, co_unit)
    await contact_deputy(engine, key)
    await engine.user_task_at(key, DS.COMBINED_REPLY)


async def review(
    engine: EngineHandle, key: int, decision: str = "approved", opinion: str = "同意"
) -> UserTask:
    """Complete the open step of the review chain (a user task of the called `review-chain`)."""
    return await engine.complete_user_task(
        key, REVIEW_STEP, {"reviewDecision": decision, "reviewOpinion": opinion}
    )


REPLY_TEXT = "已简化加装电梯审批程序，市级财政补贴标准提高至每台20万元。"


async def answer(engine: EngineHandle, key: int, grade: str = "A", text: str = REPLY_TEXT) -> None:
    """The lead unit combines the opinions and answers; its office and its leader sign it off."""
    form = {"replyAction": "reply", "replyText": text, "grade": grade, "replySigner": "赵主任"}
    if grade == "B":
        form["promiseItems"] = "年内出台补贴细则"
    await engine.complete_user_task(key, DS.COMBINED_REPLY, form)
    for _ in range(2):
        await review(engine, key)


async def feedback(engine: EngineHandle, key: int, satisfaction: str, note: str = "") -> None:
    await engine.complete_user_task(
        key, DS.DEPUTY_FEEDBACK, {"satisfaction": satisfaction, "feedbackNote": note or "无"}
    )


# ----------------------------------------------------------------------------------- assignment


@pytest.mark.usefixtures("workers")
async def test_items_assigned_at_the_joint_meeting_are_registered_and_due_in_three_months(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # The meeting assigns its items in one batch: each is a case of its own, with the same limit.
    keys = [
        await assign(engine, client),
        await assign(engine, client, kind="proposal", title="关于增设社区养老服务站的提案", coUnits=[]),
    ]
    numbers = [engine.instance(key).variables["caseNumber"] for key in keys]
    assert numbers == ["JY2026-000001", "JY2026-000002"]
    for key in keys:
        variables = engine.instance(key).variables
        # 2026-03-10 + 3 months = 2026-06-10, a Wednesday and a working day; due at its 24:00.
        assert variables["dueAt"] == "2026-06-11T00:00:00+08:00"
        assert variables["remindAt"] == "2026-06-10T08:30:00+08:00"
        assert variables["limitMonths"] == 3
        assert variables["channel"] == ProcessId.DEPUTY_SUGGESTION
        task = await engine.user_task_at(key, DS.SIGN_FOR)
        assert task.candidate_groups == (LEAD,)
        window = instant("2026-03-25T00:00:00+08:00")
        assert instant(task.due_date) == window, "the return window's 10 working days"
    suggestion, proposal = (case_of(workers, engine, key) for key in keys)
    assert (suggestion.category, proposal.category) == ("人大代表建议", "政协提案")
    assert suggestion.lead_unit == LEAD and suggestion.co_units == tuple(CO_UNITS)
    assert suggestion.due_at is not None
    assert suggestion.due_at.astimezone(SHANGHAI) == local("2026-06-11 00:00")
    assert history(suggestion, "deadline")[0]["reason"] == "交办会集中交办，3个月内办结"
    assert suggestion.appellant.name == "王代表" and suggestion.status == "received"
    notices = dispatch_notices(workers, LEAD)
    assert len(notices) == 2, f"the lead unit got {len(notices)} dispatch notices for the two items"
    for notice in notices:
        assert "2026年6月10日 24:00" in notice, f"the notice does not name the three months' limit:\n{notice}"
    assert dispatch_notices(workers, "环保局"), "co-units hear of it"


@pytest.mark.usefixtures("workers")
async def test_an_item_without_a_lead_unit_gets_one_named_by_the_vice_mayor(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    move_to(engine, local("2026-03-10 09:00"))
    started = await client.run_process(
        ProcessId.DEPUTY_SUGGESTION, {**SUGGESTION, "leadUnit": None, "coUnits": []}
    )
    key = started.process_instance_key
    task = await engine.user_task_at(key, DS.DESIGNATE_LEAD)
    assert task.candidate_groups == ("vice-mayor",)
    move_to(engine, local("2026-03-12 16:00"))
    await engine.complete_user_task(
        key,
        DS.DESIGNATE_LEAD,
        {
            "designatedLeadUnit": LEAD,
            "designatedCoUnits": ["综合执法局"],
            "designationNote": "由住建委牵头，综合执法局会办",
        },
    )
    task = await engine.user_task_at(key, DS.SIGN_FOR)
    assert task.candidate_groups == (LEAD,)
    variables = engine.instance(key).variables
    # The limits run from the assignment to the designated unit (Thursday 12 March).
    assert variables["dueAt"] == "2026-06-13T00:00:00+08:00"
    case = case_of(workers, engine, key)
    assert case.lead_unit == LEAD and case.co_units == ("综合执法局",)


@pytest.mark.usefixtures("workers")
async def test_an_item_assigned_between_sessions_is_due_in_one_month_moved_past_national_day(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await assign(engine, client, at="2026-09-01 09:00", assignmentKind="adhoc")
    variables = engine.instance(key).variables
    # 2026-10-01 falls in the National Day holiday (10-01..10-07): the limit ends on 10-08.
    assert variables["dueAt"] == "2026-10-09T00:00:00+08:00"
    assert variables["limitMonths"] == 1
    case = case_of(workers, engine, key)
    assert history(case, "deadline")[0]["reason"] == "闭会期间交办，1个月内办结"


# ----------------------------------------------------------------------------------------- return


@pytest.mark.usefixtures("workers")
async def test_a_unit_not_responsible_returns_it_within_ten_working_days_and_the_government_office_reassigns(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await assign(engine, client, kind="proposal")
    # Ten working days from Wednesday 11 March: Tuesday 24 March, at its 24:00.
    assert engine.instance(key).variables["returnDueAt"] == "2026-03-25T00:00:00+08:00"
    move_to(engine, local("2026-03-20 10:00"))
    await engine.complete_user_task(key, DS.SIGN_FOR, {"signAction": "return"})
    await engine.complete_user_task(
        key, DS.RETURN_REQUEST, {"returnReason": "电梯补贴属财政局职责", "returnSigner": "李主任"}
    )
    review = await engine.user_task_at(key, DS.RETURN_REVIEW)
    # [seed 003 二.1(3)]: the reason goes to the government office, which agrees and names the unit.
    assert review.candidate_groups == ("government-office",)
    move_to(engine, local("2026-03-23 09:00"))
    await engine.complete_user_task(
        key,
        DS.RETURN_REVIEW,
        {
            "returnDecision": "approved",
            "newLeadUnit": "环保局",
            "returnReviewOpinion": "同意，改由环保局办理",
        },
    )
    task = await engine.user_task_at(key, DS.SIGN_FOR)
    assert task.candidate_groups == ("环保局",)
    variables = engine.instance(key).variables
    assert variables["leadUnit"] == "环保局" and variables["dispatchedTo"] == "环保局"
    # The new unit's limits run from the reassignment (Monday 23 March).
    assert variables["returnDueAt"] == "2026-04-08T00:00:00+08:00", "10 working days skip Qingming"
    assert variables["dueAt"] == "2026-06-24T00:00:00+08:00"
    case = case_of(workers, engine, key)
    assert history(case, "return") == [
        {**history(case, "return")[0], "unit": LEAD, "reason": "电梯补贴属财政局职责"}
    ]
    assert case.lead_unit == "环保局"


@pytest.mark.usefixtures("workers")
async def test_a_return_the_office_refuses_stays_with_the_unit(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await assign(engine, client, coUnits=[])
    await engine.complete_user_task(key, DS.SIGN_FOR, {"signAction": "return"})
    await engine.complete_user_task(
        key, DS.RETURN_REQUEST, {"returnReason": "不属本委职责", "returnSigner": "李主任"}
    )
    review = await engine.user_task_at(key, DS.RETURN_REVIEW)
    assert review.candidate_groups == ("government-office",)
    await engine.complete_user_task(
        key,
        DS.RETURN_REVIEW,
        {"returnDecision": "rejected", "returnReviewOpinion": "属住建委职责，不同意退回"},
    )
    task = await engine.user_task_at(key, DS.CONTACT_DEPUTY)
    assert task.candidate_groups == (LEAD,)
    assert engine.instance(key).variables["leadUnit"] == LEAD
    assert case_of(workers, engine, key).status == "handling"


@pytest.mark.usefixtures("workers")
async def test_a_return_attempted_after_ten_working_days_is_no_longer_offered(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await assign(engine, client)
    await after(engine, local("2026-03-24 23:59"))
    assert DS.SIGN_FOR in await open_tasks(engine, key), "the last day of the window still offers it"
    await after(engine, local("2026-03-25 00:00"))
    view = await engine.has_passed(key, DS.RETURN_WINDOW_CLOSED)
    assert DS.SIGN_FOR in view.terminated
    await engine.user_task_at(key, DS.CONTACT_DEPUTY)
    tasks = await open_tasks(engine, key)
    assert DS.SIGN_FOR not in tasks and DS.RETURN_REQUEST not in tasks
    assert DS.CONTACT_DEPUTY in tasks, "the unit keeps the item and handles it"
    case = case_of(workers, engine, key)
    assert history(case, "return") == [] and case.status == "handling"


# ------------------------------------------------------------------------------- co-handling


@pytest.mark.usefixtures("workers")
async def test_a_co_unit_that_sends_no_opinion_within_a_month_is_reminded_and_the_lead_cannot_answer_alone(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await assign(engine, client)
    await sign_for(engine, key)
    await engine.user_task_at(key, DS.CONTACT_DEPUTY)
    co_tasks = [t for t in await engine.user_tasks(key) if t.element_id == DS.CO_OPINION]
    assert sorted(t.candidate_groups for t in co_tasks) == [("环保局",), ("综合执法局",)]
    # One month from the assignment on 10 March: Friday 10 April, at its 24:00.
    assert {instant(t.due_date) for t in co_tasks} == {instant("2026-04-11T00:00:00+08:00")}
    await co_opinion(engine, key, "综合执法局")
    await contact_deputy(engine, key)
    await after(engine, local("2026-04-10 23:00"))
    assert DS.COMBINED_REPLY not in await open_tasks(engine, key)
    assert not [s for s in subjects(workers, unit("环保局")) if "会办催办" in s]
    move_to(engine, local("2026-04-11 00:00"))
    await engine.has_passed(key, DS.NOTIFY_CO_UNITS)
    assert [s for s in subjects(workers, unit("环保局")) if "会办催办" in s]
    assert not [s for s in subjects(workers, unit("综合执法局")) if "会办催办" in s], (
        "a co-unit that sent its opinion is not reminded"
    )
    # Only the co-unit that has not sent its opinion is reminded (one reminder per co-unit).
    reminders = history(case_of(workers, engine, key), "reminder")
    assert [r["unit"] for r in reminders] == ["环保局"]
    assert "不得单独答复" in reminders[0]["note"]
    assert reminders[0]["recorded_at"].astimezone(SHANGHAI) == local("2026-04-11 00:00")
    assert DS.COMBINED_REPLY not in await open_tasks(engine, key), "no answer without every co-opinion"
    await co_opinion(engine, key, "环保局")
    task = await engine.user_task_at(key, DS.COMBINED_REPLY)
    assert task.candidate_groups == (LEAD,)
    opinions = engine.instance(key).variables["coOpinions"]
    assert [o["unit"] for o in opinions] == CO_UNITS
    assert opinions[1] == {
        "unit": "环保局",
        "opinion": "环保局同意配合，负责相关审批",
        "signer": "环保局局长",
    }


@pytest.mark.usefixtures("workers")
async def test_the_lead_unit_contacts_the_deputy_before_answering(
    engine: EngineHandle, client: ZeebeClient
) -> None:
    key = await assign(engine, client, coUnits=[])
    await sign_for(engine, key)
    await engine.user_task_at(key, DS.CONTACT_DEPUTY)
    await engine.wait_until_idle()
    assert DS.COMBINED_REPLY not in await open_tasks(engine, key)
    await contact_deputy(engine, key)
    await engine.user_task_at(key, DS.COMBINED_REPLY)


@pytest.mark.usefixtures("workers")
async def test_a_disagreement_with_a_co_unit_goes_to_the_government_office_before_the_answer(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await assign(engine, client, coUnits=["环保局"])
    await handle(engine, key, co_units=["环保局"])
    await engine.complete_user_task(
        key,
        DS.COMBINED_REPLY,
        {"replyAction": "coordinate", "coordinationRequest": "环保局不同意承担噪声监测，建议由其负责"},
    )
    task = await engine.user_task_at(key, DS.COORDINATION)
    assert task.candidate_groups == ("government-office",)
    assert DS.COMBINED_REPLY not in await open_tasks(engine, key)
    await engine.complete_user_task(
        key, DS.COORDINATION, {"coordinationResult": "噪声监测由环保局负责，住建委汇总答复"}
    )
    await engine.has_passed(key, DS.COMBINED_REPLY, times=1)
    task = await engine.user_task_at(key, DS.COMBINED_REPLY)
    assert task.candidate_groups == (LEAD,)
    assert engine.instance(key).variables["coordinationResult"] == "噪声监测由环保局负责，住建委汇总答复"
    await answer(engine, key)
    await engine.user_task_at(key, DS.DEPUTY_FEEDBACK)
    (reply,) = history(case_of(workers, engine, key), "reply")
    assert reply["text"] == REPLY_TEXT


# ---------------------------------------------------------------------------------------- answer


@pytest.mark.parametrize(
    ("kind", "committee", "other"), [("suggestion", CONGRESS, CPPCC), ("proposal", CPPCC, CONGRESS)]
)
@pytest.mark.usefixtures("workers")
async def test_the_graded_answer_is_signed_off_sent_to_the_deputy_and_copied_to_supervision_and_the_committee(
    engine: EngineHandle,
    client: ZeebeClient,
    workers: Ledger,
    kind: str,
    committee: Viewer,
    other: Viewer,
) -> None:
    key = await assign(engine, client, kind=kind)
    await handle(engine, key)
    await engine.complete_user_task(
        key,
        DS.COMBINED_REPLY,
        {"replyAction": "reply", "replyText": REPLY_TEXT, "grade": "A", "replySigner": "赵主任"},
    )
    first = await review(engine, key, opinion="格式规范")
    assert first.candidate_groups == (f"{LEAD}办公室",), "the unit's office checks the answer first"
    move_to(engine, local("2026-05-06 10:00"))
    second = await review(engine, key, opinion="同意签发")
    assert second.candidate_groups == (f"{LEAD}领导",), "then the unit's leader signs it"
    await engine.user_task_at(key, DS.DEPUTY_FEEDBACK)
    case = case_of(workers, engine, key)
    (reply,) = history(case, "reply")
    assert (reply["unit"], reply["text"], reply["signer"], reply["grade"]) == (
        LEAD,
        REPLY_TEXT,
        "赵主任",
        "A",
    )
    assert reply["recorded_at"].astimezone(SHANGHAI) == local("2026-05-06 10:00")
    assert [s for s in subjects(workers, SUPERVISION) if "答复抄送" in s]
    (copy,) = [m for m in workers.inbox(committee) if "答复抄送" in m.subject]
    assert "办理结果：A类" in copy.body and REPLY_TEXT in copy.body and "签发人：赵主任" in copy.body
    assert not [s for s in subjects(workers, other) if "答复抄送" in s]
    for co_unit in CO_UNITS:
        assert [s for s in subjects(workers, unit(co_unit)) if "答复抄送" in s], f"{co_unit} gets a copy"
    await feedback(engine, key, "satisfied")
    view = await engine.is_completed(key)
    assert DS.ARCHIVE in view.passed and DS.FOLLOW_UP_TIMER not in view.passed
    case = case_of(workers, engine, key)
    assert [s["result"] for s in history(case, "satisfaction")] == ["satisfied"]
    assert case.status == "closed" and case.archived_at is not None


@pytest.mark.usefixtures("workers")
async def test_an_answer_the_review_sends_back_is_combined_again(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await assign(engine, client, coUnits=[])
    await handle(engine, key, co_units=[])
    await engine.complete_user_task(
        key,
        DS.COMBINED_REPLY,
        {"replyAction": "reply", "replyText": "初稿", "grade": "C", "replySigner": "赵主任"},
    )
    await review(engine, key, "rejected", "答复不具体")
    await engine.has_passed(key, DS.COMBINED_REPLY, times=1)
    await engine.user_task_at(key, DS.COMBINED_REPLY)
    assert history(case_of(workers, engine, key), "reply") == [], "nothing reaches the deputy unsigned"


@pytest.mark.usefixtures("workers")
async def test_an_unsatisfied_deputy_gets_a_second_answer(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await assign(engine, client)
    await handle(engine, key)
    await answer(engine, key, grade="C", text="受规划限制，暂难实施。")
    move_to(engine, local("2026-05-12 15:00"))
    await feedback(engine, key, "unsatisfied", "未说明替代方案")
    task = await engine.user_task_at(key, DS.COMBINED_REPLY)
    assert task.candidate_groups == (LEAD,)
    variables = engine.instance(key).variables
    # Handled again within a month of the unsatisfied feedback: 12 June 2026, a Friday.
    assert variables["dueAt"] == "2026-06-13T00:00:00+08:00"
    assert variables["answerRound"] == 2
    assert DS.CONTACT_DEPUTY not in await open_tasks(engine, key)
    await answer(engine, key, grade="B", text="已会同规划部门制定替代方案，年内实施。")
    await feedback(engine, key, "basically")
    await engine.is_waiting_at(key, DS.FOLLOW_UP_TIMER)
    case = case_of(workers, engine, key)
    assert [r["grade"] for r in history(case, "reply")] == ["C", "B"]
    assert [s["result"] for s in history(case, "satisfaction")] == ["unsatisfied", "basically"]
    assert history(case, "deadline")[-1]["reason"] == "代表委员不满意，重新办理并再次答复"
    assert engine.instance(key).passed.count(DS.CONTACT_DEPUTY) == 1


@pytest.mark.usefixtures("workers")
async def test_a_promised_item_is_followed_up_every_month_until_it_is_done(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await assign(engine, client, coUnits=[])
    await handle(engine, key, co_units=[])
    await answer(engine, key, grade="B")
    move_to(engine, local("2026-05-20 10:00"))
    await feedback(engine, key, "satisfied")
    await engine.is_waiting_at(key, DS.FOLLOW_UP_TIMER)
    await after(engine, local("2026-06-20 09:59"))
    assert DS.PROMISE_FOLLOW_UP not in await open_tasks(engine, key), "not before a month has passed"
    move_to(engine, local("2026-06-20 10:00"))
    task = await engine.user_task_at(key, DS.PROMISE_FOLLOW_UP)
    assert task.candidate_groups == (LEAD,)
    await engine.complete_user_task(
        key, DS.PROMISE_FOLLOW_UP, {"promiseProgress": "细则已起草", "promiseStatus": "ongoing"}
    )
    await engine.is_waiting_at(key, DS.FOLLOW_UP_TIMER)
    move_to(engine, local("2026-07-20 10:00"))
    await engine.complete_user_task(
        key, DS.PROMISE_FOLLOW_UP, {"promiseProgress": "细则已印发", "promiseStatus": "done"}
    )
    view = await engine.is_completed(key)
    assert view.passed.count(DS.PROMISE_FOLLOW_UP) == 2
    case = case_of(workers, engine, key)
    follow_ups = [t for t in history(case, "transition") if t["to_status"] == "following-up"]
    assert [t["note"] for t in follow_ups] == ["细则已起草", "细则已印发"]
    assert [t["recorded_at"].astimezone(SHANGHAI).date().isoformat() for t in follow_ups] == [
        "2026-06-20",
        "2026-07-20",
    ]
    assert case.status == "closed" and case.archived_at is not None


# ------------------------------------------------------------------------------------- deadline


@pytest.mark.usefixtures("workers")
async def test_an_item_not_answered_in_time_is_reminded_then_reported_overdue(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await assign(engine, client, assignmentKind="adhoc", coUnits=[])
    await sign_for(engine, key)
    # Ad hoc, assigned 10 March: due 10 April 24:00; reminded that morning.
    assert engine.instance(key).variables["dueAt"] == "2026-04-11T00:00:00+08:00"
    await after(engine, local("2026-04-10 08:29"))
    assert not [s for s in subjects(workers, unit(LEAD)) if "催办" in s]
    move_to(engine, local("2026-04-10 08:30"))
    await engine.has_passed(key, DS.NOTIFY_REMINDER)
    assert [s for s in subjects(workers, unit(LEAD)) if "催办" in s]
    assert not [s for s in subjects(workers, SUPERVISION) if "超期" in s]
    move_to(engine, local("2026-04-11 00:00"))
    await engine.has_passed(key, DS.NOTIFY_OVERDUE)
    assert [s for s in subjects(workers, SUPERVISION) if "超期" in s]
    notes = [r["note"] for r in history(case_of(workers, engine, key), "reminder")]
    assert notes == ["办理期限将至，尚未答复代表委员", "已超过办理期限，尚未答复代表委员"]
    assert DS.CONTACT_DEPUTY in await open_tasks(engine, key), "the handling goes on after the notices"


# ------------------------------------------------------------------------------------ provincial


@pytest.mark.usefixtures("workers")
async def test_a_provincial_item_is_answered_by_the_city_government_not_the_unit(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await assign(engine, client, provincial=True, coUnits=[])
    await handle(engine, key, co_units=[])
    await answer(engine, key, grade="A")
    task = await engine.user_task_at(key, DS.GOVERNMENT_REPLY)
    assert task.candidate_groups == ("government-office",)
    assert history(case_of(workers, engine, key), "reply") == [], "the unit does not answer the deputy"
    await engine.complete_user_task(
        key,
        DS.GOVERNMENT_REPLY,
        {"governmentReplyText": "市政府答复：" + REPLY_TEXT, "governmentSigner": "市政府办公室主任"},
    )
    await engine.user_task_at(key, DS.DEPUTY_FEEDBACK)
    (reply,) = history(case_of(workers, engine, key), "reply")
    assert (reply["unit"], reply["text"], reply["signer"]) == (
        "市人民政府",
        "市政府答复：" + REPLY_TEXT,
        "市政府办公室主任",
    )
    assert [s for s in subjects(workers, CONGRESS) if "答复抄送" in s]
