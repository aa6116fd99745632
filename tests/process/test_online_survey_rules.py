"""online-survey (在线调查) [seed 003 §八]: each rule of the section as a scenario on the real diagram
and workers, moving the engine's clock.

The analysis report's limit is the jurisdiction's (config/deadlines.toml [limits.online-survey]
"分析报告", 5 working days from the close: the seed gives none). November 2026 has no holidays;
2 November is a Monday. The survey runs from Tuesday 3 November 09:00 to Tuesday 10 November 17:00.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

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
from workers.ids import OnlineSurvey, OnlineSurveyMessages, ProcessId
from workers.ledger.masking import Viewer
from workers.ledger.service import Ledger

UNIT = "民政局"
OPENS, CLOSES = "2026-11-03 09:00", "2026-11-10 17:00"


async def submit(
    engine: EngineHandle,
    client: ZeebeClient,
    department: str = UNIT,
    at: str = "2026-11-02 09:00",
    opens: str = OPENS,
    closes: str = CLOSES,
) -> int:
    """The department hands in its survey at `at` (the engine's clock is put there first)."""
    variables = {
        "unit": department,
        "title": "养老服务设施布局专题调查",
        "content": "征求公众对社区养老服务设施布局的意见，为制定规划提供参考",
        "questionnaireUrl": "https://mzj.example.cn/survey/2026-11",
        "opensAt": local(opens).isoformat(),
        "closesAt": local(closes).isoformat(),
    }
    return await start(engine, client, ProcessId.ONLINE_SURVEY, local(at), variables)


async def publish_link(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key,
        OnlineSurvey.PUBLISH_LINK,
        {"surveyPageUrl": "https://www.zhenjiang.gov.cn/zxdc/2026-11", "editor": "编辑部陈编辑"},
    )
    await engine.has_passed(key, OnlineSurvey.RECORD_LINK_PUBLISHED)


async def answer(client: ZeebeClient, case_number: str, count: int) -> None:
    """`count` answers reach the survey now; none is kept for a later subscriber."""
    for _ in range(count):
        await client.publish_message(
            OnlineSurveyMessages.ANSWER, case_number, {}, time_to_live_in_milliseconds=0
        )


async def run_until_closed(engine: EngineHandle, client: ZeebeClient, key: int, answers: int) -> str:
    """Link published, survey opened, `answers` answers, survey closed; the case number."""
    await publish_link(engine, key)
    await after(engine, local(OPENS))
    view = await engine.is_waiting_at(key, OnlineSurvey.CLOSES_TIMER)
    await answer(client, view.variables["caseNumber"], answers)
    await engine.has_passed(key, OnlineSurvey.ANSWER_RECEIVED, times=answers)
    await after(engine, local(CLOSES))
    await engine.is_waiting_at(key, OnlineSurvey.ANALYSIS_REPORT)
    return str(view.variables["caseNumber"])


async def deliver_report(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key,
        OnlineSurvey.ANALYSIS_REPORT,
        {"reportSummary": "多数受访者希望在老旧小区增设日间照料中心。", "reportSigner": "王局长"},
    )
    await engine.has_passed(key, OnlineSurvey.RECORD_ANALYSIS_DELIVERED)


async def evaluate(engine: EngineHandle, key: int, grade: str = "excellent", score: int = 92) -> None:
    await engine.complete_user_task(
        key,
        OnlineSurvey.EVALUATION,
        {
            "evaluationGrade": grade,
            "evaluationScore": score,
            "evaluationComment": "选题贴近民生，答卷数量多，分析报告及时。",
            "evaluator": "编辑部刘主任",
        },
    )
    await engine.is_completed(key)


async def test_a_departments_survey_is_registered_and_its_link_published_by_the_website_editorial(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await submit(engine, client)
    task = await engine.user_task_at(key, OnlineSurvey.PUBLISH_LINK)
    assert task.candidate_groups == ("website-editorial",)
    assert instant(task.due_date) == local(OPENS), "the link is published before opening"
    case = case_of(workers, engine, key)
    assert case.case_number.startswith("DC2026-")
    assert (case.channel, case.lead_unit, case.category) == (ProcessId.ONLINE_SURVEY, UNIT, "在线调查")
    await publish_link(engine, key)
    case = case_of(workers, engine, key)
    assert statuses(case) == ["received", "published"]
    published = history(case, "transition")[-1]
    assert (published["actor"], published["note"]) == (
        "编辑部陈编辑",
        "https://www.zhenjiang.gov.cn/zxdc/2026-11",
    )
    # Published ahead of time, the survey waits for its opening.
    await engine.is_waiting_at(key, OnlineSurvey.OPENS_TIMER)
    await after(engine, local("2026-11-03 08:59:59"))
    assert OnlineSurvey.RECORD_OPENED not in engine.instance(key).passed
    await after(engine, local(OPENS))
    await engine.is_waiting_at(key, OnlineSurvey.CLOSES_TIMER)
    [opened] = activities(case_of(workers, engine, key), "survey-opened")
    assert opened["unit"] == UNIT
    assert datetime.fromisoformat(str(opened["occurredAt"])) == local(OPENS)


async def test_answers_are_counted_while_the_survey_is_open_and_not_after_it_closes(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await submit(engine, client)
    case_number = await run_until_closed(engine, client, key, answers=3)
    await answer(client, case_number, 2)
    await engine.wait_until_idle()
    await engine.is_waiting_at(key, OnlineSurvey.ANALYSIS_REPORT)
    assert engine.instance(key).variables["answers"] == 3, "answers after the close were counted"
    [closed] = activities(case_of(workers, engine, key), "survey-closed")
    assert closed["data"] == {"answers": 3}
    assert datetime.fromisoformat(str(closed["occurredAt"])) == local(CLOSES)


async def test_the_department_provides_its_analysis_report_within_the_limit_after_the_close(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await submit(engine, client)
    await run_until_closed(engine, client, key, answers=2)
    task = await engine.user_task_at(key, OnlineSurvey.ANALYSIS_REPORT)
    assert task.candidate_groups == (UNIT,), "the department that ran the survey writes the report"
    # Counted from the day after the close: Wed 11 ... Tue 17 November is the 5th working day.
    assert instant(task.due_date) == local("2026-11-18 00:00")
    assert case_of(workers, engine, key).due_at == local("2026-11-18 00:00")
    await after(engine, local("2026-11-16 10:00"))
    await deliver_report(engine, key)
    [delivered] = activities(case_of(workers, engine, key), "analysis-delivered")
    assert (delivered["unit"], delivered["actor"]) == (UNIT, "王局长")
    assert delivered["data"] == {
        "onTime": True,
        "answers": 2,
        "summary": "多数受访者希望在老旧小区增设日间照料中心。",
    }
    assert OnlineSurvey.REPORT_DUE_TIMER not in engine.instance(key).passed


async def test_a_late_analysis_report_is_chased_and_counted_late(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await submit(engine, client)
    await run_until_closed(engine, client, key, answers=1)
    await after(engine, local("2026-11-17 23:59:59"))
    assert OnlineSurvey.REPORT_DUE_TIMER not in engine.instance(key).passed
    await after(engine, local("2026-11-18 00:00:01"))
    await engine.has_passed(key, OnlineSurvey.NOTIFY_REPORT_OVERDUE)
    assert any("调查分析报告催交" in s for s in subjects(workers, unit(UNIT)))
    assert any("调查分析报告催交" in s for s in subjects(workers, Viewer("website-editorial")))
    [reminder] = history(case_of(workers, engine, key), "reminder")
    assert reminder["note"] == "调查结束后未按时提供调查情况分析报告"
    move_to(engine, local("2026-11-19 10:00"))
    await deliver_report(engine, key)
    [delivered] = activities(case_of(workers, engine, key), "analysis-delivered")
    assert delivered["data"]["onTime"] is False


async def test_the_website_editorial_evaluates_each_survey_within_the_month(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await submit(engine, client)
    await run_until_closed(engine, client, key, answers=4)
    move_to(engine, local("2026-11-16 10:00"))
    await deliver_report(engine, key)
    task = await engine.user_task_at(key, OnlineSurvey.EVALUATION)
    assert task.candidate_groups == ("website-editorial",)
    assert instant(task.due_date) == local("2026-12-01 00:00"), "due by the month's end"
    await evaluate(engine, key, "good", 85)
    case = case_of(workers, engine, key)
    [evaluated] = activities(case, "survey-evaluated")
    assert (evaluated["unit"], evaluated["actor"]) == (UNIT, "编辑部刘主任")
    assert evaluated["data"] == {
        "grade": "good",
        "score": 85,
        "comment": "选题贴近民生，答卷数量多，分析报告及时。",
        "answers": 4,
    }
    assert statuses(case) == ["received", "published", "completed"]
    assert case.archived_at is not None


async def test_the_monthly_bulletin_evaluates_each_departments_surveys_and_answers(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, tmp_path: Path
) -> None:
    # 民政局: 5 answers, report on time, excellent (95). 环保局: 1 answer, report late, fair (60).
    first = await submit(engine, client)
    second = await submit(engine, client, "环保局")
    for key in (first, second):
        await publish_link(engine, key)
    await after(engine, local(OPENS))
    for key, count in ((first, 5), (second, 1)):
        view = await engine.is_waiting_at(key, OnlineSurvey.CLOSES_TIMER)
        await answer(client, view.variables["caseNumber"], count)
        await engine.has_passed(key, OnlineSurvey.ANSWER_RECEIVED, times=count)
    await after(engine, local(CLOSES))
    await after(engine, local("2026-11-16 10:00"))
    await deliver_report(engine, first)
    await evaluate(engine, first, "excellent", 95)
    await after(engine, local("2026-11-20 10:00"))
    await deliver_report(engine, second)
    await evaluate(engine, second, "fair", 60)

    section = channel_section(
        tmp_path, ProcessId.ONLINE_SURVEY, ("monthly", "2026-11"), local("2026-12-01 09:00")
    )
    assert section.policy.label == "在线调查月度考评"
    rows = section_rows(section)
    assert rows[UNIT] == {
        "surveys": 1,
        "answers": 5,
        "reports": 1,
        "reports-on-time": 1,
        "report-on-time-rate": 1.0,
        "evaluated": 1,
        "excellent": 1,
        "score-total": 95,
        "average-score": 95.0,
    }
    assert rows["环保局"]["answers"] == 1 and rows["环保局"]["reports-on-time"] == 0
    assert section.total.values["average-score"] == 77.5
    assert section.total.values["answers"] == 6
