"""hotline-ticket (12345): one scenario per rule of domain.md's hotline section, on the real workers.

Each scenario moves the engine's clock (which is the workers' clock) instead of sleeping, and checks
the end state, the dates and what the ledger (台账) recorded and posted to the inboxes. Dates are
2026's: National Day 2026-10-01..10-07 is a holiday, Sunday 2026-09-20 and Saturday 2026-10-10 are
make-up working days (国务院办公厅 2026 schedule, as chinesecalendar has it).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from process_support import REPOSITORY
from pyzeebe import ZeebeClient
from scenario import (
    CENTRE,
    SHANGHAI,
    SUPERVISION,
    after,
    case_of,
    dispatch_notices,
    dispatch_ticket,
    history,
    local,
    move_to,
    notices,
    receive_ticket,
    statuses,
    subjects,
    unit,
)

from engine.testing.handle import EngineHandle
from workers.ids import HotlineTicket, UnitHandling
from workers.ledger.service import Ledger
from workers.report_policy import load_report_policy
from workers.reports.bulletin import compile_bulletin
from workers.reports.periods import parse_period
from workers.reports.service import open_reader

NOISE = {
    "title": "酒吧噪音扰民",
    "content": "楼下酒吧每晚噪音扰民到凌晨，投诉多次仍未解决，请尽快处理",
    "appellant": {"name": "张三", "phone": "13800001111", "address": "铁东区某小区3栋"},
}
QUESTION = {
    "title": "咨询社保卡办理",
    "content": "请问社保卡在哪里办理，需要带什么材料？",
    "appellant": {"name": "李四", "phone": "13800002222"},
}


async def handling_key(engine: EngineHandle, key: int, element_id: str) -> int:
    """The unit-handling instance that the ticket called, found by its open user task."""
    task = await engine.user_task_at(key, element_id)
    return task.process_instance_key


async def sign_for(engine: EngineHandle, key: int) -> int:
    child = await handling_key(engine, key, UnitHandling.SIGN_FOR)
    await engine.complete_user_task(
        key,
        UnitHandling.SIGN_FOR,
        {"signAction": "accept", "readingLeader": "王局长", "readingOpinion": "请执法大队现场处理"},
    )
    return child


async def reply(
    engine: EngineHandle, key: int, text: str = "已现场检查，责令酒吧整改并安装隔音设施。"
) -> None:
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
    await engine.user_task_at(key, HotlineTicket.CALLBACK)


def bulletin_escalations(tmp_path: Path, month: str, at: datetime) -> dict[str, object]:
    """The bulletin's 督办 indicator (escalations) per unit for `month`, from the workers' ledger."""
    reader = open_reader(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        bulletin = compile_bulletin(
            reader, load_report_policy(REPOSITORY / "config"), parse_period("monthly", month), at
        )
    finally:
        reader.dispose()
    return {row.name: dict(row.values)["escalations"] for row in bulletin.units}


async def return_order(engine: EngineHandle, key: int, reason: str) -> None:
    await engine.complete_user_task(key, UnitHandling.SIGN_FOR, {"signAction": "return"})
    await engine.complete_user_task(
        key, UnitHandling.RETURN_REQUEST, {"returnReason": reason, "returnSigner": "王局长"}
    )


async def ask_for_extension(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(key, UnitHandling.HANDLING_REPLY, {"handlingAction": "extension"})
    await engine.complete_user_task(
        key,
        UnitHandling.EXTENSION_REQUEST,
        {"extensionReason": "需第三方检测噪声，检测周期较长", "extensionSigner": "王局长"},
    )


# ----------------------------------------------------------------------------- 首问首接 [003 §三.1]


async def test_the_front_desk_answers_directly_and_closes_the_case(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, QUESTION)
    task = await engine.user_task_at(key, HotlineTicket.INTAKE)
    assert list(task.candidate_groups) == ["hotline-centre"]
    answer = "社保卡可到各区政务服务中心社保窗口办理，带身份证原件即可。"
    await engine.complete_user_task(
        key, HotlineTicket.INTAKE, {"intakeAction": "answer", "directAnswer": answer, "category": "咨询"}
    )
    view = await engine.is_completed(key)
    assert HotlineTicket.RECORD_DIRECT_REPLY in view.passed
    assert HotlineTicket.DISPATCH_TICKET not in view.passed, "an answered call is never dispatched"
    case = case_of(workers, engine, key)
    assert case.category == "咨询"
    assert [(r["unit"], r["text"]) for r in history(case, "reply")] == [("12345热线服务中心", answer)]
    assert case.status == "closed"
    assert case.archived_at is not None


async def test_a_three_way_call_with_the_unit_answers_at_once_without_a_work_order(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, QUESTION)
    answer = "人社局社保科：社保卡在各区政务服务中心办理，带身份证即可，当场制卡。"
    await engine.complete_user_task(
        key,
        HotlineTicket.INTAKE,
        {
            "intakeAction": "three-way",
            "directAnswer": answer,
            "category": "咨询",
            "leadUnit": "人力资源社会保障局",
        },
    )
    view = await engine.is_completed(key)
    assert HotlineTicket.UNIT_HANDLING not in view.passed
    case = case_of(workers, engine, key)
    assert [(r["unit"], r["text"]) for r in history(case, "reply")] == [("人力资源社会保障局", answer)]
    assert case.status == "closed"


# --------------------------------------------------------------------- same-day dispatch [000 二]


async def test_a_first_appeal_repeats_nothing_and_the_same_complaint_again_repeats_it(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    first = await receive_ticket(engine, client, NOISE)
    variables = engine.instance(first).variables
    assert variables["repeatOf"] is None, (
        f"the first complaint {variables['caseNumber']} was taken for a repeat of {variables['repeatOf']}"
    )
    again = await receive_ticket(engine, client, NOISE, at="2026-09-25 11:00")
    assert engine.instance(again).variables["repeatOf"] == variables["caseNumber"]


async def test_a_dispatched_order_goes_to_its_first_responsible_unit_the_same_day(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, NOISE, at="2026-09-25 16:50")
    variables = await dispatch_ticket(engine, key)
    assert variables["leadUnit"] == "环保局", "noise pollution: 环保局 is the first responsible unit [002 三]"
    dispatched_at = datetime.fromisoformat(variables["dispatchedAt"]).astimezone(SHANGHAI)
    assert dispatched_at.date() == local("2026-09-25 00:00").date(), "dispatched on the day of intake"
    case = case_of(workers, engine, key)
    assert case.lead_unit == "环保局"
    assert case.category == "投诉"
    assert statuses(case) == ["received", "dispatched"]
    assert any(subject.startswith("【派单】") for subject in subjects(workers, unit("环保局")))
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    assert list(task.candidate_groups) == ["环保局"]


async def test_the_dispatch_notice_tells_the_lead_and_co_units_the_handling_deadline(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # Dispatched Friday 25 September, a complaint is due at the end of Thursday 29 October (see the
    # twentieth-working-day scenario below); the notice is sent once the deadline is recorded.
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key, coUnits=["住房城乡建设委"])
    for unit_name in ("环保局", "住房城乡建设委"):
        notices = dispatch_notices(workers, unit_name, case_of(workers, engine, key).case_number)
        assert len(notices) == 1, f"{unit_name} got {len(notices)} dispatch notices, not one"
        assert "2026年10月29日 24:00" in notices[0], (
            f"{unit_name}'s dispatch notice does not name the handling deadline:\n{notices[0]}"
        )


# --------------------------------------------------------------------------- sign-for [002 二]


async def test_the_unit_signs_for_the_order_with_its_leaders_instruction(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    child = await sign_for(engine, key)
    await engine.is_waiting_at(child, UnitHandling.HANDLING_REPLY)
    transitions = history(case_of(workers, engine, key), "transition")
    signed = [t for t in transitions if t["to_status"] == "signed"]
    assert signed and signed[0]["actor"] == "环保局" and signed[0]["note"] == "请执法大队现场处理"


# ------------------------------------------------------------------- limits by category [002 二]


async def test_a_complaint_dispatched_before_national_day_is_due_on_its_twentieth_working_day(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # Dispatched Friday 25 September; the count starts on the next day: 9-28, 9-29, 9-30 (3),
    # National Day 10-01..10-07 off, 10-08, 10-09 (5), make-up Saturday 10-10 (6), 10-12..10-16 (11),
    # 10-19..10-23 (16), 10-26..10-29 (20): due at the end of Thursday 29 October.
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    child = await handling_key(engine, key, UnitHandling.SIGN_FOR)
    variables = engine.instance(child).variables
    assert datetime.fromisoformat(variables["dueAt"]) == local("2026-10-30 00:00")
    assert datetime.fromisoformat(variables["remindAt"]) == local("2026-10-29 08:30")
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    assert task.due_date is not None
    assert case_of(workers, engine, key).due_at == local("2026-10-30 00:00")


async def test_a_question_is_due_in_two_working_days(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, QUESTION)
    await dispatch_ticket(engine, key)
    child = await handling_key(engine, key, UnitHandling.SIGN_FOR)
    # Friday 25 September: Monday 28 and Tuesday 29 September.
    assert datetime.fromisoformat(engine.instance(child).variables["dueAt"]) == local("2026-09-30 00:00")
    assert case_of(workers, engine, key).due_at == local("2026-09-30 00:00")


# ------------------------------------------------------------------------------ return [002 二]


async def test_a_unit_returns_an_order_outside_its_duties_and_the_centre_redispatches_it(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    await engine.complete_user_task(key, UnitHandling.SIGN_FOR, {"signAction": "return"})
    reason = "该酒吧位于开发区，噪声执法由综合执法局负责"
    await engine.complete_user_task(
        key, UnitHandling.RETURN_REQUEST, {"returnReason": reason, "returnSigner": "王局长"}
    )
    redispatch = await engine.user_task_at(key, HotlineTicket.REDISPATCH)
    assert list(redispatch.candidate_groups) == ["hotline-centre"]
    assert engine.instance(key).variables["returnReason"] == reason
    assert any(s.startswith("【退单】") for s in subjects(workers, CENTRE))
    move_to(engine, local("2026-09-28 09:00"))
    await engine.complete_user_task(
        key,
        HotlineTicket.REDISPATCH,
        {"returnDecision": "redispatch", "leadUnit": "综合执法局", "coUnits": []},
    )
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    assert list(task.candidate_groups) == ["综合执法局"], "the new unit signs for the order"
    child = task.process_instance_key
    # The new unit's deadline counts from the re-dispatch on Monday 28 September: 9-29, 9-30,
    # 10-08, 10-09, make-up 10-10, 10-12 .. 10-30 (20).
    assert datetime.fromisoformat(engine.instance(child).variables["dueAt"]) == local("2026-10-31 00:00")
    case = case_of(workers, engine, key)
    assert [(r["unit"], r["reason"]) for r in history(case, "return")] == [("环保局", reason)]
    assert case.lead_unit == "综合执法局"
    notices = dispatch_notices(workers, "综合执法局", case_of(workers, engine, key).case_number)
    assert len(notices) == 1, f"the new unit got {len(notices)} dispatch notices, not one"
    assert "2026年10月30日 24:00" in notices[0], (
        f"the new unit's dispatch notice does not name its own deadline:\n{notices[0]}"
    )
    await engine.complete_user_task(
        key,
        UnitHandling.SIGN_FOR,
        {"signAction": "accept", "readingLeader": "赵局长", "readingOpinion": "办理"},
    )
    await engine.is_waiting_at(child, UnitHandling.HANDLING_REPLY)


# ------------------------------------------- return refused: 无正当理由拒不受理 ⇒ 督办 [002 五]


async def test_a_groundless_return_is_refused_escalated_and_goes_back_to_the_unit_on_its_first_deadline(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, tmp_path: Path
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    await return_order(engine, key, "酒吧噪音应由公安机关处理")
    await engine.user_task_at(key, HotlineTicket.REDISPATCH)
    move_to(engine, local("2026-09-28 09:00"))
    refusal = "社会生活噪声污染由环保局负责，退单理由不成立"
    await engine.complete_user_task(
        key, HotlineTicket.REDISPATCH, {"returnDecision": "refuse", "returnRefusalReason": refusal}
    )
    supervision = await engine.user_task_at(key, HotlineTicket.RETURN_SUPERVISION)
    assert list(supervision.candidate_groups) == ["supervision"]
    assert not [t for t in await engine.user_tasks(key) if t.element_id == UnitHandling.SIGN_FOR], (
        "the order goes back to the unit only once supervision has urged it"
    )
    case = case_of(workers, engine, key)
    [escalation] = history(case, "escalation")
    assert escalation["unit"] == "环保局", f"the escalation names {escalation['unit']}, not the unit"
    assert "拒不受理" in escalation["reason"] and refusal in escalation["reason"], escalation["reason"]
    [supervised] = notices(workers, "环保局", "【督办】", case.case_number)
    assert refusal in supervised, f"the unit is not told why it is supervised:\n{supervised}"
    await engine.complete_user_task(
        key,
        HotlineTicket.RETURN_SUPERVISION,
        {"supervisionManner": "phone", "supervisionOpinion": "请环保局立即受理并按时办结"},
    )
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    assert list(task.candidate_groups) == ["环保局"], "the order goes back to the same unit"
    # 谁接办、谁负责: the limit still counts from Friday 25 September's dispatch (due at the end of
    # Thursday 29 October), not from Monday 28 September (which would give Friday 30 October).
    child = engine.instance(task.process_instance_key).variables
    assert datetime.fromisoformat(child["dueAt"]) == local("2026-10-30 00:00")
    view = engine.instance(key)
    assert view.passed.count(HotlineTicket.DISPATCH_TICKET) == 1, "a refused return is no new dispatch"
    assert HotlineTicket.RECORD_REDISPATCH not in view.passed
    assert view.variables.get("returnDecision") is None, (
        "the refusal is still chosen: the unit's next return would open 改派 with it preselected"
    )
    case = case_of(workers, engine, key)
    assert case.lead_unit == "环保局" and case.due_at == local("2026-10-30 00:00")
    dispatched = dispatch_notices(workers, "环保局", case_of(workers, engine, key).case_number)
    assert len(dispatched) == 2 and all("2026年10月29日 24:00" in n for n in dispatched), (
        f"the unit is not sent the order back with its first deadline: {dispatched}"
    )
    assert bulletin_escalations(tmp_path, "2026-09", local("2026-09-30 12:00")).get("环保局") == 1, (
        "the bulletin does not count the refused return as a 督办 of 环保局"
    )
    child_key = await sign_for(engine, key)
    await engine.is_waiting_at(child_key, UnitHandling.HANDLING_REPLY)


# --------------------------------------------------------------------------- extension [002 二]


async def test_an_extension_asked_in_time_and_approved_moves_the_deadline_and_its_reminders(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    child = await sign_for(engine, key)
    # Tuesday 27 October is the last day to ask: 2 working days before Thursday 29 October.
    move_to(engine, local("2026-10-27 10:00"))
    await ask_for_extension(engine, key)
    approval = await engine.user_task_at(key, UnitHandling.EXTENSION_APPROVAL)
    assert list(approval.candidate_groups) == ["supervision"]
    await engine.complete_user_task(
        key, UnitHandling.EXTENSION_APPROVAL, {"extensionDecision": "approved", "approvalOpinion": "同意"}
    )
    await engine.is_waiting_at(child, UnitHandling.HANDLING_REPLY)
    variables = engine.instance(child).variables
    # Another 20 working days from Thursday 29 October: 10-30 .. 11-26.
    assert datetime.fromisoformat(variables["dueAt"]) == local("2026-11-27 00:00")
    assert datetime.fromisoformat(variables["remindAt"]) == local("2026-11-26 08:30")
    case = case_of(workers, engine, key)
    [extension] = history(case, "extension")
    assert extension["decision"] == "approved" and extension["signer"] == "王局长"
    assert case.due_at == local("2026-11-27 00:00")
    assert any(s.startswith("【延期审批】") for s in subjects(workers, unit("环保局")))
    # The old reminder and due date pass without a word: the timers moved with the deadline.
    await after(engine, local("2026-10-30 00:01"))
    await engine.is_waiting_at(child, UnitHandling.HANDLING_REPLY)
    assert history(case_of(workers, engine, key), "reminder") == []
    await after(engine, local("2026-11-26 08:31"))
    await engine.has_passed(child, UnitHandling.NOTIFY_REMINDER, times=1)
    assert len(history(case_of(workers, engine, key), "reminder")) == 1


async def test_an_extension_asked_later_than_two_working_days_before_due_is_refused(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    child = await sign_for(engine, key)
    move_to(engine, local("2026-10-28 10:00"))
    await ask_for_extension(engine, key)
    await engine.has_passed(child, UnitHandling.NOTIFY_EXTENSION_REFUSED)
    await engine.is_waiting_at(child, UnitHandling.HANDLING_REPLY)
    view = engine.instance(child)
    assert UnitHandling.EXTENSION_APPROVAL not in view.passed, "too late: supervision is not even asked"
    assert datetime.fromisoformat(view.variables["dueAt"]) == local("2026-10-30 00:00")
    case = case_of(workers, engine, key)
    [extension] = history(case, "extension")
    assert extension["decision"] == "rejected" and extension["new_due_at"] is None
    assert case.due_at == local("2026-10-30 00:00")
    assert any("不同意延期" in s for s in subjects(workers, unit("环保局")))


async def test_supervision_may_refuse_an_extension_asked_in_time(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    child = await sign_for(engine, key)
    move_to(engine, local("2026-10-20 10:00"))
    await ask_for_extension(engine, key)
    await engine.complete_user_task(
        key,
        UnitHandling.EXTENSION_APPROVAL,
        {"extensionDecision": "rejected", "approvalOpinion": "理由不充分"},
    )
    await engine.has_passed(child, UnitHandling.RECORD_EXTENSION_REFUSED)
    await engine.is_waiting_at(child, UnitHandling.HANDLING_REPLY)
    assert datetime.fromisoformat(engine.instance(child).variables["dueAt"]) == local("2026-10-30 00:00")
    [extension] = history(case_of(workers, engine, key), "extension")
    assert extension["decision"] == "rejected"


# ------------------------------------------------------------ reminders and escalation [002 五]


async def test_the_unit_is_reminded_before_the_deadline_and_again_when_it_is_overdue(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    child = await sign_for(engine, key)
    await after(engine, local("2026-10-29 08:29"))
    assert history(case_of(workers, engine, key), "reminder") == [], "no reminder before remindAt"
    await after(engine, local("2026-10-29 08:30"))
    await engine.has_passed(child, UnitHandling.NOTIFY_REMINDER, times=1)
    assert any(s.startswith("【催办】") for s in subjects(workers, unit("环保局")))
    await after(engine, local("2026-10-30 00:00"))
    await engine.has_passed(child, UnitHandling.NOTIFY_OVERDUE, times=1)
    reminders = history(case_of(workers, engine, key), "reminder")
    assert [r["note"] for r in reminders] == ["到期前催办（第一次催办）", "超期催办（第二次催办）"]
    assert any(s.startswith("【超期】") for s in subjects(workers, SUPERVISION))
    # The unit may still answer; the waiting escalation ends with its answer.
    await reply(engine, key)
    # The answer ended the waiting escalation: nothing happens when its time comes.
    await after(engine, local("2026-11-02 09:00"))
    view = await engine.is_completed(child)
    assert view.variables["escalated"] is False
    assert UnitHandling.RECORD_ESCALATION not in view.passed
    assert history(case_of(workers, engine, key), "escalation") == []


async def test_the_second_unanswered_reminder_escalates_to_supervision(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    child = await sign_for(engine, key)
    await after(engine, local("2026-10-30 00:00"))
    await engine.has_passed(child, UnitHandling.COMPUTE_ESCALATION_DEADLINE)
    view = await engine.is_waiting_at(child, UnitHandling.ESCALATION_TIMER)
    escalate_at = datetime.fromisoformat(view.variables["escalateAt"])
    # 催办答复: one working day after the due date. Due at the end of Thursday 29 October, so the
    # unit has Friday 30 October to answer the second reminder.
    assert escalate_at == local("2026-10-31 00:00")
    await after(engine, escalate_at)
    task = await engine.user_task_at(key, UnitHandling.SUPERVISION)
    assert list(task.candidate_groups) == ["supervision"]
    case = case_of(workers, engine, key)
    assert len(history(case, "reminder")) == 2
    [escalation] = history(case, "escalation")
    assert escalation["unit"] == "环保局" and "两次催办" in escalation["reason"]
    assert any(s.startswith("【督办】") for s in subjects(workers, unit("环保局")))
    await engine.complete_user_task(
        key, UnitHandling.SUPERVISION, {"supervisionManner": "document", "supervisionOpinion": "限3日内办结"}
    )
    await reply(engine, key)
    assert engine.instance(key).variables["escalated"] is True


# ----------------------------------------------------- first responsible unit, co-handling [002 三]

# Street stalls in a housing estate: urban governance leads, property management and the stalls'
# cooking fumes make co-units.
STALLS = {
    "title": "小区物业不管占道经营",
    "content": "小区门口流动摊贩占道经营，物业公司和业主委员会都不管，垃圾桶旁摊位占用人行道，物业费照收",
    "appellant": {"name": "王五", "phone": "13800003333"},
}


async def test_co_handling_units_give_their_opinions_before_the_first_responsible_unit_answers(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, STALLS)
    # The routing makes 综合执法局 (urban governance) the first responsible unit and 住房城乡建设委
    # (property management) a co-unit; the operator adds 环保局 for the stalls' cooking fumes.
    classified = engine.instance(key).variables
    assert (classified["leadUnit"], classified["coUnits"]) == ("综合执法局", ["住房城乡建设委"])
    await dispatch_ticket(engine, key, coUnits=["住房城乡建设委", "环保局"])
    assert any(s.startswith("【派单】") for s in subjects(workers, unit("住房城乡建设委"))), (
        "co-units hear too"
    )
    child = await sign_for(engine, key)
    opinions = {
        "住房城乡建设委": ("已约谈物业公司，督促其履行管理责任", "孙主任"),
        "环保局": ("将对摊位油烟进行检测", "钱局长"),
    }
    await engine.user_task_at(key, UnitHandling.CO_HANDLING)
    tasks = [t for t in await engine.user_tasks(key) if t.element_id == UnitHandling.CO_HANDLING]
    assert sorted(group for t in tasks for group in t.candidate_groups) == ["住房城乡建设委", "环保局"]
    assert not [t for t in await engine.user_tasks(key) if t.element_id == UnitHandling.HANDLING_REPLY]
    first, second = tasks
    [first_unit] = first.candidate_groups
    await engine.driver.complete_user_task(
        first.key, {"coOpinion": opinions[first_unit][0], "coSigner": opinions[first_unit][1]}
    )
    await engine.wait_until_idle()
    assert not [t for t in await engine.user_tasks(key) if t.element_id == UnitHandling.HANDLING_REPLY], (
        "the lead unit cannot answer before every co-unit has given its opinion"
    )
    [second_unit] = second.candidate_groups
    await engine.driver.complete_user_task(
        second.key, {"coOpinion": opinions[second_unit][0], "coSigner": opinions[second_unit][1]}
    )
    task = await engine.user_task_at(key, UnitHandling.HANDLING_REPLY)
    assert list(task.candidate_groups) == ["综合执法局"]
    collected = engine.instance(child).variables["coOpinions"]
    assert sorted((o["unit"], o["opinion"], o["signer"]) for o in collected) == sorted(
        (unit_name, *opinion) for unit_name, opinion in opinions.items()
    )
    await reply(engine, key, "经综合执法局牵头，会同住建委、环保局联合整治，摊贩已清理。")
    assert len(engine.instance(key).variables["coOpinions"]) == 2
    case = case_of(workers, engine, key)
    assert case.lead_unit == "综合执法局" and set(case.co_units) == {"住房城乡建设委", "环保局"}
    assert history(case, "reply")[0]["unit"] == "综合执法局", "the first responsible unit answers"


async def co_opinion(engine: EngineHandle, key: int, element_id: str, unit_name: str, opinion: str) -> None:
    """`unit_name` gives its co-handling opinion at `element_id`."""
    await engine.user_task_at(key, element_id)
    [task] = [
        t
        for t in await engine.user_tasks(key)
        if t.element_id == element_id and list(t.candidate_groups) == [unit_name]
    ]
    await engine.driver.complete_user_task(task.key, {"coOpinion": opinion, "coSigner": "孙主任"})
    await engine.wait_until_idle()


async def test_a_co_unit_reported_as_not_cooperating_is_escalated_urged_and_gives_its_opinion_again(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, tmp_path: Path
) -> None:
    key = await receive_ticket(engine, client, STALLS)
    await dispatch_ticket(engine, key, coUnits=["住房城乡建设委", "环保局"])
    child = await sign_for(engine, key)
    await co_opinion(engine, key, UnitHandling.CO_HANDLING, "住房城乡建设委", "不属我委职责，不参与")
    await co_opinion(engine, key, UnitHandling.CO_HANDLING, "环保局", "将对摊位油烟进行检测")
    note = "住建委不接受会办，拒绝约谈物业公司"
    await engine.complete_user_task(
        key,
        UnitHandling.HANDLING_REPLY,
        {
            "handlingAction": "co-units-uncooperative",
            "uncooperativeCoUnits": ["住房城乡建设委"],
            "uncooperativeNote": note,
        },
    )
    supervision = await engine.user_task_at(key, UnitHandling.CO_UNIT_SUPERVISION_TASK)
    assert list(supervision.candidate_groups) == ["supervision"]
    [escalation] = history(case_of(workers, engine, key), "escalation")
    assert escalation["unit"] == "住房城乡建设委", f"the 督办 names {escalation['unit']}, not the co-unit"
    reason = escalation["reason"]
    assert "协办单位不接受、不配合" in reason and note in reason, f"the 督办 does not say why: {reason}"
    assert any(s.startswith("【督办】") for s in subjects(workers, unit("综合执法局")))
    await engine.complete_user_task(
        key,
        UnitHandling.CO_UNIT_SUPERVISION_TASK,
        {"supervisionManner": "document", "supervisionOpinion": "请住建委3日内约谈物业公司并提出会办意见"},
    )
    await engine.user_task_at(key, UnitHandling.CO_HANDLING_AGAIN)
    assert any(s.startswith("【会办催办】") for s in subjects(workers, unit("住房城乡建设委"))), (
        "the co-unit is not urged"
    )
    assert not any(s.startswith("【会办催办】") for s in subjects(workers, unit("环保局"))), (
        "a co-unit that cooperated is urged too"
    )
    assert not [t for t in await engine.user_tasks(key) if t.element_id == UnitHandling.HANDLING_REPLY], (
        "the lead answers before the urged co-unit has given its opinion again"
    )
    renewed = "已约谈物业公司，督促其履行管理责任"
    await co_opinion(engine, key, UnitHandling.CO_HANDLING_AGAIN, "住房城乡建设委", renewed)
    await engine.user_task_at(key, UnitHandling.HANDLING_REPLY)
    opinions = {o["unit"]: o["opinion"] for o in engine.instance(child).variables["coOpinions"]}
    assert opinions == {"住房城乡建设委": renewed, "环保局": "将对摊位油烟进行检测"}, opinions
    await reply(engine, key, "经综合执法局牵头，会同住建委、环保局联合整治，摊贩已清理。")
    assert bulletin_escalations(tmp_path, "2026-09", local("2026-09-30 12:00")).get("住房城乡建设委") == 1, (
        "the bulletin does not count the 督办 of the co-unit"
    )


# ------------------------------------------------------------------- reply, callback, close [002 二]


async def test_the_reply_is_recorded_and_sent_and_a_satisfied_case_is_closed_and_archived(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    await sign_for(engine, key)
    move_to(engine, local("2026-10-12 15:00"))
    text = "已现场检查，责令酒吧整改并安装隔音设施。"
    await reply(engine, key, text)
    case = case_of(workers, engine, key)
    [answer] = history(case, "reply")
    assert (answer["unit"], answer["text"], answer["signer"]) == ("环保局", text, "王局长")
    assert any("已办理答复" in s for s in subjects(workers, CENTRE))
    callback = await engine.user_task_at(key, HotlineTicket.CALLBACK)
    assert list(callback.candidate_groups) == ["hotline-centre"]
    await engine.complete_user_task(
        key, HotlineTicket.CALLBACK, {"satisfaction": "satisfied", "callbackNote": "噪音已明显减小"}
    )
    view = await engine.is_completed(key)
    assert HotlineTicket.ON_SITE_CHECK not in view.passed
    case = case_of(workers, engine, key)
    [survey] = history(case, "satisfaction")
    assert survey["result"] == "satisfied" and survey["note"] == "噪音已明显减小"
    assert case.status == "closed"
    assert case.archived_at is not None
    assert statuses(case) == ["received", "dispatched", "signed", "handled", "closed"]


# ------------------------------------------------------------- unsatisfied: on-site check [002 四]


async def test_an_unsatisfied_case_is_checked_on_site_and_handled_again_by_the_unit(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    await sign_for(engine, key)
    await reply(engine, key)
    await engine.complete_user_task(
        key, HotlineTicket.CALLBACK, {"satisfaction": "unsatisfied", "callbackNote": "酒吧仍营业到凌晨两点"}
    )
    check = await engine.user_task_at(key, HotlineTicket.ON_SITE_CHECK)
    assert list(check.candidate_groups) == ["supervision"]
    move_to(engine, local("2026-10-13 10:00"))
    await engine.complete_user_task(
        key,
        HotlineTicket.ON_SITE_CHECK,
        {
            "checkFindings": "现场核实：隔音设施未安装",
            "recheckDecision": "rehandle",
            "recheckGround": "improper-handling",
        },
    )
    # Handled again by the same unit, with a new deadline from the new dispatch.
    task = await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    assert list(task.candidate_groups) == ["环保局"]
    await engine.has_passed(key, HotlineTicket.UNIT_HANDLING, times=1)
    second = engine.instance(task.process_instance_key).variables
    assert datetime.fromisoformat(second["dueAt"]) == local("2026-11-11 00:00")
    await sign_for(engine, key)
    await reply(engine, key, "已查封音响设备，酒吧承诺23点前停业。")
    await engine.complete_user_task(key, HotlineTicket.CALLBACK, {"satisfaction": "basically"})
    view = await engine.is_completed(key)
    assert view.passed.count(HotlineTicket.UNIT_HANDLING) == 2
    case = case_of(workers, engine, key)
    assert [s["result"] for s in history(case, "satisfaction")] == ["unsatisfied", "basically"]
    checked = [t for t in history(case, "transition") if t["to_status"] == "checked"]
    assert checked and checked[0]["note"] == "现场核实：隔音设施未安装"
    assert len(history(case, "reply")) == 2
    assert case.status == "closed" and case.archived_at is not None


async def test_an_unsatisfied_case_whose_check_confirms_the_handling_is_closed(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    await sign_for(engine, key)
    await reply(engine, key)
    await engine.complete_user_task(key, HotlineTicket.CALLBACK, {"satisfaction": "unsatisfied"})
    await engine.complete_user_task(
        key, HotlineTicket.ON_SITE_CHECK, {"checkFindings": "已整改到位", "recheckDecision": "close"}
    )
    view = await engine.is_completed(key)
    assert view.passed.count(HotlineTicket.UNIT_HANDLING) == 1
    assert history(case_of(workers, engine, key), "escalation") == [], "a confirmed handling is no 督办"


async def test_a_re_handling_the_on_site_check_orders_is_recorded_and_notified_as_supervision(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, tmp_path: Path
) -> None:
    key = await receive_ticket(engine, client, NOISE)
    await dispatch_ticket(engine, key)
    await sign_for(engine, key)
    move_to(engine, local("2026-10-12 15:00"))
    await reply(engine, key)
    await engine.complete_user_task(
        key, HotlineTicket.CALLBACK, {"satisfaction": "unsatisfied", "callbackNote": "隔音设施根本没装"}
    )
    assert history(case_of(workers, engine, key), "escalation") == [], "no 督办 before the check"
    move_to(engine, local("2026-10-13 10:00"))
    await engine.complete_user_task(
        key,
        HotlineTicket.ON_SITE_CHECK,
        {
            "checkFindings": "诉求人反映属实，隔音设施未安装",
            "recheckDecision": "rehandle",
            "recheckGround": "reasonable-dispute",
        },
    )
    await engine.user_task_at(key, UnitHandling.SIGN_FOR)
    case = case_of(workers, engine, key)
    [escalation] = history(case, "escalation")
    assert escalation["unit"] == "环保局"
    reason = escalation["reason"]
    assert "合理质疑" in reason and "隔音设施未安装" in reason, f"the 督办 does not say why: {reason}"
    inbox = subjects(workers, unit("环保局"))
    assert inbox[0].startswith("【派单】") and inbox[1].startswith("【督办】"), (
        f"the unit is not told it is supervised before the order comes back: {inbox[:2]}"
    )
    [supervised] = notices(workers, "环保局", "【督办】", case.case_number)
    assert "隔音设施未安装" in supervised, f"the unit is not told why it is supervised:\n{supervised}"
    assert bulletin_escalations(tmp_path, "2026-10", local("2026-10-31 12:00")).get("环保局") == 1, (
        "the bulletin does not count the ordered re-handling as a 督办 of 环保局"
    )
