"""meeting-attendance (邀请公民列席市政府常务会议) [seed 003 §一]: each rule of the section as a scenario
on the real diagram and workers, moving the engine's clock.

The meeting of most scenarios is on Thursday 10 December 2026 at 10:00: its preview is due by the end
of Monday 7 December (3 working days before), the forum's suggestions are answered by the end of
Tuesday 15 December (3 working days after). Mid-Autumn Festival (Friday 25 September 2026) and
National Day (1-7 October 2026) are holidays.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
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
    section_rows,
    start,
    statuses,
    subjects,
    unit,
)

from engine.testing.handle import EngineHandle
from workers.ids import MeetingAttendance, MeetingAttendanceMessages, ProcessId
from workers.ledger.masking import Viewer
from workers.ledger.service import Ledger
from workers.reports.bulletin import TOTAL

TOPIC_UNIT = "住房城乡建设委"
OFFICE = "市政府办公室"
MEETING_OFFICE = Viewer("meeting-office")
MEETING_AT = local("2026-12-10 10:00")
TOPIC = {
    "title": "老旧小区加装电梯补贴办法",
    "content": "研究老旧小区既有住宅加装电梯财政补贴标准及申请程序",
    "topicUnit": TOPIC_UNIT,
}
PREVIEW = {
    "previewMedia": ["报刊", "门户网站"],
    "previewText": "12月10日上午10时召开市政府常务会议，研究老旧小区加装电梯补贴办法，欢迎报名列席。",
    "signUpChannels": ["online", "sms"],
}
CITIZENS = [
    ("张明", "13800000001", "online"),
    ("李华", "13800000002", "sms"),
    ("王芳", "13800000003", "online"),
    ("赵强", "13800000004", "sms"),
    ("陈静", "13800000005", "online"),
    ("刘洋", "13800000006", "online"),
]


async def schedule(
    engine: EngineHandle,
    client: ZeebeClient,
    meeting_at: datetime = MEETING_AT,
    received: str = "2026-12-01 09:00",
) -> int:
    """The topic is set for the meeting at `meeting_at`, received at `received`; the instance key
    once the office has the preview to publish."""
    variables = {**TOPIC, "meetingAt": meeting_at.isoformat()}
    return await start(
        engine,
        client,
        ProcessId.MEETING_ATTENDANCE,
        local(received),
        variables,
        MeetingAttendance.PUBLISH_PREVIEW,
    )


async def publish_preview(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(key, MeetingAttendance.PUBLISH_PREVIEW, PREVIEW)
    await engine.has_passed(key, MeetingAttendance.RECORD_PREVIEWED)


async def sign_up(
    client: ZeebeClient,
    engine: EngineHandle,
    key: int,
    citizens: list[tuple[str, str, str]],
    opinion: str | None = None,
) -> None:
    """Each citizen signs up (online or by SMS); returns once every sign-up is recorded."""
    case_number = engine.instance(key).variables["caseNumber"]
    before = len(engine.instance(key).variables["signUps"])
    for name, phone, via in citizens:
        variables = {"name": name, "phone": phone, "via": via, "opinion": opinion}
        await client.publish_message(
            MeetingAttendanceMessages.SIGN_UP, case_number, variables, time_to_live_in_milliseconds=0
        )
    await engine.has_passed(key, MeetingAttendance.RECORD_SIGN_UP, times=before + len(citizens))


async def select(engine: EngineHandle, key: int, phones: list[str]) -> None:
    await engine.complete_user_task(
        key, MeetingAttendance.SELECT_ATTENDEES, {"selectedPhones": phones, "attendeesContacted": True}
    )


async def prepared(engine: EngineHandle, client: ZeebeClient, selected: int = 2) -> int:
    """A meeting previewed in time, with the first `selected` of three sign-ups selected, waiting
    for the meeting to start."""
    key = await schedule(engine, client)
    await after(engine, local("2026-12-04 10:00"))
    await publish_preview(engine, key)
    await sign_up(client, engine, key, CITIZENS[:3])
    await select(engine, key, [phone for _, phone, _ in CITIZENS[:selected]])
    await engine.is_waiting_at(key, MeetingAttendance.MEETING_STARTS)
    return key


async def held(engine: EngineHandle, client: ZeebeClient) -> int:
    """A meeting prepared, held and recorded, its follow-ups open."""
    key = await prepared(engine, client)
    await after(engine, MEETING_AT)
    speakers = [{"name": "张明", "seconds": 150}, {"name": "李华", "seconds": 200}]
    await engine.complete_user_task(
        key,
        MeetingAttendance.MEETING_RECORD,
        {"speakers": speakers, "broadcast": True, "meetingSummary": "列席代表就补贴标准发表意见。"},
    )
    await engine.is_waiting_at(key, MeetingAttendance.FORUM_REPLY)
    return key


async def reply_on_forum(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key,
        MeetingAttendance.FORUM_REPLY,
        {
            "forumSuggestionCount": 4,
            "forumReplyText": "已逐条答复。",
            "forumReplyUrl": "https://bbs.example/t/1",
        },
    )
    await engine.has_passed(key, MeetingAttendance.RECORD_FORUM_REPLY)


async def publish_recordings(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key, MeetingAttendance.PUBLISH_RECORDINGS, {"recordingsUrl": "https://www.zhenjiang.example/cwhy"}
    )
    await engine.has_passed(key, MeetingAttendance.RECORD_RECORDINGS)


async def publish_consultation(engine: EngineHandle, key: int, adopted: bool = True) -> None:
    form: dict[str, Any] = {"documentsAdopted": "adopted" if adopted else "not-adopted"}
    if adopted:
        form |= {
            "consultationText": "文件全文可在门户网站查阅。",
            "consultationUrl": "https://www.zhenjiang.example/wj",
        }
    await engine.complete_user_task(key, MeetingAttendance.PUBLISH_CONSULTATION, form)
    # Recorded after the gateway when adopted: wait for the record itself, not only the decision.
    last = MeetingAttendance.RECORD_CONSULTATION if adopted else MeetingAttendance.ADOPTED_GATEWAY
    await engine.has_passed(key, last)


@pytest.mark.parametrize(
    ("meeting_at", "due"),
    [
        # Thursday: Wednesday, Tuesday, Monday; due at the end of Monday 7 December.
        ("2026-12-10 10:00", "2026-12-08T00:00:00+08:00"),
        # Tuesday: Monday, then over the weekend Friday and Thursday 10 December.
        ("2026-12-15 09:00", "2026-12-11T00:00:00+08:00"),
        # Friday 9 October: Thursday 8, then over National Day Wednesday 30 and Tuesday 29 September.
        ("2026-10-09 09:00", "2026-09-30T00:00:00+08:00"),
    ],
)
async def test_the_preview_is_due_at_the_end_of_the_third_working_day_before_the_meeting(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, meeting_at: str, due: str
) -> None:
    key = await schedule(engine, client, local(meeting_at), received="2026-09-21 09:00")
    view = engine.instance(key)
    assert view.variables["previewDueAt"] == due, "the preview is due 3 working days before the meeting"
    task = await engine.user_task_at(key, MeetingAttendance.PUBLISH_PREVIEW)
    assert task.candidate_groups == ("meeting-office",)
    assert instant(task.due_date) == datetime.fromisoformat(due)
    case = case_of(workers, engine, key)
    assert case.case_number.startswith("LX2026-")
    assert (case.channel, case.lead_unit, case.due_at) == (
        ProcessId.MEETING_ATTENDANCE,
        TOPIC_UNIT,
        instant(due),
    )


async def test_a_preview_published_in_time_is_recorded_on_time_and_not_chased(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await schedule(engine, client)
    await after(engine, local("2026-12-07 23:59"))
    await publish_preview(engine, key)
    [preview] = activities(case_of(workers, engine, key), "preview-published")
    assert preview["data"]["onTime"] is True, "a preview by the end of Monday is on time"
    assert preview["data"]["signUpChannels"] == ["online", "sms"]
    assert preview["unit"] == TOPIC_UNIT
    await after(engine, local("2026-12-08 00:00:01"))
    assert MeetingAttendance.PREVIEW_DUE_TIMER not in engine.instance(key).passed
    case = case_of(workers, engine, key)
    assert history(case, "reminder") == [], "a preview in time is not chased"
    assert subjects(workers, MEETING_OFFICE) == [], "the meeting office is not chased for a preview in time"
    assert "previewed" in statuses(case)


async def test_a_late_preview_is_chased_and_recorded_as_late(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await schedule(engine, client)
    await after(engine, local("2026-12-07 23:59:59"))
    assert MeetingAttendance.PREVIEW_DUE_TIMER not in engine.instance(key).passed
    await after(engine, local("2026-12-08 00:00:01"))
    await engine.has_passed(key, MeetingAttendance.RECORD_PREVIEW_LATE)
    reminders = history(case_of(workers, engine, key), "reminder")
    assert [(r["unit"], r["note"]) for r in reminders] == [
        (OFFICE, "会前3个工作日未发布会议预告，请立即发布")
    ]
    await engine.has_passed(key, MeetingAttendance.NOTIFY_PREVIEW_LATE)
    [notice] = workers.inbox(MEETING_OFFICE)
    case_number = engine.instance(key).variables["caseNumber"]
    assert notice.subject == f"【预告催办】{case_number} 常务会议预告尚未发布", "the meeting office is chased"
    assert "催办事由：会议预告应于2026年12月7日 24:00前发布，已逾期" in notice.body, (
        f"the notice names when the preview was due: {notice.body}"
    )
    assert not any("预告催办" in s for s in subjects(workers, unit(TOPIC_UNIT))), (
        "the topic unit does not publish the preview, so it is not chased for it"
    )
    await engine.is_waiting_at(key, MeetingAttendance.PUBLISH_PREVIEW)
    await after(engine, local("2026-12-08 15:00"))
    await publish_preview(engine, key)
    [preview] = activities(case_of(workers, engine, key), "preview-published")
    assert preview["data"]["onTime"] is False, "a preview after the 3rd working day before is late"


async def test_sign_ups_online_and_by_sms_are_each_recorded_for_the_selection(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await schedule(engine, client)
    await publish_preview(engine, key)
    await sign_up(client, engine, key, CITIZENS[:1], opinion="建议提高顶层住户补贴")
    await sign_up(client, engine, key, CITIZENS[1:2])
    signed = engine.instance(key).variables["signUps"]
    assert [(s["name"], s["phone"], s["via"]) for s in signed] == CITIZENS[:2]
    assert signed[0]["opinion"] == "建议提高顶层住户补贴"
    recorded = activities(case_of(workers, engine, key), "sign-up")
    assert [(r["data"]["via"], r["data"]["withOpinion"]) for r in recorded] == [
        ("online", True),
        ("sms", False),
    ]
    task = await engine.user_task_at(key, MeetingAttendance.SELECT_ATTENDEES)
    assert task.candidate_groups == ("meeting-office",)


async def test_the_office_selects_at_most_five_and_a_larger_selection_is_sent_back(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await schedule(engine, client)
    await publish_preview(engine, key)
    await sign_up(client, engine, key, CITIZENS)
    # The workers record sign-ups arriving together in whatever order their jobs finish.
    recorded = Counter(r["data"]["via"] for r in activities(case_of(workers, engine, key), "sign-up"))
    assert recorded == Counter(via for _, _, via in CITIZENS), (
        f"sign-ups arriving together are each recorded as sent, got {dict(recorded)}"
    )
    await select(engine, key, [phone for _, phone, _ in CITIZENS])
    await engine.has_passed(key, MeetingAttendance.SELECTION_REFUSED)
    view = await engine.is_waiting_at(key, MeetingAttendance.SELECT_ATTENDEES)
    assert view.variables["selectionRefusalReason"] == "列席人员不超过5名，本次选了6名，请重新选取"
    assert activities(case_of(workers, engine, key), "attendees-selected") == [], (
        "six attendees are not accepted"
    )
    await select(engine, key, [phone for _, phone, _ in CITIZENS[:5]])
    view = await engine.is_waiting_at(key, MeetingAttendance.MEETING_STARTS)
    assert [a["name"] for a in view.variables["attendees"]] == [name for name, _, _ in CITIZENS[:5]]
    [selected] = activities(case_of(workers, engine, key), "attendees-selected")
    assert selected["data"] == {"selected": 5, "signUps": 6, "contacted": True}
    # Sign-ups close with the selection.
    case_number = view.variables["caseNumber"]
    await client.publish_message(
        MeetingAttendanceMessages.SIGN_UP,
        case_number,
        {"name": "迟到者", "phone": "13800000009", "via": "sms", "opinion": None},
        time_to_live_in_milliseconds=0,
    )
    await engine.wait_until_idle()
    assert len(engine.instance(key).variables["signUps"]) == 6, "a sign-up after the selection is not taken"


async def test_the_meeting_goes_ahead_without_citizens_when_nobody_was_selected_in_time(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await schedule(engine, client)
    await publish_preview(engine, key)
    await sign_up(client, engine, key, CITIZENS[:2])
    await after(engine, local("2026-12-10 09:59:59"))
    await engine.is_waiting_at(key, MeetingAttendance.SELECT_ATTENDEES)
    await after(engine, MEETING_AT)
    view = await engine.is_waiting_at(key, MeetingAttendance.MEETING_RECORD)
    assert MeetingAttendance.SELECT_ATTENDEES not in view.waiting_at(), "the selection closes at the meeting"
    assert view.variables["attendees"] == []
    [missed] = activities(case_of(workers, engine, key), "attendees-selected")
    assert missed["data"] == {"selected": 0, "signUps": 2, "contacted": False, "missed": True}


async def test_written_opinions_are_taken_until_the_meeting_starts_and_not_after(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await prepared(engine, client)
    case_number = engine.instance(key).variables["caseNumber"]
    opinion = {"name": "张明", "phone": "13800000001", "via": "written", "text": "补贴应向低收入家庭倾斜"}
    await after(engine, local("2026-12-09 16:00"))
    await client.publish_message(
        MeetingAttendanceMessages.OPINION, case_number, opinion, time_to_live_in_milliseconds=0
    )
    await engine.has_passed(key, MeetingAttendance.RECORD_OPINION, times=1)
    assert engine.instance(key).variables["opinions"] == [opinion]
    [recorded] = activities(case_of(workers, engine, key), "opinion-received")
    assert recorded["data"] == {"via": "written"}
    await after(engine, local("2026-12-10 09:59:59"))
    await engine.is_waiting_at(key, MeetingAttendance.MEETING_STARTS)
    await after(engine, MEETING_AT)
    await engine.is_waiting_at(key, MeetingAttendance.MEETING_RECORD)
    late = {**opinion, "via": "online", "text": "会议开始后才提交的意见"}
    await client.publish_message(
        MeetingAttendanceMessages.OPINION, case_number, late, time_to_live_in_milliseconds=0
    )
    await engine.wait_until_idle()
    assert engine.instance(key).variables["opinions"] == [opinion], (
        "an opinion after the meeting starts is not taken"
    )
    assert len(activities(case_of(workers, engine, key), "opinion-received")) == 1


async def test_the_meeting_record_holds_each_speakers_time_and_who_went_over_three_minutes(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await held(engine, client)
    task = await engine.user_task_at(key, MeetingAttendance.FORUM_REPLY)
    assert task.candidate_groups == (TOPIC_UNIT,)
    [meeting] = activities(case_of(workers, engine, key), "meeting-held")
    assert meeting["data"] == {
        "attendees": 2,
        "speakers": 2,
        "overLimit": 1,
        "overLimitSpeakers": ["李华"],
        "broadcast": True,
    }
    assert meeting["occurredAt"] == MEETING_AT, "the meeting counts when it was held"
    assert statuses(case_of(workers, engine, key))[-1] == "held"


async def test_the_recordings_are_published_after_the_meeting(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await held(engine, client)
    task = await engine.user_task_at(key, MeetingAttendance.PUBLISH_RECORDINGS)
    assert task.candidate_groups == ("meeting-office",)
    await publish_recordings(engine, key)
    [published] = activities(case_of(workers, engine, key), "recordings-published")
    assert published["data"] == {"url": "https://www.zhenjiang.example/cwhy"}


async def test_forum_suggestions_are_answered_by_the_topic_unit_by_the_third_working_day_after_the_meeting(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await held(engine, client)
    view = engine.instance(key)
    # Friday 11, Monday 14, Tuesday 15 December.
    assert view.variables["replyDueAt"] == "2026-12-16T00:00:00+08:00"
    task = await engine.user_task_at(key, MeetingAttendance.FORUM_REPLY)
    assert instant(task.due_date) == local("2026-12-16 00:00")
    assert case_of(workers, engine, key).due_at == local("2026-12-16 00:00")
    await after(engine, local("2026-12-14 16:00"))
    await reply_on_forum(engine, key)
    [reply] = activities(case_of(workers, engine, key), "forum-replied")
    assert (reply["unit"], reply["data"]["onTime"], reply["data"]["suggestions"]) == (TOPIC_UNIT, True, 4)
    await after(engine, local("2026-12-16 10:00"))
    assert history(case_of(workers, engine, key), "reminder") == [], (
        "a reply in time is neither reminded nor chased"
    )


async def test_a_forum_reply_is_reminded_on_its_last_day_and_chased_when_overdue(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await held(engine, client)
    assert engine.instance(key).variables["replyRemindAt"] == "2026-12-15T08:30:00+08:00"
    await after(engine, local("2026-12-15 08:29"))
    assert MeetingAttendance.REPLY_REMINDER_TIMER not in engine.instance(key).passed
    await after(engine, local("2026-12-15 08:30:01"))
    await engine.has_passed(key, MeetingAttendance.NOTIFY_REMINDER)
    assert any("催办" in s for s in subjects(workers, unit(TOPIC_UNIT))), "the topic unit is reminded"
    await after(engine, local("2026-12-16 00:00:01"))
    await engine.has_passed(key, MeetingAttendance.NOTIFY_OVERDUE)
    assert any("超期" in s for s in subjects(workers, unit(TOPIC_UNIT))), (
        "the topic unit is told it is overdue"
    )
    assert any("超期" in s for s in subjects(workers, Viewer("supervision"))), "supervision hears of it"
    notes = [r["note"] for r in history(case_of(workers, engine, key), "reminder")]
    assert notes == ["会后3个工作日内答复论坛意见建议，今日到期", "会后3个工作日未答复论坛意见建议，已超期"]
    await after(engine, local("2026-12-16 11:00"))
    await reply_on_forum(engine, key)
    [reply] = activities(case_of(workers, engine, key), "forum-replied")
    assert reply["data"]["onTime"] is False, "a reply after the 3rd working day is late"


async def test_the_topic_unit_publishes_how_to_consult_the_adopted_documents(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await held(engine, client)
    task = await engine.user_task_at(key, MeetingAttendance.PUBLISH_CONSULTATION)
    assert task.candidate_groups == (TOPIC_UNIT,)
    await publish_consultation(engine, key)
    [consultation] = activities(case_of(workers, engine, key), "consultation-published")
    assert (consultation["unit"], consultation["data"]) == (
        TOPIC_UNIT,
        {"url": "https://www.zhenjiang.example/wj"},
    )


async def test_documents_not_adopted_have_nothing_to_consult(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await held(engine, client)
    await publish_consultation(engine, key, adopted=False)
    assert MeetingAttendance.RECORD_CONSULTATION not in engine.instance(key).passed
    assert activities(case_of(workers, engine, key), "consultation-published") == []


async def test_the_meeting_is_completed_and_archived_once_every_follow_up_is_done(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await held(engine, client)
    await publish_recordings(engine, key)
    await reply_on_forum(engine, key)
    assert engine.instance(key).state != "COMPLETED", (
        "the case stays open until the consultation is published"
    )
    await publish_consultation(engine, key)
    view = await engine.is_completed(key)
    assert MeetingAttendance.MEETING_CLOSED in view.passed
    case = case_of(workers, engine, key)
    assert statuses(case) == ["received", "previewed", "held", "completed"]
    assert case.status == "completed" and case.archived_at is not None


async def test_the_bulletin_counts_meetings_previews_sign_ups_attendees_and_replies(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, tmp_path: Path
) -> None:
    key = await held(engine, client)
    await publish_recordings(engine, key)
    await reply_on_forum(engine, key)
    await publish_consultation(engine, key)
    await engine.is_completed(key)
    section = channel_section(
        tmp_path, ProcessId.MEETING_ATTENDANCE, ("monthly", "2026-12"), local("2027-01-01 08:00")
    )
    rows = section_rows(section)
    expected = {
        "meetings": 1,
        "previews": 1,
        "previews-on-time": 1,
        "sign-ups": 3,
        "attendees": 2,
        "over-limit": 1,
        "forum-replies": 1,
        "replies-on-time": 1,
        "on-time-rate": 1.0,
    }
    assert rows[TOPIC_UNIT] == expected, f"the topic unit's row: {rows[TOPIC_UNIT]}"
    assert rows[TOTAL] == expected
