"""weibo-release (12345热线官方微博) [seed 003 §四]: each rule of the section as a scenario on the real
diagram and workers, moving the engine's clock.

Limits (config/deadlines.toml [limits.weibo-release], the jurisdiction's: the seed gives none):
approval within a working day, a sudden event's within a working hour; publication within a working
day of the approval, a sudden event's within a working hour; corrections taken for a month. Office
hours 08:30-12:00 and 14:00-17:30. November 2026 has no holidays; 3 November is a Tuesday. (The
calendar does not know 2027 yet: a release's month-long correction window must end within 2026.)
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from process_support import REPOSITORY
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
from workers.ids import ProcessId, WeiboRelease, WeiboReleaseMessages
from workers.ledger.masking import Viewer
from workers.ledger.service import Ledger

UNIT = "环保局"
TEXTS = {
    "ordinary": {"title": "本周空气质量预报", "content": "本周我市空气质量以良为主，周四可能出现轻度污染。"},
    "important": {"title": "市区主干道施工封闭通告", "content": "11月7日起解放路封闭施工30天，请绕行。"},
    "emergency": {"title": "暴雪红色预警", "content": "今夜至明日有暴雪，学校停课，请减少出行。"},
}
DIAGRAM = REPOSITORY / "bpmn" / f"{ProcessId.WEIBO_RELEASE}.bpmn"


async def request(
    engine: EngineHandle, client: ZeebeClient, level: str, at: str, providing_unit: str = UNIT
) -> int:
    """The providing unit hands in its 信息发布审核表 at `at` (the engine's clock is put there first)."""
    text = TEXTS.get(level, TEXTS["important"])
    variables = {"unit": providing_unit, "level": level, **text, "submittedBy": "张科员"}
    return await start(engine, client, ProcessId.WEIBO_RELEASE, local(at), variables)


async def decide(
    engine: EngineHandle, key: int, element_id: str, decision: str = "approved", opinion: str = "同意发布"
) -> None:
    await engine.complete_user_task(
        key, element_id, {"approvalDecision": decision, "approver": "李分管", "approvalOpinion": opinion}
    )
    await engine.has_passed(key, WeiboRelease.RECORD_REVIEW)


async def publish(engine: EngineHandle, key: int) -> None:
    await engine.complete_user_task(
        key, WeiboRelease.PUBLISH, {"publisher": "话务班王敏", "weiboUrl": "https://weibo.com/zj12345/1"}
    )
    await engine.has_passed(key, WeiboRelease.RECORD_RELEASED)


async def test_a_release_request_is_registered_with_its_level_and_providing_unit(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await request(engine, client, "ordinary", "2026-11-03 10:00")
    view = await engine.is_waiting_at(key, WeiboRelease.UNIT_LEADER_APPROVAL)
    assert view.variables["caseNumber"].startswith("WB2026-")
    case = case_of(workers, engine, key)
    assert (case.channel, case.lead_unit, case.category, case.title) == (
        ProcessId.WEIBO_RELEASE,
        UNIT,
        "一般性信息",
        TEXTS["ordinary"]["title"],
    )
    [requested] = activities(case, "release-requested")
    assert (requested["unit"], requested["actor"], requested["data"]) == (
        UNIT,
        "张科员",
        {"level": "ordinary"},
    )


# A department's work information, or the 话务班's own convenience information (水电气、天气预报).
@pytest.mark.parametrize("provider", [UNIT, "12345热线服务中心"])
async def test_ordinary_information_is_signed_by_the_providing_units_leader_in_charge(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, provider: str
) -> None:
    key = await request(engine, client, "ordinary", "2026-11-03 10:00", provider)
    task = await engine.user_task_at(key, WeiboRelease.UNIT_LEADER_APPROVAL)
    assert task.candidate_groups == (f"{provider}领导",), "ordinary information is the unit leader's to sign"
    # Within a working day, counted from the next day: the end of Wednesday 4 November.
    assert instant(task.due_date) == local("2026-11-05 00:00")
    assert WeiboRelease.GOVERNMENT_APPROVAL not in engine.instance(key).passed
    assert not subjects(workers, Viewer("emergency-office")), "only sudden events go to the emergency office"


async def test_important_information_is_approved_by_the_government_offices_leader_in_charge(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await request(engine, client, "important", "2026-11-03 10:00")
    task = await engine.user_task_at(key, WeiboRelease.GOVERNMENT_APPROVAL)
    assert task.candidate_groups == ("government-office",)
    assert instant(task.due_date) == local("2026-11-05 00:00")
    await decide(engine, key, WeiboRelease.GOVERNMENT_APPROVAL)
    [reviewed] = activities(case_of(workers, engine, key), "release-reviewed")
    assert reviewed["actor"] == "李分管"
    assert reviewed["data"] == {
        "level": "important",
        "approved": True,
        "reviewer": "government-office",
        "onTime": True,
    }
    await engine.is_waiting_at(key, WeiboRelease.PUBLISH)


async def test_a_sudden_event_goes_to_the_emergency_office_at_once_and_is_approved_within_the_hour(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await request(engine, client, "emergency", "2026-11-03 10:00", providing_unit="应急办")
    task = await engine.user_task_at(key, WeiboRelease.GOVERNMENT_APPROVAL)
    assert task.candidate_groups == ("government-office",)
    assert instant(task.due_date) == local("2026-11-03 11:00"), "a sudden event is approved within the hour"
    assert any("突发事件微博对接" in s for s in subjects(workers, Viewer("emergency-office")))
    [contact] = activities(case_of(workers, engine, key), "emergency-contact-notified")
    assert contact["actor"] == "emergency-office"
    await after(engine, local("2026-11-03 10:59:59"))
    assert WeiboRelease.APPROVAL_DUE_TIMER not in engine.instance(key).passed
    await after(engine, local("2026-11-03 11:00:01"))
    await engine.has_passed(key, WeiboRelease.NOTIFY_APPROVAL_OVERDUE)
    for chased in (Viewer("government-office"), Viewer("emergency-office")):
        assert any("微博审核催办" in s for s in subjects(workers, chased)), f"{chased.role} was not chased"
    notes = [r["note"] for r in history(case_of(workers, engine, key), "reminder")]
    assert notes == ["信息发布审核超过时限，催办审核"]
    # Chased, the approval is still awaited; late, it counts as not on time.
    move_to(engine, local("2026-11-03 11:30"))
    await decide(engine, key, WeiboRelease.GOVERNMENT_APPROVAL)
    [reviewed] = activities(case_of(workers, engine, key), "release-reviewed")
    assert reviewed["data"]["onTime"] is False
    publishing = await engine.user_task_at(key, WeiboRelease.PUBLISH)
    # Round the clock: the lunch break does not stop it.
    assert instant(publishing.due_date) == local("2026-11-03 12:30")
    # At night as well: a sudden event reported at 21:00 is approved by 22:00.
    night = await request(engine, client, "emergency", "2026-11-03 21:00", providing_unit="应急办")
    task = await engine.user_task_at(night, WeiboRelease.GOVERNMENT_APPROVAL)
    assert instant(task.due_date) == local("2026-11-03 22:00"), "a sudden event does not wait for the morning"


async def test_a_rejected_request_is_not_published_and_the_providing_unit_is_told(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await request(engine, client, "ordinary", "2026-11-03 10:00")
    await decide(engine, key, WeiboRelease.UNIT_LEADER_APPROVAL, "rejected", "数据未经核实，暂不发布")
    view = await engine.is_completed(key)
    assert WeiboRelease.NOT_PUBLISHED in view.passed
    assert WeiboRelease.PUBLISH not in view.passed, "a rejected request reached the publishing task"
    case = case_of(workers, engine, key)
    assert statuses(case) == ["received", "rejected", "closed"]
    assert case.archived_at is not None
    assert history(case, "transition")[1]["note"] == "数据未经核实，暂不发布"
    assert [a["data"]["approved"] for a in activities(case, "release-reviewed")] == [False]
    assert any("微博不予发布" in s for s in subjects(workers, unit(UNIT)))


@pytest.mark.parametrize("decision", ["rejected", "", "同意"])
async def test_nothing_that_is_not_explicitly_approved_reaches_publishing(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, decision: str
) -> None:
    key = await request(engine, client, "important", "2026-11-03 10:00")
    await decide(engine, key, WeiboRelease.GOVERNMENT_APPROVAL, decision, "")
    view = await engine.is_completed(key)
    assert WeiboRelease.PUBLISH not in view.passed, f"decision {decision!r} reached the publishing task"
    assert WeiboRelease.NOT_PUBLISHED in view.passed


async def test_a_request_of_unknown_level_stops_for_a_person_rather_than_reaching_a_lower_approval(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # A level the form does not offer (an import, a typing error in a script).
    unknown = await request(engine, client, "urgent", "2026-11-03 10:00")
    await engine.has_incident(unknown, element_id=WeiboRelease.TIER_GATEWAY)
    assert not await engine.user_tasks(unknown), "a request of unknown level was given to an approver"


def test_every_path_to_publishing_passes_an_approval() -> None:
    """The diagram itself: with the approval subprocess taken out, no path leads from the start to
    the publishing task, and the only flow towards it leaves the decision on an explicit approval."""
    bpmn = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    process = ET.parse(DIAGRAM).getroot().find(f"{bpmn}process")
    assert process is not None
    flows = [(f.get("sourceRef"), f.get("targetRef")) for f in process.iter(f"{bpmn}sequenceFlow")]
    boundary = {e.get("id"): e.get("attachedToRef") for e in process.iter(f"{bpmn}boundaryEvent")}
    edges = flows + [(host, event) for event, host in boundary.items()]
    reached, frontier = {WeiboRelease.REQUESTED}, [WeiboRelease.REQUESTED]
    while frontier:
        current = frontier.pop()
        for source, target in edges:
            if source == current and target not in reached and target != WeiboRelease.APPROVAL:
                reached.add(str(target))
                frontier.append(str(target))
    assert WeiboRelease.PUBLISH not in reached, "the publishing task can be reached around the approval"
    approved = [
        f
        for f in process.iter(f"{bpmn}sequenceFlow")
        if f.get("sourceRef") == WeiboRelease.DECISION_GATEWAY
        and f.get("targetRef") == WeiboRelease.RECORD_APPROVED
    ]
    gateway = process.find(f"{bpmn}exclusiveGateway[@id='{WeiboRelease.DECISION_GATEWAY}']")
    assert gateway is not None and gateway.get("default") != approved[0].get("id"), "approval is the default"
    condition = approved[0].find(f"{bpmn}conditionExpression")
    assert condition is not None and condition.text == '=approvalDecision = "approved"'


async def test_approved_information_is_published_by_the_hotline_centre_within_the_limit(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await request(engine, client, "ordinary", "2026-11-03 10:00")
    move_to(engine, local("2026-11-03 15:00"))
    await decide(engine, key, WeiboRelease.UNIT_LEADER_APPROVAL)
    task = await engine.user_task_at(key, WeiboRelease.PUBLISH)
    assert task.candidate_groups == ("hotline-centre",), "only the 话务班 publishes"
    assert instant(task.due_date) == local("2026-11-05 00:00")
    move_to(engine, local("2026-11-03 16:00"))
    await publish(engine, key)
    case = case_of(workers, engine, key)
    assert statuses(case) == ["received", "approved", "published"]
    assert history(case, "transition")[2]["actor"] == "话务班王敏"
    [released] = activities(case, "released")
    assert (released["unit"], released["actor"]) == (UNIT, "话务班王敏")
    assert released["data"] == {"level": "ordinary", "onTime": True, "minutesToPublish": 60}
    assert WeiboRelease.PUBLISH_DUE_TIMER not in engine.instance(key).passed


async def test_a_release_published_after_its_limit_is_chased_and_counted_late(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await request(engine, client, "important", "2026-11-03 09:00")
    move_to(engine, local("2026-11-03 10:00"))
    await decide(engine, key, WeiboRelease.GOVERNMENT_APPROVAL)
    await engine.is_waiting_at(key, WeiboRelease.PUBLISH)
    await after(engine, local("2026-11-04 23:59:59"))
    assert WeiboRelease.PUBLISH_DUE_TIMER not in engine.instance(key).passed
    await after(engine, local("2026-11-05 00:00:01"))
    await engine.has_passed(key, WeiboRelease.NOTIFY_PUBLISH_LATE)
    for viewer in (Viewer("hotline-centre"), Viewer("supervision")):
        assert any("微博发布超时" in s for s in subjects(workers, viewer)), f"{viewer.role} was not told"
    [reminder] = history(case_of(workers, engine, key), "reminder")
    assert (reminder["unit"], reminder["note"]) == ("12345热线服务中心", "审核通过的信息超过发布时限未发布")
    move_to(engine, local("2026-11-05 09:00"))
    await publish(engine, key)
    [released] = activities(case_of(workers, engine, key), "released")
    assert released["data"]["onTime"] is False
    assert released["data"]["minutesToPublish"] == (47 * 60), "approved Tue 10:00, published Thu 09:00"


async def test_a_correction_or_retraction_after_publication_is_recorded_until_the_window_closes(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await request(engine, client, "ordinary", "2026-11-03 10:00")
    move_to(engine, local("2026-11-03 11:00"))
    await decide(engine, key, WeiboRelease.UNIT_LEADER_APPROVAL)
    await publish(engine, key)
    view = await engine.is_waiting_at(key, WeiboRelease.CORRECTION_GATEWAY)
    # A month from publication, counted from the next day: the end of Thursday 3 December.
    assert view.variables["correctionWindowEndsAt"] == "2026-12-04T00:00:00+08:00"
    case_number = view.variables["caseNumber"]
    await after(engine, local("2026-11-12 09:00"))
    await client.publish_message(
        WeiboReleaseMessages.CORRECTION,
        case_number,
        {"correctionReason": "untrue", "correctionAction": "retraction", "correctionNote": "预报数据有误"},
        time_to_live_in_milliseconds=0,
    )
    await engine.has_passed(key, WeiboRelease.RECORD_CORRECTED)
    [corrected] = activities(case_of(workers, engine, key), "corrected")
    assert corrected["unit"] == UNIT, "a correction counts against the unit that provided the information"
    assert corrected["data"] == {
        "level": "ordinary",
        "reason": "untrue",
        "action": "retraction",
        "note": "预报数据有误",
    }
    await engine.is_waiting_at(key, WeiboRelease.CORRECTION_GATEWAY)
    await after(engine, local("2026-12-03 23:59:59"))
    assert WeiboRelease.CORRECTION_WINDOW_CLOSED not in engine.instance(key).passed
    await after(engine, local("2026-12-04 00:00:01"))
    await engine.is_completed(key)
    case = case_of(workers, engine, key)
    assert statuses(case)[-1] == "completed" and case.archived_at is not None


async def test_the_monthly_assessment_counts_each_units_releases_timeliness_and_corrections(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger, tmp_path: Path
) -> None:
    # 环保局: one published on time and later corrected as inaccurate, one rejected.
    first = await request(engine, client, "ordinary", "2026-11-03 10:00")
    await decide(engine, first, WeiboRelease.UNIT_LEADER_APPROVAL)
    await publish(engine, first)
    rejected = await request(engine, client, "important", "2026-11-04 10:00")
    await decide(engine, rejected, WeiboRelease.GOVERNMENT_APPROVAL, "rejected", "不宜公开")
    await engine.is_completed(rejected)
    # 民政局: one published a day late.
    late = await request(engine, client, "ordinary", "2026-11-09 09:00", providing_unit="民政局")
    await decide(engine, late, WeiboRelease.UNIT_LEADER_APPROVAL)
    await after(engine, local("2026-11-11 10:00"))
    await publish(engine, late)
    await client.publish_message(
        WeiboReleaseMessages.CORRECTION,
        engine.instance(first).variables["caseNumber"],
        {"correctionReason": "inaccurate", "correctionAction": "correction", "correctionNote": "日期更正"},
        time_to_live_in_milliseconds=0,
    )
    await engine.has_passed(first, WeiboRelease.RECORD_CORRECTED)

    section = channel_section(
        tmp_path, ProcessId.WEIBO_RELEASE, ("monthly", "2026-11"), local("2026-12-01 09:00")
    )
    assert section.policy.label == "12345热线官方微博信息发布考核"
    rows = section_rows(section)
    assert rows["环保局"] == {
        "requests": 2,
        "approved": 1,
        "rejected": 1,
        "published": 1,
        "published-on-time": 1,
        "timeliness-rate": 1.0,
        "inaccurate": 1,
        "untrue": 0,
    }
    assert rows["民政局"] == {
        "requests": 1,
        "approved": 1,
        "rejected": 0,
        "published": 1,
        "published-on-time": 0,
        "timeliness-rate": 0.0,
        "inaccurate": 0,
        "untrue": 0,
    }
    assert section.total.values["timeliness-rate"] == 0.5
