"""radio-hotline (政风行风热线) [seed 003 §十一]: each rule of the circular's section as a scenario on
the real diagram and workers, moving the engine's clock.

The ethics office (纠风办) puts a department on the quarter's line-up; the department prepares 3
working days before the broadcast and reports its leading official by the Thursday of the week
before; the principal (一把手) leads, or asks for leave and goes on air next quarter; after the
broadcast the principal's answer share is recorded and every item not answered on air becomes a
case of its own, handled within 7 working days (a difficult one within a month).

Dates are 2026's: Mid-Autumn (Friday 25 September) and National Day (1-7 October) are holidays.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pyzeebe import ZeebeClient
from scenario import (
    activities,
    after,
    case_of,
    channel_section,
    history,
    instant,
    local,
    move_to,
    section_rows,
    start,
    statuses,
    subjects,
    unit,
)

from engine.testing.handle import EngineHandle
from workers.ids import ProcessId, RadioHotline, UnitHandling
from workers.ledger.masking import Viewer
from workers.ledger.service import CaseView, InboxView, Ledger
from workers.reports.bulletin import TOTAL

DEPARTMENT = "环保局"
ETHICS_OFFICE = Viewer(role="ethics-office")
PROGRAMME = Viewer(role="radio-programme")
# Thursday 12 November 2026, 09:00: the main broadcast of these scenarios, in 2026's fourth quarter.
BROADCAST = "2026-11-12T09:00:00+08:00"
NOISE_ITEM = {
    "source": "短信",
    "title": "工地夜间施工噪音",
    "content": "丁卯桥路工地每晚施工到凌晨，严重影响休息",
    "reporterName": "李女士",
    "reporterPhone": "13800000001",
    "difficulty": "一般",
}
RIVER_ITEM = {
    "source": "网络留言",
    "title": "古运河支流黑臭",
    "content": "古运河支流多年黑臭，需系统整治",
    "reporterName": "网友老张",
    "reporterPhone": "13800000002",
    "difficulty": "疑难",
}


async def line_up(
    engine: EngineHandle,
    client: ZeebeClient,
    broadcast_at: str = BROADCAST,
    quarter: str = "2026Q4",
    at: str = "2026-10-20 10:00",
    topic: str | None = "生态环境保护",
) -> int:
    """The ethics office registers the department's broadcast of the quarter's notice at `at`; the
    topic may be left to the report of the leading official."""
    variables = {
        "unit": DEPARTMENT,
        "broadcastAt": broadcast_at,
        "quarter": quarter,
        **({"title": topic} if topic else {}),
    }
    return await start(
        engine, client, ProcessId.RADIO_HOTLINE, local(at), variables, RadioHotline.PREPARATION
    )


def broadcast_case(ledger: Ledger, engine: EngineHandle, key: int) -> CaseView:
    """The broadcast's case as the ethics office sees it."""
    return case_of(ledger, engine, key, ETHICS_OFFICE)


def chases(ledger: Ledger, viewer: Viewer) -> list[InboxView]:
    """The chases before the broadcast in `viewer`'s inbox, newest first."""
    return [message for message in ledger.inbox(viewer) if message.subject.startswith("【政风行风热线催报】")]


def assert_chased(ledger: Ledger, number: str, late: str, due: str) -> None:
    """The department and the ethics office each got one chase of the broadcast `number` saying
    which step is `late` and its `due` time; the broadcast case has no due date of its own."""
    for viewer, who in ((unit(DEPARTMENT), "the department"), (ETHICS_OFFICE, "the ethics office")):
        received = chases(ledger, viewer)
        assert [m.subject for m in received] == [f"【政风行风热线催报】{number} {late}"], (
            f"{who} should get one chase saying {late!r}; its chases: {[m.subject for m in received]}"
        )
        [chase] = received
        assert chase.case_number == number
        assert due in chase.body and "上线直播时间：2026年11月12日 09:00" in chase.body, (
            f"the chase to {who} should give the step's due time {due!r} and the broadcast's: {chase.body}"
        )
    assert chases(ledger, PROGRAMME) == [], "the programme team is not chased"


async def prepare(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key,
        RadioHotline.PREPARATION,
        {
            "hotTopics": "建筑工地噪音、餐饮油烟、河道水质",
            "policyBasis": "《环境噪声污染防治法》《大气污染防治法》",
            "contingencyPlan": "现场无法答复的问题记录后转相关处室7个工作日内办结",
            "materialsSent": True,
        },
    )
    await engine.has_passed(key, RadioHotline.RECORD_PREPARATION)


