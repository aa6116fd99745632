"""leader-reception (来访接待和下访) [seed 003 §十]: each rule as a scenario on the real diagram and
workers, moving the engine's clock.

Dates are 2026's: the working-day calendar covers 2026 (National Day 2026-10-01..10-07), and a
60-day limit from a 2026-12 assignment would end in 2027, which calendar.toml does not cover yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyzeebe import ZeebeClient
from scenario import (
    LEADERS,
    SHANGHAI,
    activities,
    after,
    case_of,
    channel_section,
    dispatch_notices,
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
from workers.ids import LeaderReception, LeaderReceptionMessages, ProcessId
from workers.ledger.masking import Viewer
from workers.ledger.queries import CaseQuery
from workers.ledger.service import Ledger
from workers.reports.bulletin import TOTAL

PETITION_OFFICE = Viewer(role="petition-office")
UNIT = "民政局"
LEADER = "李副市长"
VISIT: dict[str, Any] = {
    "receivingLeader": LEADER,
    "leaderRank": "deputy",
    "receptionKind": "open",
    "appellant": {"name": "王秀英", "phone": "13800000021", "address": "京口区正东路8号"},
    "title": "低保申请被拒",
    "content": "家中两人重病，申请最低生活保障被街道拒绝，请求重新审核",
    "inScope": True,
    "responsibleUnit": UNIT,
}
OPINION = {"handlingOpinion": "经重新核查，符合低保条件，自10月起纳入保障。", "handlingSigner": "民政局局长"}


async def receive(
    engine: EngineHandle, client: ZeebeClient, at: str = "2026-09-15 09:00", **changes: Any
) -> int:
    """A visitor received by a leader at `at`; the instance key once the case is registered and
    waits for its minutes."""
    variables = {**VISIT, "receptionDate": local(at).isoformat(), **changes}
    return await start(
        engine, client, ProcessId.LEADER_RECEPTION, local(at), variables, LeaderReception.MINUTES
    )


async def take_minutes(engine: EngineHandle, key: int, at: str = "2026-09-15 10:00") -> None:
    """The petition office's minutes name the responsible unit; the unit has the case to answer."""
    await after(engine, local(at))
    await engine.complete_user_task(
        key,
        LeaderReception.MINUTES,
        {"minutes": "接访领导听取诉求，要求民政局重新核查，依规办理。", "responsibleUnit": UNIT},
    )
    await engine.has_passed(key, LeaderReception.NOTIFY_ASSIGNED)
    await engine.is_waiting_at(key, LeaderReception.HANDLING_OPINION)


