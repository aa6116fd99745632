"""online-interview (在线访谈) [seed 003 §七]: each rule of the section as a scenario on the real
diagram and workers, moving the engine's clock.

The interview of most scenarios is on Thursday 17 December 2026 at 14:30, on the "中国镇江" portal:
its plan is due by the end of Thursday 3 December (two weeks before), its preview page by the end of
Thursday 10 December (one week before). The units register their quarter's interviews in October.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pyzeebe import ZeebeClient
from scenario import (
    SUPERVISION,
    activities,
    after,
    case_of,
    channel_section,
    history,
    instant,
    local,
    section_rows,
    start,
    statuses,
    subjects,
    unit,
)
from test_online_message_rules import call_back, draft_and_sign_off, give_opinion, sign_for, unit_replies

from engine.runtime.entities import UserTask
from engine.testing.handle import EngineHandle
from workers.ids import OnlineInterview, OnlineInterviewMessages, OnlineMessage, ProcessId
from workers.ledger.masking import Viewer
from workers.ledger.service import Ledger
from workers.reports.bulletin import TOTAL

HOUSING = "住房城乡建设委"
CIVIL_AFFAIRS = "民政局"
INTERVIEW_AT = local("2026-12-17 14:30")
INTERVIEW = {
    "unit": HOUSING,
    "title": "老旧小区改造政策解读",
    "content": "解读2027年老旧小区改造计划、资金补助和居民参与方式",
    "venue": "portal",
    "guests": ["王建国", "李敏", "张伟"],
    "host": "周主持",
    "initialReviewer": "李敏",
    "finalReviewer": "王建国",
    "leader": "王建国",
}
PLAN = {
    "planTopic": "老旧小区改造政策解读",
    "planPreparation": "改造计划、补助标准、常见问题答复口径",
    "planLeaders": "王建国（局长）、李敏（处长）",
    "cityLeaderInvited": False,
}
ELEVATOR = ("我家小区能不能加装电梯？补贴多少？", "幸福里居民")


async def register(
    engine: EngineHandle,
    client: ZeebeClient,
    interview_at: datetime = INTERVIEW_AT,
    received: str = "2026-10-08 09:00",
    **changes: Any,
) -> int:
    """A unit's interview of its quarterly plan is registered at `received`; the instance key once
    the unit has its plan to write."""
    variables = {**INTERVIEW, **changes, "interviewAt": interview_at.isoformat()}
    return await start(
        engine, client, ProcessId.ONLINE_INTERVIEW, local(received), variables, OnlineInterview.SUBMIT_PLAN
    )


async def submit_plan(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(key, OnlineInterview.SUBMIT_PLAN, PLAN)
    await engine.user_task_at(key, OnlineInterview.SCHEDULE_INTERVIEW)


async def schedule(engine: EngineHandle, key: int, venue: str = "portal") -> None:
    await engine.complete_user_task(
        key, OnlineInterview.SCHEDULE_INTERVIEW, {"venue": venue, "scheduleNote": None}
    )
    await engine.has_passed(key, OnlineInterview.NOTIFY_SCHEDULED)


async def publish_preview(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key,
        OnlineInterview.PUBLISH_PREVIEW,
        {"previewUrl": "https://www.zhenjiang.example/zxft/2026-12", "previewMedia": ["newspaper", "radio"]},
    )
    await engine.has_passed(key, OnlineInterview.RECORD_PREVIEWED)


async def scheduled(
    engine: EngineHandle,
    client: ZeebeClient,
    interview_at: datetime = INTERVIEW_AT,
    venue: str = "portal",
    **changes: Any,
) -> int:
    """An interview planned and scheduled at `venue`, its preview page still to make."""
    key = await register(engine, client, interview_at, **changes)
    await submit_plan(engine, key)
    await schedule(engine, key, venue)
    return key


async def live(engine: EngineHandle, client: ZeebeClient, **changes: Any) -> int:
    """An interview planned, scheduled, previewed and now live, the host at work."""
    key = await scheduled(engine, client, **changes)
    await publish_preview(engine, key)
    await engine.is_waiting_at(key, OnlineInterview.INTERVIEW_STARTS)
    await after(engine, INTERVIEW_AT)
    await engine.user_task_at(key, OnlineInterview.HOST_INTERVIEW)
    return key


async def ask(client: ZeebeClient, engine: EngineHandle, key: int, question: str, asker: str) -> None:
    """A netizen asks `question` during the interview."""
    case_number = engine.instance(key).variables["caseNumber"]
    variables = {"question": question, "asker": asker}
    await client.publish_message(
        OnlineInterviewMessages.QUESTION, case_number, variables, time_to_live_in_milliseconds=0
    )


async def open_tasks(engine: EngineHandle, key: int, element_id: str, count: int) -> list[UserTask]:
    """The `count` open user tasks at `element_id`, oldest first, once there are that many."""

    async def found() -> list[UserTask] | None:
        tasks = [task for task in await engine.user_tasks(key) if task.element_id == element_id]
        return tasks if len(tasks) == count else None

    return await engine.poll(found, lambda: f"expected {count} open tasks at {element_id}")


async def screen(engine: EngineHandle, key: int, decision: str = "accept", guest: str = "李敏") -> None:
    form = {"screenDecision": decision, "answeringGuest": guest if decision == "accept" else None}
    await engine.complete_user_task(key, OnlineInterview.SCREEN_QUESTION, {**form, "screenNote": None})


async def answer(engine: EngineHandle, key: int, text: str) -> None:
    await engine.complete_user_task(key, OnlineInterview.ANSWER_QUESTION, {"answer": text})
    await engine.user_task_at(key, OnlineInterview.FINAL_REVIEW)


async def final_review(
    engine: EngineHandle, key: int, decision: str = "approve", note: str | None = None
) -> None:
    await engine.complete_user_task(
        key, OnlineInterview.FINAL_REVIEW, {"finalDecision": decision, "finalNote": note}
    )


async def end_by_host(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key,
        OnlineInterview.HOST_INTERVIEW,
        {"introduced": True, "photosPublished": True, "hostSummary": "访谈顺利结束。"},
    )
    await engine.user_task_at(key, OnlineInterview.LIST_ISSUES)


async def list_issues(engine: EngineHandle, key: int, questions: list[str]) -> None:
    await engine.complete_user_task(
        key, OnlineInterview.LIST_ISSUES, {"issueQuestions": questions, "issueNote": None}
    )


# ------------------------------------------------------------------------------------- the plan


async def test_the_plan_is_due_two_weeks_and_the_preview_one_week_before_the_interview(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await register(engine, client)
    variables = engine.instance(key).variables
    assert variables["planDueAt"] == "2026-12-04T00:00:00+08:00", "the plan is due by the end of 3 December"
    assert variables["previewDueAt"] == "2026-12-11T00:00:00+08:00", (
        "the preview is due by the end of 10 December"
    )
    task = await engine.user_task_at(key, OnlineInterview.SUBMIT_PLAN)
    assert task.candidate_groups == (HOUSING,), "the unit writes its own plan"
    assert instant(task.due_date) == local("2026-12-04 00:00")
    case = case_of(workers, engine, key)
    assert case.case_number.startswith("FT2026-")
    assert (case.channel, case.lead_unit, case.due_at) == (
        ProcessId.ONLINE_INTERVIEW,
        HOUSING,
        local("2026-12-04 00:00"),
    )


async def test_a_plan_submitted_in_time_is_recorded_on_time_and_not_chased(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await register(engine, client)
    await after(engine, local("2026-12-03 17:00"))
    await submit_plan(engine, key)
    [plan] = activities(case_of(workers, engine, key), "plan-submitted")
    assert (plan["unit"], plan["data"]["onTime"]) == (HOUSING, True), "a plan two weeks ahead is on time"
    assert plan["data"]["leaders"] == PLAN["planLeaders"]
    task = await engine.user_task_at(key, OnlineInterview.SCHEDULE_INTERVIEW)
    assert task.candidate_groups == ("e-government",), "the e-government office schedules the interview"
    await after(engine, local("2026-12-04 09:00"))
    assert history(case_of(workers, engine, key), "reminder") == [], "a plan in time is not chased"


async def test_a_late_plan_is_chased_and_recorded_as_late(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await register(engine, client)
    await after(engine, local("2026-12-03 23:59:59"))
    assert OnlineInterview.PLAN_DUE_TIMER not in engine.instance(key).passed
    await after(engine, local("2026-12-04 00:00:01"))
    await engine.has_passed(key, OnlineInterview.NOTIFY_PLAN_REMINDER)
    notes = [r["note"] for r in history(case_of(workers, engine, key), "reminder")]
    assert notes == ["访谈前两周未报送访谈方案，请尽快报送"]
    assert any("催办" in s for s in subjects(workers, unit(HOUSING))), "the unit is chased for its plan"
    await after(engine, local("2026-12-05 10:00"))
    await submit_plan(engine, key)
    [plan] = activities(case_of(workers, engine, key), "plan-submitted")
    assert plan["data"]["onTime"] is False, "a plan later than two weeks before is late"


# ------------------------------------------------------------------------------------- scheduling


async def test_the_office_schedules_a_portal_interview_counting_the_month_from_the_ledger(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await scheduled(engine, client)
    variables = engine.instance(key).variables
    assert (variables["monthPortalInterviews"], variables["unitPortalInterviews"]) == (0, 0)
    [recorded] = activities(case_of(workers, engine, key), "interview-scheduled")
    assert recorded["data"] == {
        "venue": "portal",
        "overMonthlyCap": False,
        "overMonthLimit": False,
        "monthPortalInterviews": 1,
    }
    assert recorded["occurredAt"] == INTERVIEW_AT, "an interview counts in the month it is held"
    assert statuses(case_of(workers, engine, key)) == ["received", "scheduled"]
    [notice] = [m.body for m in workers.inbox(unit(HOUSING)) if "在线访谈排期" in m.subject]
    assert "门户网站在线访谈栏目举办" in notice and "20分" not in notice, "the unit is told where it is held"


async def test_a_units_second_portal_interview_in_a_month_is_over_its_monthly_cap(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    first = await scheduled(engine, client)
    other_unit = await scheduled(engine, client, local("2026-12-22 09:30"), unit=CIVIL_AFFAIRS)
    november = await scheduled(engine, client, local("2026-11-26 09:30"))
    second = await scheduled(engine, client, local("2026-12-29 09:30"))
    flags = {
        name: activities(case_of(workers, engine, key), "interview-scheduled")[0]["data"]["overMonthlyCap"]
        for name, key in [
            ("first", first),
            ("other unit", other_unit),
            ("november", november),
            ("second", second),
        ]
    }
    assert flags == {"first": False, "other unit": False, "november": False, "second": True}, (
        "only the unit's second portal interview of December is over its cap of one a month"
    )
    variables = engine.instance(second).variables
    assert (variables["monthPortalInterviews"], variables["unitPortalInterviews"]) == (2, 1)
    assert variables["overMonthlyCap"] is True
    notices = [m.body for m in workers.inbox(unit(HOUSING)) if "在线访谈排期" in m.subject]
    assert sum("超过部分本次计20分" in body for body in notices) == 1, (
        "the unit is told that its second portal interview of the month scores 20 points"
    )


async def test_beyond_three_portal_interviews_a_month_the_office_is_warned_and_may_use_the_department_site(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    for day, unit_name in [("2026-12-08", CIVIL_AFFAIRS), ("2026-12-15", "环保局"), ("2026-12-17", HOUSING)]:
        await scheduled(engine, client, local(f"{day} 14:30"), unit=unit_name)
    moved = await register(engine, client, local("2026-12-23 14:30"), unit="综合执法局")
    await submit_plan(engine, moved)
    assert engine.instance(moved).variables["monthPortalInterviews"] == 3, (
        "the office sees three on the portal"
    )
    await schedule(engine, moved, venue="department")
    [recorded] = activities(case_of(workers, engine, moved), "interview-scheduled")
    assert recorded["data"]["venue"] == "department"
    assert recorded["data"]["overMonthLimit"] is False, (
        "a department-site interview is not a fourth on the portal"
    )
    kept = await scheduled(engine, client, local("2026-12-29 14:30"), unit="综合执法局")
    assert engine.instance(kept).variables["monthPortalInterviews"] == 3, (
        "the interview moved to the department site does not count on the portal"
    )
    [recorded] = activities(case_of(workers, engine, kept), "interview-scheduled")
    assert (recorded["data"]["overMonthLimit"], recorded["data"]["monthPortalInterviews"]) == (True, 4)


# ------------------------------------------------------------------------------------- the preview


async def test_the_office_publishes_the_preview_page_one_week_ahead(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await scheduled(engine, client)
    task = await engine.user_task_at(key, OnlineInterview.PUBLISH_PREVIEW)
    assert task.candidate_groups == ("e-government",)
    assert instant(task.due_date) == local("2026-12-11 00:00")
    await after(engine, local("2026-12-10 16:00"))
    await publish_preview(engine, key)
    [preview] = activities(case_of(workers, engine, key), "preview-published")
    assert preview["data"] == {
        "onTime": True,
        "media": ["newspaper", "radio"],
        "url": "https://www.zhenjiang.example/zxft/2026-12",
    }
    await after(engine, local("2026-12-11 09:00"))
    assert history(case_of(workers, engine, key), "reminder") == [], "a preview in time is not chased"
    assert statuses(case_of(workers, engine, key))[-1] == "previewed"


async def test_a_late_preview_is_chased_and_recorded_as_late(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await scheduled(engine, client)
    await after(engine, local("2026-12-11 00:00:01"))
    await engine.has_passed(key, OnlineInterview.NOTIFY_PREVIEW_OVERDUE)
    reminders = history(case_of(workers, engine, key), "reminder")
    assert [(r["unit"], r["note"]) for r in reminders] == [
        ("市政府办公室电子政务和信息处", "访谈前一周未发布预告页面，请立即发布")
    ]
    assert any("访谈预告催办" in s for s in subjects(workers, Viewer("e-government"))), (
        "the e-government office is told the preview page is late"
    )
    await after(engine, local("2026-12-14 10:00"))
    await publish_preview(engine, key)
    [preview] = activities(case_of(workers, engine, key), "preview-published")
    assert preview["data"]["onTime"] is False, "a preview later than a week before is late"


# ------------------------------------------------------------------------------------- live


async def test_questions_are_taken_from_the_start_of_the_interview_not_before(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await scheduled(engine, client)
    await publish_preview(engine, key)
    await after(engine, local("2026-12-17 14:00"))
    await ask(client, engine, key, "提前提的问题", "性急的网友")
    await engine.wait_until_idle()
    assert engine.instance(key).variables["questionsReceived"] == 0, "no question is taken before the start"
    await after(engine, INTERVIEW_AT)
    task = await engine.user_task_at(key, OnlineInterview.HOST_INTERVIEW)
    assert task.assignee == "周主持", "the host runs the interview"
    await ask(client, engine, key, *ELEVATOR)
    screening = await engine.user_task_at(key, OnlineInterview.SCREEN_QUESTION)
    assert screening.assignee == "李敏", "the initial reviewer screens every question"
    assert engine.instance(key).variables["questionLog"] == [{"question": ELEVATOR[0], "asker": ELEVATOR[1]}]


async def test_a_question_the_initial_reviewer_rejects_is_not_answered(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await live(engine, client)
    await ask(client, engine, key, "与本期主题无关的广告", "推销员")
    await screen(engine, key, decision="reject")
    await engine.has_passed(key, OnlineInterview.RECORD_QUESTION_REJECTED)
    tasks = [task.element_id for task in await engine.user_tasks(key)]
    assert tasks == [OnlineInterview.HOST_INTERVIEW], "a rejected question goes to no guest"
    [rejected] = activities(case_of(workers, engine, key), "question-rejected")
    assert (rejected["actor"], rejected["data"]["question"]) == ("李敏", 1)
    assert engine.instance(key).variables["questionsRejected"] == 1


async def test_nothing_is_published_before_the_final_reviewer_approves(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await live(engine, client)
    await ask(client, engine, key, *ELEVATOR)
    await screen(engine, key, guest="张伟")
    task = await engine.user_task_at(key, OnlineInterview.ANSWER_QUESTION)
    assert task.assignee == "张伟", "the guest the initial reviewer named answers"
    await answer(engine, key, "符合条件的小区可申请，每台补贴20万元。")
    review = await engine.user_task_at(key, OnlineInterview.FINAL_REVIEW)
    assert review.assignee == "王建国", "the final reviewer (the unit's leader) reviews every answer"
    assert engine.instance(key).variables["publishedAnswers"] == [], (
        "an answer waiting for review is not online"
    )
    assert activities(case_of(workers, engine, key), "answer-published") == []
    await final_review(engine, key)
    await engine.has_passed(key, OnlineInterview.RECORD_ANSWER_PUBLISHED)
    assert engine.instance(key).variables["publishedAnswers"] == [
        {
            "question": ELEVATOR[0],
            "asker": ELEVATOR[1],
            "answer": "符合条件的小区可申请，每台补贴20万元。",
            "guest": "张伟",
            "approvedBy": "王建国",
        }
    ]
    [published] = activities(case_of(workers, engine, key), "answer-published")
    assert (published["actor"], published["data"]) == (
        "王建国",
        {"question": 1, "guest": "张伟", "returns": 0},
    )


async def test_an_answer_sent_back_is_answered_again_and_only_the_approved_answer_is_published(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await live(engine, client)
    await ask(client, engine, key, *ELEVATOR)
    await screen(engine, key)
    await answer(engine, key, "可以加装。")
    await final_review(engine, key, decision="return", note="请写明补贴标准和申请途径")
    await engine.user_task_at(key, OnlineInterview.ANSWER_QUESTION)
    assert engine.instance(key).variables["publishedAnswers"] == [], "a returned answer is not published"
    await answer(engine, key, "可以加装，每台补贴20万元，向所在街道申请。")
    await final_review(engine, key)
    await engine.has_passed(key, OnlineInterview.RECORD_ANSWER_PUBLISHED)
    [published] = engine.instance(key).variables["publishedAnswers"]
    assert published["answer"] == "可以加装，每台补贴20万元，向所在街道申请。"
    [recorded] = activities(case_of(workers, engine, key), "answer-published")
    assert recorded["data"]["returns"] == 1


async def test_questions_asked_together_are_each_screened_answered_and_reviewed_on_their_own(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await live(engine, client)
    await ask(client, engine, key, *ELEVATOR)
    await ask(client, engine, key, "改造期间停车怎么办？", "老街坊")
    first, second = await open_tasks(engine, key, OnlineInterview.SCREEN_QUESTION, 2)
    await engine.driver.complete_user_task(second.key, {"screenDecision": "accept", "answeringGuest": "张伟"})
    await engine.driver.complete_user_task(first.key, {"screenDecision": "accept", "answeringGuest": "李敏"})
    answering = {
        task.assignee: task for task in await open_tasks(engine, key, OnlineInterview.ANSWER_QUESTION, 2)
    }
    await engine.driver.complete_user_task(answering["张伟"].key, {"answer": "设置临时停车点。"})
    await engine.driver.complete_user_task(answering["李敏"].key, {"answer": "每台补贴20万元。"})
    for review in await open_tasks(engine, key, OnlineInterview.FINAL_REVIEW, 2):
        await engine.driver.complete_user_task(review.key, {"finalDecision": "approve"})
    await engine.has_passed(key, OnlineInterview.RECORD_ANSWER_PUBLISHED, times=2)
    published = {
        entry["question"]: (entry["guest"], entry["answer"])
        for entry in engine.instance(key).variables["publishedAnswers"]
    }
    assert published == {
        ELEVATOR[0]: ("李敏", "每台补贴20万元。"),
        "改造期间停车怎么办？": ("张伟", "设置临时停车点。"),
    }, "each answer is published with its own question and guest"


async def test_the_host_ends_the_interview_and_an_answer_not_yet_approved_is_never_published(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await live(engine, client)
    await ask(client, engine, key, *ELEVATOR)
    await screen(engine, key)
    await answer(engine, key, "每台补贴20万元。")
    await final_review(engine, key)
    await engine.has_passed(key, OnlineInterview.RECORD_ANSWER_PUBLISHED)
    await ask(client, engine, key, "改造期间停车怎么办？", "老街坊")
    await screen(engine, key)
    await answer(engine, key, "尚待终审的答复")
    await ask(client, engine, key, "广告", "推销员")
    await screen(engine, key, decision="reject")
    await engine.has_passed(key, OnlineInterview.RECORD_QUESTION_REJECTED)
    await end_by_host(engine, key)
    view = engine.instance(key)
    assert OnlineInterview.FINAL_REVIEW not in view.waiting_at(), "the unreviewed answer is dropped"
    assert [a["answer"] for a in view.variables["publishedAnswers"]] == ["每台补贴20万元。"]
    [held] = activities(case_of(workers, engine, key), "interview-held")
    assert held["occurredAt"] == INTERVIEW_AT
    assert held["data"] == {
        "venue": "portal",
        "overMonthlyCap": False,
        "questions": 3,
        "answered": 1,
        "rejected": 1,
        "guests": 3,
        "introduced": True,
        "photosPublished": True,
    }
    assert statuses(case_of(workers, engine, key))[-1] == "held"


async def test_the_interview_platform_may_end_the_interview(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await live(engine, client)
    case_number = engine.instance(key).variables["caseNumber"]
    await client.publish_message(
        OnlineInterviewMessages.ENDED, case_number, {}, time_to_live_in_milliseconds=0
    )
    await engine.user_task_at(key, OnlineInterview.LIST_ISSUES)
    assert OnlineInterview.INTERVIEW_ENDED in engine.instance(key).passed
    [held] = activities(case_of(workers, engine, key), "interview-held")
    assert (held["data"]["questions"], held["data"]["introduced"]) == (0, False)
    await ask(client, engine, key, "结束后才提的问题", "迟到的网友")
    await engine.wait_until_idle()
    assert engine.instance(key).variables["questionsReceived"] == 0, "no question is taken after the end"


# ------------------------------------------------------------------------------------- supervision


async def test_an_issue_raised_in_the_interview_is_handled_and_supervised_as_an_appeal_of_its_own(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await live(engine, client)
    await ask(client, engine, key, *ELEVATOR)
    await ask(client, engine, key, "广告", "推销员")
    await end_by_host(engine, key)
    asked = [entry["question"] for entry in engine.instance(key).variables["questionLog"]]
    assert asked == [ELEVATOR[0], "广告"], "the office lists the issues from every question asked"
    await list_issues(engine, key, [ELEVATOR[0]])
    opinion = await engine.user_task_at(key, OnlineMessage.HANDLING_OPINION)
    appeal = engine.instance(opinion.process_instance_key).variables
    assert (appeal["source"], appeal["content"], appeal["appellant"]) == (
        "在线访谈",
        ELEVATOR[0],
        {"name": ELEVATOR[1]},
    )
    issue_case = workers.view_case(appeal["caseNumber"], SUPERVISION)
    assert (issue_case.channel, issue_case.case_number[:2]) == (ProcessId.ONLINE_MESSAGE, "WL"), (
        "the issue is an online message with a case number of its own"
    )
    [listed] = activities(case_of(workers, engine, key), "issues-listed")
    assert listed["data"] == {"issues": 1}
    assert engine.instance(key).state != "COMPLETED", "the interview stays open while its issue is handled"
    await give_opinion(engine, key)
    await sign_for(engine, key)
    handling = case_of(workers, engine, opinion.process_instance_key)
    assert handling.due_at is not None, "the issue has its own handling deadline"
    await unit_replies(engine, key)
    await draft_and_sign_off(engine, key)
    await call_back(engine, key)
    view = await engine.is_completed(key)
    assert view.variables["issueCases"] == [appeal["caseNumber"]]
    [handled] = activities(case_of(workers, engine, key), "issues-handled")
    assert handled["data"] == {"issues": 1, "cases": [appeal["caseNumber"]]}
    case = case_of(workers, engine, key)
    assert statuses(case) == ["received", "scheduled", "previewed", "held", "completed"]
    assert case.archived_at is not None


async def test_an_interview_without_issues_is_completed_and_archived(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await live(engine, client)
    await end_by_host(engine, key)
    await list_issues(engine, key, [])
    view = await engine.is_completed(key)
    assert OnlineInterview.SUPERVISE_ISSUES not in view.passed
    case = case_of(workers, engine, key)
    assert case.status == "completed" and case.archived_at is not None


# ------------------------------------------------------------------------------------- scoring


@pytest.mark.parametrize("period", [("monthly", "2026-12"), ("yearly", "2026")])
async def test_the_score_is_40_on_the_portal_20_on_a_department_site_and_20_beyond_one_a_month(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, tmp_path: Path, period: tuple[str, str]
) -> None:
    held = [
        ("2026-12-10 14:30", HOUSING, "portal"),
        ("2026-12-17 14:30", HOUSING, "portal"),
        ("2026-12-22 09:30", CIVIL_AFFAIRS, "department"),
    ]
    keys = [
        await scheduled(engine, client, local(at), venue, unit=unit_name) for at, unit_name, venue in held
    ]
    for key in keys:
        await publish_preview(engine, key)
    for key, (at, _, _) in zip(keys, held, strict=True):
        await after(engine, local(at))
        await engine.complete_user_task(key, OnlineInterview.HOST_INTERVIEW, {"introduced": True})
        await list_issues(engine, key, [])
        await engine.is_completed(key)
    rows = section_rows(
        channel_section(tmp_path, ProcessId.ONLINE_INTERVIEW, period, local("2027-01-02 08:00"))
    )
    scores = {name: (values["interviews"], values["score"]) for name, values in rows.items()}
    assert scores == {HOUSING: (2, 60), CIVIL_AFFAIRS: (1, 20), TOTAL: (3, 80)}, (
        f"40 + 20 for two December portal interviews of one unit, 20 for a department site: {rows}"
    )
    in_time = 3 if period[0] == "yearly" else 0
    assert (rows[TOTAL]["plans-on-time"], rows[TOTAL]["previews-on-time"]) == (in_time, in_time), (
        "plans and previews count when they were published (October), in time"
    )
