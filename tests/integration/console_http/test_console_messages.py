"""Messages people send to the channels' running processes from the console [seed 003]: the office
of the channel enters a sign-up, a netizen's question, a survey answer, a correction, a month's
reception schedule; the server checks the role, the case's channel and state, whether the process
waits for the message, and the fields, publishes it through /v2, and the process acts on it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from console_support import ConsoleStack
from test_console_channels import NOW, REGISTRATIONS, SUPERVISION, register
from test_console_intake import instances_of

from engine.testing.assertions import eventually
from workers.ids import (
    LeaderReception,
    LeaderReceptionMessages,
    MeetingAttendance,
    MeetingAttendanceMessages,
    OnlineInterview,
    OnlineInterviewMessages,
    OnlineSurvey,
    OnlineSurveyMessages,
    ProcessId,
    WeiboRelease,
    WeiboReleaseMessages,
)

SIGN_UP = {"name": "王芳", "phone": "13800002222", "via": "online", "opinion": "建议增加无障碍设施"}


def at(moment: Any) -> int:
    return int(moment.timestamp() * 1000)


async def send(user: httpx.AsyncClient, number: str, name: str, body: dict[str, Any]) -> httpx.Response:
    return await user.post(f"/api/cases/{number}/messages/{name}", json=body)


def activities(console: ConsoleStack, number: str, name: str) -> list[dict[str, Any]]:
    case = console.ledger.view_case(number, SUPERVISION)
    return [
        dict(entry.fields)
        for entry in case.history
        if entry.kind == "activity" and entry.fields["activity"] == name
    ]


async def recorded(console: ConsoleStack, number: str, name: str, count: int = 1) -> list[dict[str, Any]]:
    async def found() -> list[dict[str, Any]] | None:
        listed = activities(console, number, name)
        return listed if len(listed) >= count else None

    return await eventually(found, lambda: f"case {number} never recorded {count} {name} activities")


def instance_of(console: ConsoleStack, number: str) -> int:
    key = console.ledger.view_case(number, SUPERVISION).process_instance_key
    assert key is not None, f"case {number} has no process instance"
    return int(key)


# ------------------------------------------------------------------------------- meeting attendance


async def test_the_meeting_office_enters_sign_ups_and_opinions_the_selection_then_sees(
    console: ConsoleStack,
) -> None:
    console.engine.set_time(at(NOW))
    number = await register(console, REGISTRATIONS[ProcessId.MEETING_ATTENDANCE])
    key = instance_of(console, number)
    office = await console.client("huiwu")
    page = await office.get(f"/cases/{number}")
    assert 'data-testid="message-form-meeting-sign-up"' in page.text, "the case page offers no sign-up form"
    assert "登记报名" in page.text and "/static/js/messages.js" in page.text

    signed = await send(office, number, MeetingAttendanceMessages.SIGN_UP, SIGN_UP)
    assert signed.status_code == 200, f"the sign-up was refused: {signed.status_code} {signed.text[:300]}"
    assert signed.json()["message"] == f"报名已登记（案件{number}）"
    # The selection names sign-ups by phone: the same person signs up once.
    again = await send(office, number, MeetingAttendanceMessages.SIGN_UP, {**SIGN_UP, "name": "王 芳"})
    assert again.status_code == 422, f"a second sign-up of 13800002222 was taken: {again.text[:300]}"
    assert again.json()["errors"] == {"phone": "手机号码13800002222已经登记过"}, again.text[:300]
    sms = {"name": "李强", "phone": "13900003333", "via": "sms"}
    assert (await send(office, number, MeetingAttendanceMessages.SIGN_UP, sms)).status_code == 200
    opinion = {"name": "赵敏", "phone": "13700004444", "via": "written", "text": "建议公开补贴标准"}
    assert (await send(office, number, MeetingAttendanceMessages.OPINION, opinion)).status_code == 200

    sign_ups = await recorded(console, number, "sign-up", 2)
    assert sorted(entry["data"]["via"] for entry in sign_ups) == ["online", "sms"], sign_ups
    assert [entry["data"]["via"] for entry in await recorded(console, number, "opinion-received")] == [
        "written"
    ]
    await console.engine.complete_user_task(
        key,
        MeetingAttendance.PUBLISH_PREVIEW,
        {"previewMedia": ["门户网站"], "previewText": "会议预告", "signUpChannels": ["online", "sms"]},
    )
    # The office chooses among the sign-ups the selection task holds.
    await console.engine.user_task_at(key, MeetingAttendance.SELECT_ATTENDEES)
    variables = console.engine.instance(key).variables
    assert sorted((entry["name"], entry["opinion"]) for entry in variables["signUps"]) == [
        ("李强", None),
        ("王芳", "建议增加无障碍设施"),
    ], f"the selection holds {variables['signUps']}"
    assert variables["opinions"] == [opinion], variables["opinions"]
    audited = console.store.audit_log(subject=number, username="huiwu")
    assert [entry.action for entry in audited].count("publish-message") == 3, (
        f"the three messages were not audited: {[(entry.action, entry.detail) for entry in audited]}"
    )
    await office.aclose()


async def test_a_wrong_sign_up_is_refused_by_field_and_nothing_is_published(console: ConsoleStack) -> None:
    console.engine.set_time(at(NOW))
    number = await register(console, REGISTRATIONS[ProcessId.MEETING_ATTENDANCE])
    office = await console.client("huiwu")
    wrong = await send(
        office, number, MeetingAttendanceMessages.SIGN_UP, {"name": "", "phone": "123", "via": "online"}
    )
    assert wrong.status_code == 422, wrong.text[:300]
    assert wrong.json()["errors"] == {
        "name": "姓名为必填项",
        "phone": "手机号码格式不正确：应为11位手机号或带区号的固定电话",
    }
    unknown = await send(office, number, MeetingAttendanceMessages.SIGN_UP, {**SIGN_UP, "selected": True})
    assert unknown.status_code == 422 and "selected" in unknown.json()["detail"], unknown.text[:300]
    await office.aclose()
    assert console.engine.instance(instance_of(console, number)).variables["signUps"] == [], (
        "a refused sign-up reached the process"
    )


async def test_other_offices_and_other_channels_cases_are_refused(console: ConsoleStack) -> None:
    console.engine.set_time(at(NOW))
    meeting = await register(console, REGISTRATIONS[ProcessId.MEETING_ATTENDANCE])
    # Another office with intake rights: not its channel.
    editorial = await console.client("bianji")
    refused = await send(editorial, meeting, MeetingAttendanceMessages.SIGN_UP, SIGN_UP)
    assert refused.status_code == 403 and "登记报名" in refused.json()["detail"], refused.text[:300]
    page = await editorial.get(f"/cases/{meeting}")
    assert "message-form-" not in page.text, "the editorial office is offered the meeting's forms"
    await editorial.aclose()
    # The hotline's operator, and a unit without intake at all.
    for username in ("operator", "zhujian"):
        user = await console.client(username)
        answer = await send(user, meeting, MeetingAttendanceMessages.SIGN_UP, SIGN_UP)
        assert answer.status_code == 403, f"{username} sent a sign-up: {answer.status_code}"
        await user.aclose()
    # The e-government office's question, sent to a meeting's case.
    egov = await console.client("zhengwu")
    misplaced = await send(
        egov, meeting, OnlineInterviewMessages.QUESTION, {"question": "何时开工？", "asker": "网友"}
    )
    assert misplaced.status_code == 409 and "不是在线访谈的案件" in misplaced.json()["detail"], (
        misplaced.text[:300]
    )
    unknown = await send(egov, meeting, "interview-answer", {})
    assert unknown.status_code == 404, unknown.text[:300]
    await egov.aclose()
    assert console.engine.instance(instance_of(console, meeting)).variables["signUps"] == []


# --------------------------------------------------------------------------------- online interview


async def test_questions_are_entered_during_the_live_interview_only(console: ConsoleStack) -> None:
    console.engine.set_time(at(NOW))
    number = await register(console, REGISTRATIONS[ProcessId.ONLINE_INTERVIEW])
    key = instance_of(console, number)
    egov = await console.client("zhengwu")
    question = {"question": "今冬供暖期间如何控制燃煤污染？", "asker": "润州网友"}
    early = await send(egov, number, OnlineInterviewMessages.QUESTION, question)
    assert early.status_code == 409 and "访谈尚未开始" in early.json()["detail"], early.text[:300]
    page = await egov.get(f"/cases/{number}")
    assert 'data-testid="message-closed-interview-question"' in page.text, (
        "the page offers a question too early"
    )

    engine = console.engine
    plan = {
        "planTopic": "大气污染防治",
        "planPreparation": "资料",
        "planLeaders": "周局长",
        "cityLeaderInvited": False,
    }
    await engine.complete_user_task(key, OnlineInterview.SUBMIT_PLAN, plan)
    await engine.complete_user_task(
        key, OnlineInterview.SCHEDULE_INTERVIEW, {"venue": "portal", "scheduleNote": ""}
    )
    preview = {"previewUrl": "https://www.zhenjiang.gov.cn/ft/1", "previewMedia": []}
    await engine.complete_user_task(key, OnlineInterview.PUBLISH_PREVIEW, preview)
    interview_at = NOW.replace(month=11, day=5, hour=15)
    engine.set_time(at(interview_at + timedelta(minutes=1)))
    await engine.wait_until_idle()
    await engine.is_waiting_at(key, OnlineInterview.HOST_INTERVIEW)

    page = await egov.get(f"/cases/{number}")
    assert 'data-testid="message-form-interview-question"' in page.text, "the live interview offers no form"
    asked = await send(egov, number, OnlineInterviewMessages.QUESTION, question)
    assert asked.status_code == 200, f"the question was refused: {asked.text[:300]}"
    screening = await engine.user_task_at(key, OnlineInterview.SCREEN_QUESTION)
    assert screening.assignee == "郑科长", (
        f"the question went to {screening.assignee}, not the initial reviewer"
    )
    assert engine.instance(key).variables["questionLog"] == [question]

    ended = await send(egov, number, OnlineInterviewMessages.ENDED, {})
    assert ended.status_code == 200, ended.text[:300]
    await engine.is_waiting_at(key, OnlineInterview.LIST_ISSUES)
    late = await send(egov, number, OnlineInterviewMessages.QUESTION, question)
    assert late.status_code == 409 and "已经结束" in late.json()["detail"], late.text[:300]
    await egov.aclose()


# ------------------------------------------------------------------------------------ online survey


async def test_the_editorial_office_counts_answers_while_the_survey_is_open(console: ConsoleStack) -> None:
    console.engine.set_time(at(NOW))
    number = await register(console, REGISTRATIONS[ProcessId.ONLINE_SURVEY])
    key = instance_of(console, number)
    editorial = await console.client("bianji")
    early = await send(editorial, number, OnlineSurveyMessages.ANSWER, {})
    assert early.status_code == 409 and "调查尚未开始" in early.json()["detail"], early.text[:300]
    engine = console.engine
    link = {"surveyPageUrl": "https://www.zhenjiang.gov.cn/dc/1", "editor": "徐婷"}
    await engine.complete_user_task(key, OnlineSurvey.PUBLISH_LINK, link)
    engine.set_time(at(NOW.replace(day=15, hour=9, minute=1)))
    await engine.wait_until_idle()
    await engine.is_waiting_at(key, OnlineSurvey.CLOSES_TIMER)
    for _ in range(2):
        answer = await send(editorial, number, OnlineSurveyMessages.ANSWER, {})
        assert answer.status_code == 200, answer.text[:300]

    async def counted() -> int | None:
        answers = engine.instance(key).variables.get("answers")
        return answers if answers == 2 else None

    await eventually(
        counted, lambda: f"the survey counted {engine.instance(key).variables.get('answers')} answers"
    )
    await editorial.aclose()


# ------------------------------------------------------------------------------------- weibo release


async def approve_and_publish(console: ConsoleStack, number: str) -> int:
    key = instance_of(console, number)
    approval = {"approvalDecision": "approved", "approver": "周局长", "approvalOpinion": "同意发布"}
    await console.engine.complete_user_task(key, WeiboRelease.UNIT_LEADER_APPROVAL, approval)
    published = {"publisher": "话务班小王", "weiboUrl": "https://weibo.com/12345/1"}
    await console.engine.complete_user_task(key, WeiboRelease.PUBLISH, published)
    await console.engine.is_waiting_at(key, WeiboRelease.CORRECTION_GATEWAY)
    return key


async def test_the_hotline_centre_corrects_a_published_release(console: ConsoleStack) -> None:
    console.engine.set_time(at(NOW))
    number = await register(console, REGISTRATIONS[ProcessId.WEIBO_RELEASE])
    centre = await console.client("centre")
    correction = {
        "correctionReason": "inaccurate",
        "correctionAction": "correction",
        "correctionNote": "日期有误",
    }
    early = await send(centre, number, WeiboReleaseMessages.CORRECTION, correction)
    assert early.status_code == 409 and "尚未发布" in early.json()["detail"], early.text[:300]
    await approve_and_publish(console, number)
    corrected = await send(centre, number, WeiboReleaseMessages.CORRECTION, correction)
    assert corrected.status_code == 200, corrected.text[:300]
    [entry] = await recorded(console, number, "corrected")
    assert entry["data"]["reason"] == "inaccurate" and entry["data"]["note"] == "日期有误", entry
    # The government office's leaders review releases but do not enter corrections.
    leader = await console.client("leader")
    assert (await send(leader, number, WeiboReleaseMessages.CORRECTION, correction)).status_code == 403
    await leader.aclose()
    await centre.aclose()


async def test_a_closed_case_takes_no_message(console: ConsoleStack) -> None:
    console.engine.set_time(at(NOW))
    number = await register(console, REGISTRATIONS[ProcessId.WEIBO_RELEASE])
    key = instance_of(console, number)
    rejected = {"approvalDecision": "rejected", "approver": "周局长", "approvalOpinion": "不宜发布"}
    await console.engine.complete_user_task(key, WeiboRelease.UNIT_LEADER_APPROVAL, rejected)
    await console.engine.is_completed(key)
    centre = await console.client("centre")
    correction = {"correctionReason": "untrue", "correctionAction": "retraction", "correctionNote": "撤回"}
    answer = await send(centre, number, WeiboReleaseMessages.CORRECTION, correction)
    assert answer.status_code == 409 and "已办结" in answer.json()["detail"], answer.text[:300]
    page = await centre.get(f"/cases/{number}")
    assert 'data-testid="case-messages"' not in page.text, "a closed case offers message forms"
    await centre.aclose()


# ------------------------------------------------------------------------------ reception schedule


async def test_the_petition_office_submits_the_months_schedule_which_starts_its_publication(
    console: ConsoleStack,
) -> None:
    console.engine.set_time(at(NOW))
    petition = await console.client("xinfang")
    intake = await petition.get("/intake")
    assert 'data-testid="start-message-reception-schedule"' in intake.text, "the intake page has no link"
    page = await petition.get(f"/messages/{LeaderReceptionMessages.SCHEDULE}")
    assert page.status_code == 200 and 'data-testid="message-form-reception-schedule"' in page.text
    assert "王市长" in page.text, "the schedule's leaders are not offered"
    wrong = await petition.post(
        f"/api/messages/{LeaderReceptionMessages.SCHEDULE}",
        json={
            "scheduleMonth": "2026-10",
            "schedule": [{"leader": "刘处长", "date": "2026-10-16", "kind": "open"}],
        },
    )
    assert wrong.status_code == 422 and wrong.json()["errors"] == {
        "schedule": "接访安排第1行接访领导的取值无效"
    }
    schedule = {
        "scheduleMonth": "2026-10",
        "schedule": [
            {"leader": "王市长", "date": "2026-10-16", "kind": "open"},
            {"leader": "张局长", "date": "2026-10-20", "kind": "case-carrying"},
            {"leader": "", "date": "", "kind": ""},
        ],
    }
    sent = await petition.post(f"/api/messages/{LeaderReceptionMessages.SCHEDULE}", json=schedule)
    assert sent.status_code == 200, sent.text[:300]
    assert "接访安排已提交" in sent.json()["message"]

    async def started() -> list[dict[str, Any]] | None:
        return await instances_of(console, ProcessId.LEADER_RECEPTION) or None

    [instance] = await eventually(started, lambda: "the schedule started no process")
    key = int(instance["processInstanceKey"])
    task = await console.engine.user_task_at(key, LeaderReception.PUBLISH_SCHEDULE)
    assert task.candidate_groups == ("petition-office",), task
    number = str(console.engine.instance(key).variables["caseNumber"])
    case = console.ledger.view_case(number, SUPERVISION)
    assert case.title == "领导干部接访下访安排（2026-10）", case.title
    assert console.engine.instance(key).variables["schedule"] == schedule["schedule"][:2]
    again = await petition.post(f"/api/messages/{LeaderReceptionMessages.SCHEDULE}", json=schedule)
    assert again.status_code == 409, f"the same month was submitted twice: {again.text[:300]}"
    assert "2026-10已有一份正在办理" in again.json()["detail"], again.text[:300]
    november = {
        "scheduleMonth": "2026-11",
        "schedule": [{"leader": "李副市长", "date": "2026-11-18", "kind": "open"}],
    }
    other_month = await petition.post(f"/api/messages/{LeaderReceptionMessages.SCHEDULE}", json=november)
    assert other_month.status_code == 200, f"another month's schedule was refused: {other_month.text[:300]}"

    async def both() -> list[dict[str, Any]] | None:
        found = await instances_of(console, ProcessId.LEADER_RECEPTION)
        return found if len(found) == 2 else None

    await eventually(both, lambda: "the two months' schedules did not start one instance each")
    await petition.aclose()

    meeting = await console.client("huiwu")
    assert (await meeting.get(f"/messages/{LeaderReceptionMessages.SCHEDULE}")).status_code == 403
    other = await meeting.post(f"/api/messages/{LeaderReceptionMessages.SCHEDULE}", json=schedule)
    assert other.status_code == 403, other.text[:300]
    intake = await meeting.get("/intake")
    assert "start-message-reception-schedule" not in intake.text
    await meeting.aclose()