async def report_official(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key,
        RadioHotline.OFFICIAL,
        {
            "officialAction": "principal",
            "leaderName": "王局长",
            "leaderPost": "局长",
            "broadcastTopic": "打好污染防治攻坚战",
        },
    )
    await engine.has_passed(key, RadioHotline.RECORD_OFFICIAL)


async def go_on_air(
    engine: EngineHandle,
    key: int,
    items: list[dict[str, str]],
    answered: int = 10,
    by_principal: int = 6,
) -> None:
    """Prepared and reported in time, the broadcast is held and recorded at 11:00 the same day."""
    move_to(engine, local("2026-11-02 10:00"))
    await prepare(engine, key)
    await report_official(engine, key)
    await after(engine, local("2026-11-12 11:00"))
    await engine.complete_user_task(
        key,
        RadioHotline.BROADCAST_RECORD,
        {
            "principalLed": True,
            "answeredOnAir": answered,
            "answeredByPrincipal": by_principal,
            "pendingItems": items,
        },
    )
    await engine.has_passed(key, RadioHotline.RECORD_BROADCAST_STATUS)


async def item_case_number(engine: EngineHandle, key: int) -> str:
    """The case number of the (one) item waiting for its department to sign for it."""
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    return str(engine.instance(task.process_instance_key).variables["caseNumber"])


async def sign_for(engine: EngineHandle, key: int) -> int:
    """The department signs for the (one) item; the key of its handling (the called process)."""
    task = await engine.complete_user_task(
        key,
        UnitHandling.SIGN_FOR,
        {"signAction": "accept", "readingLeader": "王局长", "readingOpinion": "请监察支队核查处理"},
    )
    return task.process_instance_key


async def answer_item(engine: EngineHandle, key: int, text: str, solved: bool = True) -> None:
    """The department, having signed for the item, answers it and reports the result."""
    await engine.complete_user_task(
        key,
        UnitHandling.HANDLING_REPLY,
        {
            "handlingAction": "reply",
            "replyText": text,
            "replySigner": "王局长",
            "signatureManner": "handwritten",
        },
    )
    result: dict[str, Any] = {"itemSolved": "solved"}
    if not solved:
        result = {"itemSolved": "explained", "explanation": "整治需列入明年市级水环境治理计划，暂难一次解决"}
    await engine.complete_user_task(key, RadioHotline.ITEM_RESULT, result)
    await engine.user_task_at(key, RadioHotline.ITEM_CALLBACK)


# --------------------------------------------------------------- before the broadcast [§十一.3(1)]


async def test_a_broadcast_is_registered_and_prepared_three_working_days_before(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client)
    view = engine.instance(key)
    assert view.variables["caseNumber"].startswith("ZF2026-")
    # Thursday 12 November: Wednesday 11, Tuesday 10, Monday 9 are the 3 working days before.
    assert view.variables["preparationDueAt"] == "2026-11-10T00:00:00+08:00"
    task = await engine.user_task_at(key, RadioHotline.PREPARATION)
    assert task.candidate_groups == (DEPARTMENT,), "the department itself prepares"
    assert instant(task.due_date) == local("2026-11-10 00:00")
    case = broadcast_case(workers, engine, key)
    assert (case.channel, case.lead_unit, case.status) == ("radio-hotline", DEPARTMENT, "scheduled")
    assert case.title == "政风行风热线上线：环保局"
    assert case.content == "2026Q4季度上线直播，交流主题：生态环境保护"
    move_to(engine, local("2026-11-09 16:00"))
    await prepare(engine, key)
    [prepared] = activities(broadcast_case(workers, engine, key), "preparation-submitted")
    assert prepared["unit"] == DEPARTMENT
    assert prepared["data"]["onTime"] is True, "materials sent on the third working day before are on time"
    assert prepared["data"]["materialsSent"] is True


