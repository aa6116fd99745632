"""forum-post (网络发言人在线回复) [seed 003 §九]: each rule of domain.md's forum section as a scenario
on the real diagram and workers, moving the engine's clock.

Office hours (config/deadlines.toml): 08:30-12:00 and 14:00-17:30 on working days. Dates are 2026's:
National Day 2026-10-01..10-07 is a holiday, Saturday 2026-10-10 a make-up working day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pyzeebe import ZeebeClient
from scenario import LEADERS, after, case_of, dispatch_notices, history, local, move_to, subjects, unit

from engine.testing.handle import EngineHandle
from workers.ids import ForumPost, ProcessId
from workers.ledger.masking import Viewer
from workers.ledger.service import CaseView, Ledger

NOISE = {"title": "小区噪音扰民", "content": "楼下酒吧每晚噪音扰民，投诉多次仍未解决，请尽快处理"}
UNIT = "环保局"


async def post(
    engine: EngineHandle, client: ZeebeClient, posted: datetime, text: dict[str, str] = NOISE
) -> int:
    """A forum post at `posted` (the engine's clock is put there first)."""
    move_to(engine, posted)
    started = await client.run_process(
        ProcessId.FORUM_POST,
        {**text, "appellant": {"name": "网友甲"}, "receivedAt": posted.isoformat()},
    )
    return started.process_instance_key


async def first_response(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key, ForumPost.FIRST_RESPONSE, {"firstResponseText": "已收到，正在核实。"}
    )
    await engine.has_passed(key, ForumPost.RECORD_FIRST_RESPONSE)


async def dispatched_case(ledger: Ledger, engine: EngineHandle, key: int) -> CaseView:
    """The post's case, once its dispatch to the unit has been recorded and posted."""
    await engine.has_passed(key, ForumPost.NOTIFY_DISPATCHED)
    return case_of(ledger, engine, key)


async def test_a_post_is_registered_classified_and_dispatched_to_the_unit_of_its_topic(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await post(engine, client, local("2026-11-18 10:00"))
    view = await engine.is_waiting_at(key, ForumPost.FIRST_RESPONSE)
    assert view.variables["caseNumber"].startswith("LT2026-")
    assert view.variables["leadUnit"] == UNIT
    assert ForumPost.ASSIGN_UNIT not in view.passed
    case = await dispatched_case(workers, engine, key)
    assert (case.channel, case.lead_unit, case.status, case.accepted) == (
        "forum-post",
        UNIT,
        "dispatched",
        True,
    )
    assert case.due_at == local("2026-11-26 00:00"), "the reply is due at the end of the 5th working day"
    notices = dispatch_notices(workers, UNIT)
    assert len(notices) == 1, f"the unit got {len(notices)} dispatch notices, not one"
    assert "2026年11月25日 24:00" in notices[0], (
        f"the notice does not name the reply's due date:\n{notices[0]}"
    )
    task = await engine.user_task_at(key, ForumPost.FIRST_RESPONSE)
    assert task.candidate_groups == (UNIT,)


async def test_the_forum_office_assigns_the_unit_when_classification_finds_none(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    text = {"title": "网站打不开", "content": "中国镇江门户网站首页今天一直打不开"}
    key = await post(engine, client, local("2026-11-18 10:00"), text)
    task = await engine.user_task_at(key, ForumPost.ASSIGN_UNIT)
    assert task.candidate_groups == ("forum-office",)
    await engine.complete_user_task(key, ForumPost.ASSIGN_UNIT, {"leadUnit": "民政局"})
    await engine.is_waiting_at(key, ForumPost.FIRST_RESPONSE)
    case = await dispatched_case(workers, engine, key)
    assert case.lead_unit == "民政局"


async def test_the_first_response_is_due_three_office_hours_after_a_post_in_office_hours(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await post(engine, client, local("2026-11-18 10:00"))
    view = await engine.is_waiting_at(key, ForumPost.FIRST_RESPONSE)
    # 10:00-12:00 and 14:00-15:00: the lunch break does not count.
    assert view.variables["firstResponseDueAt"] == "2026-11-18T15:00:00+08:00"
    await after(engine, local("2026-11-18 14:59:59"))
    assert ForumPost.FIRST_RESPONSE_DUE_TIMER not in engine.instance(key).passed
    await first_response(engine, key)
    await after(engine, local("2026-11-18 15:00:01"))
    view = await engine.is_waiting_at(key, ForumPost.REPLY)
    assert ForumPost.FIRST_RESPONSE_DUE_TIMER not in view.passed, "a timely first response is not chased"


@pytest.mark.parametrize(
    ("posted", "due"),
    [
        # Wednesday evening: the clock waits for Thursday 08:30, then 3 hours.
        ("2026-11-18 20:00", "2026-11-19T11:30:00+08:00"),
        # Friday 16:30: one hour on Friday, two on Monday.
        ("2026-11-20 16:30", "2026-11-23T10:30:00+08:00"),
        # The eve of National Day, 16:00: 1.5 hours, then the holiday, then Thursday 8 October.
        ("2026-09-30 16:00", "2026-10-08T10:00:00+08:00"),
    ],
)
async def test_outside_office_hours_the_first_response_clock_waits(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, posted: str, due: str
) -> None:
    key = await post(engine, client, local(posted))
    view = await engine.is_waiting_at(key, ForumPost.FIRST_RESPONSE)
    assert view.variables["firstResponseDueAt"] == due
    task = await engine.user_task_at(key, ForumPost.FIRST_RESPONSE)
    assert datetime.fromisoformat(str(task.due_date)) == datetime.fromisoformat(due)


async def test_a_late_first_response_is_chased_and_still_expected(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await post(engine, client, local("2026-11-18 20:00"))
    await engine.has_passed(key, ForumPost.NOTIFY_DISPATCHED)
    await after(engine, local("2026-11-19 11:29:59"))
    assert ForumPost.FIRST_RESPONSE_DUE_TIMER not in engine.instance(key).passed
    await after(engine, local("2026-11-19 11:30:01"))
    await engine.has_passed(key, ForumPost.NOTIFY_FIRST_RESPONSE_LATE)
    assert [r["note"] for r in history(case_of(workers, engine, key), "reminder")] == [
        "发帖3个工作小时内未作初步回应"
    ]
    assert any("催办" in s for s in subjects(workers, unit(UNIT)))
    await engine.is_waiting_at(key, ForumPost.FIRST_RESPONSE)


async def test_a_reply_within_five_working_days_closes_the_post_without_notice(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await post(engine, client, local("2026-11-18 10:00"))
    view = await engine.is_waiting_at(key, ForumPost.FIRST_RESPONSE)
    # Counted from the day after posting: Thu 19, Fri 20, Mon 23, Tue 24, Wed 25 (5); Thu 26, Fri 27 (7).
    assert view.variables["replyDueAt"] == "2026-11-26T00:00:00+08:00"
    assert view.variables["namingDueAt"] == "2026-11-28T00:00:00+08:00"
    await first_response(engine, key)
    await after(engine, local("2026-11-25 16:00"))
    task = await engine.user_task_at(key, ForumPost.REPLY)
    assert datetime.fromisoformat(str(task.due_date)) == local("2026-11-26 00:00")
    await engine.complete_user_task(
        key, ForumPost.REPLY, {"action": "reply", "replyText": "已责令酒吧整改。", "replySigner": "王局长"}
    )
    view = await engine.is_completed(key)
    assert ForumPost.REPLY_DUE_TIMER not in view.passed and ForumPost.NAMING_DUE_TIMER not in view.passed
    case = case_of(workers, engine, key)
    assert case.status == "completed" and case.archived_at is not None
    replies = history(case, "reply")
    assert [(r["unit"], r["text"], r["signer"]) for r in replies] == [(UNIT, "已责令酒吧整改。", "王局长")]
    await after(engine, local("2026-11-30 10:00"))
    assert not any("论坛逾期" in s for s in subjects(workers, unit(UNIT)))


async def test_a_post_neither_answered_nor_explained_in_five_working_days_is_notified_to_the_unit(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await post(engine, client, local("2026-11-18 10:00"))
    await engine.has_passed(key, ForumPost.NOTIFY_DISPATCHED)
    await first_response(engine, key)
    await after(engine, local("2026-11-25 23:59:59"))
    assert ForumPost.REPLY_DUE_TIMER not in engine.instance(key).passed
    await after(engine, local("2026-11-26 00:00:01"))
    await engine.has_passed(key, ForumPost.NOTIFY_NOTICE)
    assert any("论坛逾期通知" in s for s in subjects(workers, unit(UNIT)))
    notes = [r["note"] for r in history(case_of(workers, engine, key), "reminder")]
    assert notes == ["超过5个工作日未作处置反馈，通知办理并作出说明"]
    await engine.is_waiting_at(key, ForumPost.REPLY)
    assert ForumPost.NOTIFY_NAMING not in engine.instance(key).passed, "no naming before day 7"


async def test_after_seven_working_days_with_neither_reply_nor_explanation_the_unit_is_named_in_public(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await post(engine, client, local("2026-11-18 10:00"))
    await engine.has_passed(key, ForumPost.NOTIFY_DISPATCHED)
    await first_response(engine, key)
    await after(engine, local("2026-11-26 00:00:01"))
    await engine.has_passed(key, ForumPost.NOTIFY_NOTICE)
    await after(engine, local("2026-11-27 23:59:59"))
    assert ForumPost.NAMING_DUE_TIMER not in engine.instance(key).passed
    await after(engine, local("2026-11-28 00:00:01"))
    await engine.has_passed(key, ForumPost.NOTIFY_NAMING)
    for viewer in (Viewer("forum-office"), LEADERS, unit("民政局")):
        assert any("公开点名" in s for s in subjects(workers, viewer)), viewer
    escalations = history(case_of(workers, engine, key), "escalation")
    assert [(e["unit"], e["reason"]) for e in escalations] == [
        (UNIT, "超过7个工作日既未回复又未说明，在论坛集中发帖通报")
    ]
    # Named, the unit still has to answer.
    await engine.complete_user_task(
        key, ForumPost.REPLY, {"action": "reply", "replyText": "已整改。", "replySigner": "王局长"}
    )
    await engine.is_completed(key)


async def test_an_explanation_within_five_working_days_extends_to_seven_and_spares_notice_and_naming(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await post(engine, client, local("2026-11-18 10:00"))
    await engine.has_passed(key, ForumPost.NOTIFY_DISPATCHED)
    await first_response(engine, key)
    await after(engine, local("2026-11-23 09:00"))
    await engine.complete_user_task(
        key,
        ForumPost.REPLY,
        {"action": "explanation", "explanationText": "需会同街道现场检测噪音，预计下周回复。"},
    )
    await engine.has_passed(key, ForumPost.RECORD_EXPLANATION)
    task = await engine.user_task_at(key, ForumPost.REPLY)
    assert datetime.fromisoformat(str(task.due_date)) == local("2026-11-28 00:00"), "at most 7 working days"
    extended = case_of(workers, engine, key)
    assert extended.due_at == local("2026-11-28 00:00")
    extensions = history(extended, "extension")
    assert [(e["decision"], e["reason"]) for e in extensions] == [
        ("approved", "需会同街道现场检测噪音，预计下周回复。")
    ]
    await after(engine, local("2026-11-26 00:00:01"))
    await engine.has_passed(key, ForumPost.NO_NOTICE)
    # No reply by day 7 either: overdue, but an explained post is not named.
    await after(engine, local("2026-11-28 00:00:01"))
    await engine.has_passed(key, ForumPost.NOTIFY_REPLY_OVERDUE)
    view = engine.instance(key)
    assert ForumPost.NOTIFY_NOTICE not in view.passed and ForumPost.NOTIFY_NAMING not in view.passed
    assert not any("公开点名" in s for s in subjects(workers, Viewer("forum-office")))
    notes = [r["note"] for r in history(case_of(workers, engine, key), "reminder")]
    assert notes == ["已上网说明，但超过7个工作日最长办理时限仍未回复"]
    await engine.is_waiting_at(key, ForumPost.REPLY)


async def test_an_explanation_after_the_day_five_notice_still_prevents_the_naming(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await post(engine, client, local("2026-11-18 10:00"))
    await first_response(engine, key)
    await after(engine, local("2026-11-26 09:00"))
    await engine.has_passed(key, ForumPost.NOTIFY_NOTICE)
    await engine.complete_user_task(
        key, ForumPost.REPLY, {"action": "explanation", "explanationText": "正在检测。"}
    )
    await engine.has_passed(key, ForumPost.RECORD_EXPLANATION)
    await after(engine, local("2026-11-28 00:00:01"))
    await engine.has_passed(key, ForumPost.NOTIFY_REPLY_OVERDUE)
    assert ForumPost.NOTIFY_NAMING not in engine.instance(key).passed


async def test_the_reply_limit_skips_the_national_day_holiday_and_counts_the_make_up_saturday(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await post(engine, client, local("2026-09-30 16:00"))
    view = await engine.is_waiting_at(key, ForumPost.FIRST_RESPONSE)
    # Oct 8 (1), 9 (2), Saturday 10 make-up (3), 12 (4), 13 (5); 14 (6), 15 (7).
    assert view.variables["replyDueAt"] == "2026-10-14T00:00:00+08:00"
    assert view.variables["namingDueAt"] == "2026-10-16T00:00:00+08:00"
    assert timedelta(0) < datetime.fromisoformat(view.variables["replyDueAt"]) - local("2026-10-13 00:00")