async def give_opinion(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(key, LeaderReception.HANDLING_OPINION, OPINION)
    await engine.is_waiting_at(key, LeaderReception.LEADER_SIGN)


async def sign(engine: EngineHandle, key: int, decision: str = "approved") -> None:
    opinion = "同意，抓紧落实。" if decision == "approved" else "核查不细，重新研究。"
    await engine.complete_user_task(
        key, LeaderReception.LEADER_SIGN, {"signDecision": decision, "leaderOpinion": opinion}
    )


async def follow_up(engine: EngineHandle, key: int, result: str) -> None:
    await engine.complete_user_task(
        key,
        LeaderReception.FOLLOW_UP,
        {"followUpResult": result, "followUpNote": "回访信访人，了解落实情况。"},
    )


async def handled_to_follow_up(engine: EngineHandle, key: int) -> None:
    await take_minutes(engine, key)
    await give_opinion(engine, key)
    await sign(engine, key)
    await engine.is_waiting_at(key, LeaderReception.FOLLOW_UP)


async def test_the_receiving_leader_owns_the_case_and_the_visit_is_in_the_leaders_register(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # [seed 003 §十.1(1)] 谁接访、谁落实包案责任; [§十.2(5)四] the register per leader.
    key = await receive(engine, client)
    view = engine.instance(key)
    assert view.variables["caseNumber"].startswith("JF2026-")
    case = case_of(workers, engine, key)
    assert (case.channel, case.status) == ("leader-reception", "owned")
    [owned] = [entry for entry in history(case, "transition") if entry["to_status"] == "owned"]
    assert owned["actor"] == LEADER, "the receiving leader owns the case"
    assert "包案" in owned["note"]
    [visit] = activities(case, "visit-received")
    assert visit["actor"] == LEADER, "the reception is written in the receiving leader's register"
    assert visit["data"] == {"kind": "open", "rank": "deputy", "repeat": False, "inScope": True}
    assert instant(visit["occurredAt"].isoformat()) == local("2026-09-15 09:00")
    task = await engine.user_task_at(key, LeaderReception.MINUTES)
    assert task.candidate_groups == ("petition-office",)


async def test_outside_the_leaders_responsibility_the_leader_assigns_and_transfers(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # [seed 003 §十.1(1)] 分管范围以外的，接访领导负责交办、转办，督促落实“四包”责任制.
    key = await receive(engine, client, inScope=False)
    case = case_of(workers, engine, key)
    [owned] = [entry for entry in history(case, "transition") if entry["to_status"] == "owned"]
    assert owned["actor"] == LEADER
    assert "交办、转办" in owned["note"], f"the ownership note says: {owned['note']}"
    assert activities(case, "visit-received")[0]["data"]["inScope"] is False


async def test_minutes_are_taken_and_the_case_is_assigned_with_the_sixty_day_limit(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # [seed 003 §十.2(5)二] 逐案形成纪要，按照《信访条例》规定及时进行交办.
    key = await receive(engine, client)
    await take_minutes(engine, key, at="2026-09-15 10:00")
    case = case_of(workers, engine, key)
    [minutes] = activities(case, "minutes-taken")
    assert (minutes["actor"], minutes["unit"]) == (LEADER, UNIT)
    assert statuses(case)[-2:] == ["owned", "assigned"]
    assert case.lead_unit == UNIT
    # Day 60 after Tuesday 15 September is Saturday 14 November: the limit runs to the Monday's end.
    assert case.due_at == local("2026-11-17 00:00"), f"due {case.due_at}"
    limit = engine.instance(key).variables.get("limitDays")
    assert limit == 60, f"the unit's limit is 《信访条例》's 60 days, the diagram has {limit}"
    task = await engine.user_task_at(key, LeaderReception.HANDLING_OPINION)
    assert task.candidate_groups == (UNIT,)
    assert instant(task.due_date) == local("2026-11-17 00:00")
    notices = dispatch_notices(workers, UNIT)
    assert len(notices) == 1, f"the unit got {len(notices)} dispatch notices, not one"
    assert "2026年11月16日 24:00" in notices[0], f"the notice does not name the 60-day limit:\n{notices[0]}"


async def test_a_unit_late_with_its_opinion_is_reminded_and_then_supervised_by_the_petition_office(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # [seed 003 §十.2(5)二] 信访部门……及时进行交办和督办.
    key = await receive(engine, client)
    await take_minutes(engine, key)
    # Reminded at the opening of office hours on the limit's last day, Monday 16 November.
    await after(engine, local("2026-11-16 08:29"))
    assert LeaderReception.REMINDER_TIMER not in engine.instance(key).passed, "reminded too early"
    await after(engine, local("2026-11-16 08:31"))
    await engine.has_passed(key, LeaderReception.NOTIFY_REMINDER)
    [reminder] = history(case_of(workers, engine, key), "reminder")
    assert reminder["unit"] == UNIT
    assert any("催办" in subject for subject in subjects(workers, unit(UNIT))), "the unit is not reminded"
    await after(engine, local("2026-11-16 23:59"))
    assert LeaderReception.OVERDUE_TIMER not in engine.instance(key).passed, (
        "supervised before the limit ran out"
    )
    await after(engine, local("2026-11-17 00:01"))
    task = await engine.user_task_at(key, LeaderReception.SUPERVISION)
    assert task.candidate_groups == ("petition-office",)
    [escalation] = history(case_of(workers, engine, key), "escalation")
    assert escalation["unit"] == UNIT
    assert any("督办" in subject for subject in subjects(workers, unit(UNIT))), (
        "the unit hears of the supervision"
    )
    await engine.complete_user_task(
        key,
        LeaderReception.SUPERVISION,
        {"supervisionManner": "document", "supervisionOpinion": "限5日内提出处理意见。"},
    )
    await engine.has_passed(key, LeaderReception.RECORD_SUPERVISED)
    [supervised] = activities(case_of(workers, engine, key), "case-supervised")
    assert (supervised["actor"], supervised["unit"], supervised["data"]) == (
        LEADER,
        UNIT,
        {"manner": "document"},
    )
    await engine.is_waiting_at(key, LeaderReception.HANDLING_OPINION)


async def test_no_reply_reaches_the_visitor_before_the_leader_signs_the_opinion(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # [seed 003 §十.2(5)二] 处理意见须经接访领导签署意见后才能答复信访人.
    key = await receive(engine, client)
    await take_minutes(engine, key)
    await give_opinion(engine, key)
    task = await engine.user_task_at(key, LeaderReception.LEADER_SIGN)
    assert task.assignee == LEADER, "the receiving leader signs in person"
    assert history(case_of(workers, engine, key), "reply") == [], "a reply was recorded before the signature"
    # Sent back for more work: still no reply, the unit answers again.
    await sign(engine, key, "revise")
    await engine.has_passed(key, LeaderReception.HANDLING_OPINION, times=1)
    await engine.is_waiting_at(key, LeaderReception.HANDLING_OPINION)
    assert history(case_of(workers, engine, key), "reply") == [], "a reply was recorded for a revised opinion"
    await give_opinion(engine, key)
    await sign(engine, key)
    await engine.is_waiting_at(key, LeaderReception.FOLLOW_UP)
    case = case_of(workers, engine, key)
    [signed] = [entry for entry in history(case, "transition") if entry["to_status"] == "signed"]
    [reply] = history(case, "reply")
    assert signed["actor"] == LEADER
    assert (reply["text"], reply["signer"], reply["unit"]) == (OPINION["handlingOpinion"], LEADER, UNIT)
    assert reply["recorded_at"] >= signed["recorded_at"], "the reply went out before the signature"


async def test_the_petition_office_follows_up_until_the_case_is_closed_and_reports_to_the_leader(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # [seed 003 §十.2(5)一、三] 包案处理到位直至“案结事了”；跟踪检查，及时向接访下访领导反馈.
    key = await receive(engine, client)
    await handled_to_follow_up(engine, key)
    assert (await engine.user_task_at(key, LeaderReception.FOLLOW_UP)).candidate_groups == (
        "petition-office",
    )
    await after(engine, local("2026-10-20 10:00"))
    await follow_up(engine, key, "not-closed")
    # Not settled: the unit has the case again, with a new limit from today; its 60th day is
    # Saturday 19 December, so it runs to the end of Monday 21 December.
    await engine.has_passed(key, LeaderReception.COMPUTE_DEADLINE, times=2)
    await engine.is_waiting_at(key, LeaderReception.HANDLING_OPINION)
    assert case_of(workers, engine, key).due_at == local("2026-12-22 00:00")
    await give_opinion(engine, key)
    await sign(engine, key)
    await engine.is_waiting_at(key, LeaderReception.FOLLOW_UP)
    await follow_up(engine, key, "closed")
    await engine.is_completed(key)
    case = case_of(workers, engine, key)
    reports = activities(case, "follow-up-reported")
    assert [(entry["actor"], entry["data"]["closed"]) for entry in reports] == [
        (LEADER, False),
        (LEADER, True),
    ]
    assert statuses(case)[-1] == "closed"
    [closed] = [entry for entry in history(case, "transition") if entry["to_status"] == "closed"]
    assert closed["actor"] == LEADER
    assert case.archived_at is not None
    assert len(history(case, "reply")) == 2, "each signed opinion is answered to the visitor"
    feedback = [message for message in workers.inbox(LEADERS) if "跟踪落实反馈" in message.subject]
    assert len(feedback) == 2, "the leaders hear of each follow-up"
    assert "案结事了" in feedback[0].body and "再次交办" in feedback[1].body, "newest first: closed, then not"


async def test_a_repeat_visit_is_owned_again_by_the_leader_of_the_earlier_visit(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # [seed 003 §十.2(5)三] 对因工作不到位导致信访人再次越级上访的，仍由原接访下访领导包案处理.
    first = await receive(engine, client)
    earlier = engine.instance(first).variables["caseNumber"]
    again = await receive(
        engine,
        client,
        at="2026-10-12 09:00",
        receivingLeader="王市长",
        leaderRank="principal",
        repeatOf=earlier,
    )
    view = engine.instance(again)
    assert LeaderReception.FIND_ORIGINAL_LEADER in view.passed
    assert (view.variables["receivingLeader"], view.variables["leaderRank"]) == (LEADER, "deputy")
    [visit] = activities(case_of(workers, engine, again), "visit-received")
    assert visit["actor"] == LEADER, "the repeat visit is written in the earlier leader's register"
    assert visit["data"]["repeat"] is True
    await take_minutes(engine, again, at="2026-10-12 10:00")
    await give_opinion(engine, again)
    assert (await engine.user_task_at(again, LeaderReception.LEADER_SIGN)).assignee == LEADER
    # A first visit is not looked up.
    assert LeaderReception.FIND_ORIGINAL_LEADER not in engine.instance(first).passed


async def test_a_repeat_of_an_unknown_case_stops_with_an_incident_naming_it(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    move_to(engine, local("2026-10-12 09:00"))
    started = await client.run_process(
        ProcessId.LEADER_RECEPTION,
        {**VISIT, "receptionDate": local("2026-10-12 09:00").isoformat(), "repeatOf": "JF2026-999999"},
    )
    view = await engine.has_incident(
        started.process_instance_key, element_id=LeaderReception.FIND_ORIGINAL_LEADER
    )
    [incident] = view.incidents.values()
    assert "JF2026-999999" in incident.error_message, f"the incident says: {incident.error_message}"
    assert LeaderReception.REGISTER_CASE not in view.passed, "a case was opened for a repeat of nothing"


async def publish_schedule(
    engine: EngineHandle,
    client: ZeebeClient,
    workers: Ledger,
    month: str,
    days: list[dict[str, str]],
    at: str,
) -> int:
    """The petition office's schedule for `month`, sent at `at` and published at once; the key of
    the instance it started, found through its case in the ledger."""
    move_to(engine, local(at))
    await client.publish_message(
        LeaderReceptionMessages.SCHEDULE,
        "",
        {"scheduleMonth": month, "schedule": days},
        time_to_live_in_milliseconds=0,
    )
    query = CaseQuery(text=f"（{month}）", channel=ProcessId.LEADER_RECEPTION)

    async def started() -> int | None:
        cases = workers.case_search().search(query, PETITION_OFFICE).cases
        return cases[0].process_instance_key if cases else None

    key = await engine.poll(started, lambda: f"no schedule case for {month} in the ledger")
    task = await engine.user_task_at(key, LeaderReception.PUBLISH_SCHEDULE)
    assert task.candidate_groups == ("petition-office",)
    await engine.complete_user_task(
        key, LeaderReception.PUBLISH_SCHEDULE, {"publishedVia": ["website", "screen"]}
    )
    await engine.is_completed(key)
    return key


OCTOBER = [
    {"leader": "王市长", "date": "2026-10-16", "kind": "open"},
    {"leader": "张局长", "date": "2026-10-09", "kind": "open"},
    {"leader": "张局长", "date": "2026-10-22", "kind": "case-carrying"},
    {"leader": "李副市长", "date": "2026-10-28", "kind": "appointment"},
]


async def test_the_months_schedule_is_published_at_the_start_of_the_month_and_recorded_per_leader(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # [seed 003 §十.2(3)一] 每月初……提前公示接访领导; [§十.1(2)] 活动安排向社会公开.
    key = await publish_schedule(engine, client, workers, "2026-10", OCTOBER, at="2026-10-08 09:00")
    case = case_of(workers, engine, key)
    assert (statuses(case)[-1], case.archived_at is not None) == ("completed", True)
    days = sorted(
        (
            entry["actor"],
            entry["occurredAt"].astimezone(SHANGHAI).date().isoformat(),
            entry["data"]["kind"],
            entry["data"]["inAdvance"],
        )
        for entry in activities(case, "reception-day-scheduled")
    )
    assert days == [
        ("张局长", "2026-10-09", "open", True),
        ("张局长", "2026-10-22", "case-carrying", True),
        ("李副市长", "2026-10-28", "appointment", True),
        ("王市长", "2026-10-16", "open", True),
    ]
    duties = {
        entry["actor"]: (entry["data"]["receptionDaysDue"], entry["data"]["visitsDue"])
        for entry in activities(case, "reception-duty")
    }
    # October opens a quarter (principal leader, visits) but no two-month period (other leaders).
    assert duties == {"王市长": (1, 1), "李副市长": (0, 1), "赵副市长": (0, 1), "张局长": (1, 1)}
    # [seed 003 §十.2(4)] 每逢市领导接待日，各部门要在本部门同步开展接访下访活动.
    [notice] = [message for message in workers.inbox(unit(UNIT)) if "接访安排公示" in message.subject]
    assert "2026-10-16 王市长 公开接访" in notice.body, f"the departments are told: {notice.body}"
    assert "同步开展接访下访活动" in notice.body


async def test_a_day_published_after_it_took_place_is_not_in_advance(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await publish_schedule(
        engine,
        client,
        workers,
        "2026-11",
        [{"leader": "张局长", "date": "2026-11-02"}],
        at="2026-11-03 09:00",
    )
    [day] = activities(case_of(workers, engine, key), "reception-day-scheduled")
    assert (day["data"]["kind"], day["data"]["inAdvance"]) == ("open", False)


async def test_the_quarters_bulletin_sets_each_leaders_receptions_against_the_required_frequency(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, tmp_path: Path
) -> None:
    # [seed 003 §十.2(4)] 主要领导每季度一天，其他政府领导每两个月一天，部门主要领导每月一天；
    # 带案下访、重点约访每年不少于4次. [§十.3] 督查考核.
    await publish_schedule(engine, client, workers, "2026-10", OCTOBER, at="2026-10-08 09:00")
    await publish_schedule(
        engine,
        client,
        workers,
        "2026-11",
        [{"leader": "李副市长", "date": "2026-11-13"}],
        at="2026-11-02 09:00",
    )
    await publish_schedule(engine, client, workers, "2026-12", [], at="2026-12-01 09:00")
    await receive(engine, client, at="2026-10-16 09:30", receivingLeader="王市长", leaderRank="principal")
    section = channel_section(
        tmp_path, ProcessId.LEADER_RECEPTION, ("quarterly", "2026-Q4"), local("2027-01-01 08:00")
    )
    rows = section_rows(section)
    figures = ("reception-days-due", "reception-days", "visits-due", "visits", "visitors")
    picked = {name: tuple(rows[name][figure] for figure in figures) for name in rows}
    assert picked["王市长"] == (1, 1, 1, 0, 1), f"principal leader: {rows['王市长']}"
    assert picked["李副市长"] == (1, 1, 1, 1, 0), f"deputy: {rows['李副市长']}"
    assert picked["赵副市长"] == (1, 0, 1, 0, 0), f"deputy without a day: {rows['赵副市长']}"
    assert picked["张局长"] == (3, 1, 1, 1, 0), f"department head: {rows['张局长']}"
    assert rows["赵副市长"]["reception-day-rate"] == 0, "a leader without a reception day shows 0%"
    assert picked[TOTAL] == (6, 3, 4, 2, 1)