async def test_the_preparation_date_counts_working_days_across_a_holiday(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # Friday 9 October, just after National Day: 8 October, then 30 and 29 September. The topic is
    # left to the report of the leading official.
    key = await line_up(engine, client, "2026-10-09T09:00:00+08:00", "2026Q4", "2026-09-10 10:00", None)
    task = await engine.user_task_at(key, RadioHotline.PREPARATION)
    assert instant(task.due_date) == local("2026-09-30 00:00"), (
        "the holiday's days are not working days: preparation is due at the end of Tuesday 29 September"
    )
    assert broadcast_case(workers, engine, key).content == "2026Q4季度上线直播"


async def test_late_preparation_is_chased_and_recorded_as_late(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client)
    move_to(engine, local("2026-11-02 10:00"))
    await report_official(engine, key)
    await after(engine, local("2026-11-09 23:59"))
    assert RadioHotline.PREPARATION_DUE_TIMER not in engine.instance(key).passed
    assert chases(workers, unit(DEPARTMENT)) == [], "nobody is chased before the date"
    await after(engine, local("2026-11-10 00:01"))
    await engine.has_passed(key, RadioHotline.NOTIFY_PREPARATION_CHASE)
    case = broadcast_case(workers, engine, key)
    assert [r["note"] for r in history(case, "reminder")] == ["上线前3个工作日未报送上线准备材料，请立即报送"]
    due = "报送时限：2026年11月9日 24:00（上线前3个工作日）"
    assert_chased(workers, case.case_number, "上线准备材料逾期未报送", due)
    await engine.is_waiting_at(key, RadioHotline.PREPARATION)
    await prepare(engine, key)
    [prepared] = activities(broadcast_case(workers, engine, key), "preparation-submitted")
    assert prepared["data"]["onTime"] is False, "materials sent after the date are recorded as late"


@pytest.mark.parametrize(
    ("broadcast_at", "due"),
    [
        # Thursday 12 November: the Thursday of the week before is 5 November.
        (BROADCAST, "2026-11-06 00:00"),
        # Friday 9 October: that Thursday is 1 October, National Day; the working day before it.
        ("2026-10-09T09:00:00+08:00", "2026-10-01 00:00"),
    ],
)
async def test_the_leading_officials_details_are_due_by_the_thursday_of_the_week_before(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, broadcast_at: str, due: str
) -> None:
    key = await line_up(engine, client, broadcast_at, at="2026-09-10 10:00")
    task = await engine.user_task_at(key, RadioHotline.OFFICIAL)
    assert task.candidate_groups == (DEPARTMENT,)
    assert instant(task.due_date) == local(due)
    await after(engine, local(due) - timedelta(minutes=1))
    await report_official(engine, key)
    # Past the due time, with what fell due done: a chase would have fired its timer by now.
    await after(engine, local(due) + timedelta(minutes=1))
    assert RadioHotline.OFFICIAL_DUE_TIMER not in engine.instance(key).passed, "a report in time was chased"
    chased = [m.subject for m in chases(workers, unit(DEPARTMENT)) if "带队上线领导" in m.subject]
    assert chased == [], f"a report in time is not chased: {chased}"
    [reported] = activities(broadcast_case(workers, engine, key), "official-reported")
    assert reported["actor"] == "王局长"
    assert reported["data"] == {
        "onTime": True,
        "dueAt": local(due).isoformat(),
        "leaderName": "王局长",
        "leaderPost": "局长",
        "topic": "打好污染防治攻坚战",
        "principalLeads": True,
    }


async def test_a_late_officials_report_is_chased(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client)
    await after(engine, local("2026-11-06 08:00"))
    await engine.has_passed(key, RadioHotline.NOTIFY_OFFICIAL_CHASE)
    case = broadcast_case(workers, engine, key)
    [reminder] = history(case, "reminder")
    assert reminder["note"] == "上线前一周周四前未报送带队上线领导，请立即报送"
    due = "报送时限：2026年11月5日 24:00（上线直播前一周的周四以前）"
    assert_chased(workers, case.case_number, "带队上线领导逾期未报送", due)
    await report_official(engine, key)
    [reported] = activities(broadcast_case(workers, engine, key), "official-reported")
    assert reported["data"]["onTime"] is False


# --------------------------------------------------------- the principal's leave [§十一.4(1)]


async def ask_for_leave(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key,
        RadioHotline.OFFICIAL,
        {
            "officialAction": "leave",
            "leaveReason": "参加省生态环境工作会议",
            "meetingNotice": "苏环办〔2026〕88号",
        },
    )


async def test_an_approved_leave_moves_the_department_to_the_next_quarter(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client, "2026-09-17T09:00:00+08:00", "2026Q3", at="2026-08-20 10:00")
    move_to(engine, local("2026-09-08 10:00"))
    await ask_for_leave(engine, key)
    approval = await engine.user_task_at(key, RadioHotline.LEAVE_APPROVAL)
    assert approval.candidate_groups == ("ethics-office",)
    await engine.complete_user_task(
        key,
        RadioHotline.LEAVE_APPROVAL,
        {"leaveDecision": "approved", "newBroadcastAt": "2026-12-10T09:00:00+08:00"},
    )
    await engine.has_passed(key, RadioHotline.RECORD_DEFERRED_STATUS)
    preparation = await engine.user_task_at(key, RadioHotline.PREPARATION)
    assert instant(preparation.due_date) == local("2026-12-08 00:00"), "preparation starts again for December"
    open_tasks = [task.element_id for task in await engine.user_tasks(key)]
    assert sorted(open_tasks) == sorted([RadioHotline.PREPARATION, RadioHotline.OFFICIAL]), (
        f"this quarter's preparation should end and next quarter's start afresh; open tasks: {open_tasks}"
    )
    variables = engine.instance(key).variables
    assert (variables["broadcastAt"], variables["quarter"]) == ("2026-12-10T09:00:00+08:00", "2026Q4")
    case = broadcast_case(workers, engine, key)
    [deferred] = activities(case, "deferred")
    assert deferred["data"]["fromQuarter"] == "2026Q3"
    assert deferred["data"]["toQuarter"] == "2026Q4"
    assert deferred["data"]["meetingNotice"] == "苏环办〔2026〕88号"
    assert statuses(case) == ["received", "scheduled", "deferred", "scheduled"]
    # The old broadcast's hour passes without a broadcast.
    await after(engine, local("2026-09-17 12:00"))
    assert RadioHotline.BROADCAST_TIMER not in engine.instance(key).passed


async def test_a_refused_leave_leaves_the_principal_to_lead(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client)
    await ask_for_leave(engine, key)
    await engine.complete_user_task(key, RadioHotline.LEAVE_APPROVAL, {"leaveDecision": "refused"})
    await engine.user_task_at(key, RadioHotline.OFFICIAL)
    await report_official(engine, key)
    case = broadcast_case(workers, engine, key)
    assert activities(case, "deferred") == []
    assert engine.instance(key).variables["broadcastAt"] == BROADCAST


# ------------------------------------------------------- on air: the principal's share [§十一.3(3)]


@pytest.mark.parametrize(
    ("answered", "by_principal", "share", "met"),
    [(10, 6, 0.6, True), (10, 5, 0.5, True), (8, 3, 0.38, False)],
)
async def test_the_principals_answer_share_is_recorded(
    engine: EngineHandle,
    client: ZeebeClient,
    workers: Ledger,
    answered: int,
    by_principal: int,
    share: float,
    met: bool,
) -> None:
    key = await line_up(engine, client)
    await go_on_air(engine, key, [], answered, by_principal)
    case = broadcast_case(workers, engine, key)
    [held] = activities(case, "broadcast-held")
    assert held["occurredAt"] == local("2026-11-12 09:00"), "the broadcast counts when it was on air"
    assert held["actor"] == "王局长"
    assert held["data"]["principalLed"] is True
    assert held["data"]["answered"] == answered
    assert held["data"]["answeredByPrincipal"] == by_principal
    assert held["data"]["principalShare"] == pytest.approx(share)
    assert held["data"]["principalShareMet"] is met, f"{by_principal} of {answered} answers by the principal"
    await engine.is_completed(key)
    case = broadcast_case(workers, engine, key)
    assert statuses(case) == ["received", "scheduled", "broadcast", "completed"]
    assert case.archived_at is not None


async def test_the_broadcast_is_recorded_by_the_ethics_office_or_the_department(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client)
    move_to(engine, local("2026-11-02 10:00"))
    await prepare(engine, key)
    await report_official(engine, key)
    await after(engine, local("2026-11-12 08:59"))
    assert RadioHotline.BROADCAST_TIMER not in engine.instance(key).passed, "nothing is recorded before air"
    await after(engine, local("2026-11-12 09:01"))
    task = await engine.user_task_at(key, RadioHotline.BROADCAST_RECORD)
    assert set(task.candidate_groups) == {"ethics-office", DEPARTMENT}


# ------------------------------------------------- items not answered on air [§十一.3(5), 4(3)]


async def test_an_ordinary_item_is_handled_in_seven_working_days_and_the_reporter_told_and_asked(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client)
    await go_on_air(engine, key, [NOISE_ITEM])
    number = await item_case_number(engine, key)
    item = workers.view_case(number, ETHICS_OFFICE)
    assert number != engine.instance(key).variables["caseNumber"], "each item is a case of its own"
    assert (item.channel, item.category, item.lead_unit) == ("radio-hotline", "一般", DEPARTMENT)
    # 7 working days after Thursday 12 November: 13, 16-20, 23 November.
    assert item.due_at == local("2026-11-24 00:00")
    move_to(engine, local("2026-11-20 15:00"))
    await sign_for(engine, key)
    await answer_item(engine, key, "已责令工地夜间22时后停止施工，并安排夜查。")
    item = workers.view_case(number, ETHICS_OFFICE)
    [answer] = history(item, "reply")
    assert (answer["unit"], answer["text"], answer["signer"]) == (
        DEPARTMENT,
        "已责令工地夜间22时后停止施工，并安排夜查。",
        "王局长",
    )
    [handled] = activities(item, "item-handled")
    assert handled["data"]["onTime"] is True and handled["data"]["solved"] is True
    assert any(number in s for s in subjects(workers, ETHICS_OFFICE)), "the ethics office hears the result"
    assert any(number in s for s in subjects(workers, PROGRAMME)), "the programme team hears the result"
    callback = await engine.user_task_at(key, RadioHotline.ITEM_CALLBACK)
    assert callback.candidate_groups == (DEPARTMENT,), "the department calls the reporter back"
    await engine.complete_user_task(
        key, RadioHotline.ITEM_CALLBACK, {"satisfaction": "satisfied", "callbackNote": "夜间已无施工噪音"}
    )
    await engine.is_completed(key)
    item = workers.view_case(number, ETHICS_OFFICE)
    [survey] = history(item, "satisfaction")
    assert (survey["result"], survey["note"]) == ("satisfied", "夜间已无施工噪音")
    [letter] = activities(item, "item-callback")
    assert letter["data"] == {"result": "satisfied", "satisfied": True}
    assert statuses(item) == ["received", "dispatched", "signed", "handled", "completed"]
    assert item.archived_at is not None
    assert broadcast_case(workers, engine, key).status == "completed"


async def test_a_difficult_item_is_due_within_a_month(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client)
    await go_on_air(engine, key, [RIVER_ITEM])
    number = await item_case_number(engine, key)
    # A month after 12 November is Saturday 12 December: the next working day, Monday 14.
    assert workers.view_case(number, ETHICS_OFFICE).due_at == local("2026-12-15 00:00")
    move_to(engine, local("2026-12-11 10:00"))
    await sign_for(engine, key)
    await answer_item(engine, key, "已制定支流清淤和截污方案，分期实施。")
    [handled] = activities(workers.view_case(number, ETHICS_OFFICE), "item-handled")
    assert handled["data"]["onTime"] is True, "a difficult item answered within the month is on time"
    assert handled["data"]["category"] == "疑难"


async def test_a_late_item_is_chased_before_and_at_its_deadline(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client)
    await go_on_air(engine, key, [NOISE_ITEM])
    number = await item_case_number(engine, key)
    handling = await sign_for(engine, key)
    await after(engine, local("2026-11-23 08:31"))
    await engine.has_passed(handling, UnitHandling.NOTIFY_REMINDER)
    await after(engine, local("2026-11-24 00:01"))
    await engine.has_passed(handling, UnitHandling.NOTIFY_OVERDUE)
    item = workers.view_case(number, ETHICS_OFFICE)
    notes = [r["note"] for r in history(item, "reminder")]
    assert notes == ["到期前催办（第一次催办）", "超期催办（第二次催办）"]
    assert any("超期" in s for s in subjects(workers, unit(DEPARTMENT)))
    move_to(engine, local("2026-11-24 10:00"))
    await answer_item(engine, key, "已停止夜间施工。")
    [handled] = activities(workers.view_case(number, ETHICS_OFFICE), "item-handled")
    assert handled["data"]["onTime"] is False, "an answer after the deadline is recorded as late"


async def test_an_item_that_cannot_be_solved_is_explained_to_the_reporter(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client)
    await go_on_air(engine, key, [RIVER_ITEM])
    number = await item_case_number(engine, key)
    move_to(engine, local("2026-11-30 10:00"))
    await sign_for(engine, key)
    await answer_item(engine, key, "已组织现场调查。", solved=False)
    item = workers.view_case(number, ETHICS_OFFICE)
    [answer] = history(item, "reply")
    assert "整治需列入明年市级水环境治理计划" in answer["text"], "the reporter is given the explanation"
    [handled] = activities(item, "item-handled")
    assert handled["data"]["solved"] is False
    assert handled["data"]["explanation"] == "整治需列入明年市级水环境治理计划，暂难一次解决"


async def test_an_item_outside_the_departments_duties_is_redispatched_by_the_ethics_office(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client)
    await go_on_air(engine, key, [NOISE_ITEM])
    number = await item_case_number(engine, key)
    await engine.complete_user_task(key, UnitHandling.SIGN_FOR, {"signAction": "return"})
    reason = "建筑工地夜间施工由综合执法局查处"
    await engine.complete_user_task(
        key, UnitHandling.RETURN_REQUEST, {"returnReason": reason, "returnSigner": "王局长"}
    )
    redispatch = await engine.user_task_at(key, RadioHotline.ITEM_REDISPATCH)
    assert redispatch.candidate_groups == ("ethics-office",)
    await engine.complete_user_task(key, RadioHotline.ITEM_REDISPATCH, {"leadUnit": "综合执法局"})
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    assert task.candidate_groups == ("综合执法局",), "the new unit signs for the item"
    item = workers.view_case(number, ETHICS_OFFICE)
    assert item.lead_unit == "综合执法局"
    assert item.due_at == local("2026-11-24 00:00"), "the limit still runs from the broadcast"
    [returned] = history(item, "return")
    assert (returned["unit"], returned["reason"]) == (DEPARTMENT, reason)


async def test_every_item_is_its_own_case_handled_in_parallel(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await line_up(engine, client)
    await go_on_air(engine, key, [NOISE_ITEM, RIVER_ITEM])

    async def both_signed_for() -> list[Any] | None:
        tasks = [t for t in await engine.user_tasks(key) if t.element_id == UnitHandling.SIGN_FOR]
        return tasks if len(tasks) == 2 else None

    tasks = await engine.poll(both_signed_for, lambda: "two items were never both waiting to be signed for")
    numbers = {engine.instance(task.process_instance_key).variables["caseNumber"] for task in tasks}
    assert len(numbers) == 2
    dues = {workers.view_case(number, ETHICS_OFFICE).due_at for number in numbers}
    assert dues == {local("2026-11-24 00:00"), local("2026-12-15 00:00")}
    [held] = activities(broadcast_case(workers, engine, key), "broadcast-held")
    assert held["data"]["pending"] == 2


# ------------------------------------------------------------------ indicators [§十一.4(4)]


async def test_the_bulletin_counts_broadcasts_the_principals_share_deferrals_and_items(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, tmp_path: Path
) -> None:
    key = await line_up(engine, client)
    deferred = await line_up(engine, client, "2026-11-26T09:00:00+08:00")
    move_to(engine, local("2026-11-05 10:00"))
    await ask_for_leave(engine, deferred)
    await engine.complete_user_task(
        deferred,
        RadioHotline.LEAVE_APPROVAL,
        {"leaveDecision": "approved", "newBroadcastAt": "2026-12-17T09:00:00+08:00"},
    )
    await engine.has_passed(deferred, RadioHotline.RECORD_DEFERRED_STATUS)
    await engine.user_task_at(deferred, RadioHotline.PREPARATION)
    await go_on_air(engine, key, [NOISE_ITEM])
    await sign_for(engine, key)
    move_to(engine, local("2026-11-20 15:00"))
    await answer_item(engine, key, "已责令工地夜间22时后停止施工。")
    await engine.complete_user_task(
        key, RadioHotline.ITEM_CALLBACK, {"satisfaction": "basically", "callbackNote": "基本解决"}
    )
    await engine.is_completed(key)
    section = channel_section(
        tmp_path, ProcessId.RADIO_HOTLINE, ("monthly", "2026-11"), local("2026-12-01 08:00")
    )
    rows = section_rows(section)
    expected = {
        "broadcasts": 1,
        "principal-led": 1,
        "principal-share-met": 1,
        "answered": 10,
        "answered-by-principal": 6,
        "deferrals": 1,
        "items": 1,
        "items-handled": 1,
        "items-on-time": 1,
        "on-time-rate": 1.0,
        "callbacks": 1,
        "satisfied": 1,
        "satisfaction-rate": 1.0,
    }
    assert rows[DEPARTMENT] == expected, f"the department's row: {rows[DEPARTMENT]}"
    assert rows[TOTAL] == expected
