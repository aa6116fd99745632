"""What the intake page's fields turn into: each process's start variables, or messages in Chinese
that name the field (console/intake.py)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from console.intake import CHANNELS, IntakeInvalid, intake_variables
from workers.ids import ProcessId

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
UNITS = (
    ("住房城乡建设委", "市住房和城乡建设委员会"),
    ("环保局", "市环境保护局"),
    ("综合执法局", "市城市管理综合行政执法局"),
)


def variables(channel: str, body: dict[str, Any]) -> dict[str, Any]:
    return intake_variables(CHANNELS[channel], body, UNITS, NOW)


def errors(channel: str, body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(IntakeInvalid) as raised:
        variables(channel, body)
    return raised.value.errors


def test_a_hotline_call_becomes_the_variables_of_its_register_step() -> None:
    started = variables(
        ProcessId.HOTLINE_TICKET,
        {
            "title": " 酒吧噪音扰民 ",
            "content": "楼下酒吧每晚噪音扰民",
            "appellant": {"phone": "138 0000 1111", "name": "张三", "address": "", "confidential": True},
            "location": "铁东区幸福路8号",
        },
    )
    assert started == {
        "appellant": {"phone": "13800001111", "name": "张三", "confidential": True},
        "title": "酒吧噪音扰民",
        "content": "楼下酒吧每晚噪音扰民",
        "location": "铁东区幸福路8号",
        "receivedAt": "2026-11-26T10:00:00+08:00",
    }


def test_every_problem_is_named_by_its_field_in_chinese() -> None:
    found = errors(
        ProcessId.HOTLINE_TICKET,
        {"title": "", "content": "内" * 5001, "appellant": {"phone": "12345"}},
    )
    assert found == {
        "appellant.phone": "来电号码格式不正确：应为11位手机号或带区号的固定电话",
        "title": "标题为必填项",
        "content": "诉求内容不能超过5000个字（现有5001个）",
    }


def test_a_deputy_suggestion_names_its_units_from_the_routing() -> None:
    base = {
        "kind": "proposal",
        "assignmentKind": "adhoc",
        "deputy": {"name": "王委员"},
        "title": "关于垃圾分类的提案",
        "content": "建议推行垃圾分类",
    }
    started = variables(ProcessId.DEPUTY_SUGGESTION, {**base, "leadUnit": "环保局", "coUnits": []})
    assert started["leadUnit"] == "环保局" and started["coUnits"] == [] and started["provincial"] is False
    assert started["deputy"] == {"name": "王委员"}
    assert errors(ProcessId.DEPUTY_SUGGESTION, {**base, "kind": "petition"}) == {"kind": "类别的取值无效"}
    assert errors(ProcessId.DEPUTY_SUGGESTION, {**base, "leadUnit": "环保局", "coUnits": ["环保局"]}) == {
        "coUnits": "会办单位不能包含主办单位"
    }
    assert errors(ProcessId.DEPUTY_SUGGESTION, {**base, "coUnits": ["外星局"]}) == {
        "coUnits": "会办单位的取值无效"
    }


def test_a_forum_post_keeps_when_it_was_posted_but_not_a_time_to_come() -> None:
    post = {"appellant": {"name": "网友甲"}, "title": "路灯不亮", "content": "幸福路路灯不亮"}
    assert variables(ProcessId.FORUM_POST, {**post, "receivedAt": "2026-11-26T08:30"})["receivedAt"] == (
        "2026-11-26T08:30:00+08:00"
    )
    assert errors(ProcessId.FORUM_POST, {**post, "receivedAt": "2026-11-26T11:00"}) == {
        "receivedAt": "发帖时间不能晚于当前时间"
    }


def test_an_online_message_needs_its_source_from_the_list() -> None:
    message = {"appellant": {"name": "李四"}, "title": "道路破损", "content": "路面坑洼"}
    assert errors(ProcessId.ONLINE_MESSAGE, message) == {"source": "来源为必填项"}
    started = variables(ProcessId.ONLINE_MESSAGE, {**message, "source": "市长信箱", "fromAbove": True})
    assert started["source"] == "市长信箱" and started["fromAbove"] is True
    assert errors(ProcessId.ONLINE_MESSAGE, {**message, "source": "市长信箱", "fromAbove": "yes"}) == {
        "fromAbove": "上级平台交办件的取值无效"
    }


# ------------------------------------------------------------- the communication circular's channels


def test_a_meeting_topic_is_registered_for_a_meeting_to_come_and_the_unit_that_brought_it() -> None:
    meeting = {
        "title": "老旧小区改造实施方案",
        "content": "研究2027年老旧小区改造计划",
        "topicUnit": "住房城乡建设委",
    }
    started = variables(ProcessId.MEETING_ATTENDANCE, {**meeting, "meetingAt": "2026-12-10T09:00"})
    assert started == {
        **meeting,
        "meetingAt": "2026-12-10T09:00:00+08:00",
        "receivedAt": "2026-11-26T10:00:00+08:00",
    }
    assert errors(ProcessId.MEETING_ATTENDANCE, {**meeting, "meetingAt": "2026-11-20T09:00"}) == {
        "meetingAt": "会议时间应晚于当前时间"
    }
    assert errors(ProcessId.MEETING_ATTENDANCE, {"meetingAt": "下周四"}) == {
        "title": "议题为必填项",
        "content": "议题说明为必填项",
        "meetingAt": "会议时间格式不正确：应为日期和时间",
        "topicUnit": "议题提交单位为必填项",
    }


def test_a_weibo_release_comes_from_a_unit_or_the_government_office_at_one_of_three_levels() -> None:
    release = {"title": "停水通知", "content": "12月1日幸福路片区停水", "level": "ordinary"}
    assert variables(ProcessId.WEIBO_RELEASE, {**release, "unit": "环保局"})["unit"] == "环保局"
    for office in ("市政府办公室", "应急办"):
        assert (
            variables(ProcessId.WEIBO_RELEASE, {**release, "unit": office, "level": "emergency"})["unit"]
            == office
        )
    assert errors(ProcessId.WEIBO_RELEASE, {**release, "unit": "外星局", "level": "urgent"}) == {
        "unit": "信息提供单位的取值无效",
        "level": "信息级别的取值无效",
    }


INTERVIEW: dict[str, Any] = {
    "unit": "环保局",
    "title": "大气污染防治",
    "content": "介绍2027年大气污染防治工作",
    "interviewAt": "2026-12-17T15:00",
    "venue": "portal",
    "guests": "周局长、 吴处长，郑科长",
    "host": "网站主持人",
    "initialReviewer": "郑科长",
    "finalReviewer": "周局长",
    "leader": "周局长",
}


def test_an_interview_lists_its_guests_and_its_reviewers_are_two_of_them() -> None:
    started = variables(ProcessId.ONLINE_INTERVIEW, INTERVIEW)
    assert started["guests"] == ["周局长", "吴处长", "郑科长"], "the guests are split at 、 and ，"
    assert started["interviewAt"] == "2026-12-17T15:00:00+08:00" and started["venue"] == "portal"
    assert errors(ProcessId.ONLINE_INTERVIEW, {**INTERVIEW, "initialReviewer": "王五"}) == {
        "initialReviewer": "初审人应为嘉宾之一"
    }
    assert errors(ProcessId.ONLINE_INTERVIEW, {**INTERVIEW, "initialReviewer": "周局长"}) == {
        "finalReviewer": "终审人应与初审人为不同的人"
    }
    assert errors(ProcessId.ONLINE_INTERVIEW, {**INTERVIEW, "guests": " ， ", "venue": "tv"}) == {
        "venue": "举办网站的取值无效",
        "guests": "嘉宾为必填项",
    }, "a list of separators names no guest, and the reviewers are not judged against it"


def test_a_survey_runs_from_its_opening_to_a_later_closing_at_a_web_address() -> None:
    survey = {
        "unit": "住房城乡建设委",
        "title": "物业服务满意度",
        "content": "了解居民对物业服务的评价",
        "questionnaireUrl": "https://www.zhenjiang.gov.cn/dc/2026-12",
        "opensAt": "2026-11-26T09:00",
        "closesAt": "2026-12-26T18:00",
    }
    started = variables(ProcessId.ONLINE_SURVEY, survey)
    assert (
        started["opensAt"] == "2026-11-26T09:00:00+08:00"
        and started["closesAt"] == "2026-12-26T18:00:00+08:00"
    )
    assert errors(ProcessId.ONLINE_SURVEY, {**survey, "opensAt": "2026-12-27T09:00"}) == {
        "closesAt": "结束时间应晚于开始时间"
    }
    assert errors(ProcessId.ONLINE_SURVEY, {**survey, "questionnaireUrl": "javascript:alert(1)"}) == {
        "questionnaireUrl": "问卷链接格式不正确：应为以 http:// 或 https:// 开头的网址"
    }


RECEPTION: dict[str, Any] = {
    "receivingLeader": "陈建国",
    "leaderRank": "deputy",
    "receptionKind": "open",
    "receptionDate": "2026-11-26T09:00",
    "appellant": {"name": "赵大爷", "phone": "0511-8888 1234", "address": "润州区某村"},
    "title": "征地补偿未到位",
    "content": "2025年征地补偿款至今未发放",
    "inScope": True,
    "responsibleUnit": "住房城乡建设委",
}


def test_a_reception_names_its_leader_the_appellant_and_whether_it_is_in_the_leaders_remit() -> None:
    started = variables(ProcessId.LEADER_RECEPTION, RECEPTION)
    assert started["receivingLeader"] == "陈建国" and started["inScope"] is True
    assert started["appellant"] == {
        "name": "赵大爷",
        "phone": "051188881234",
        "address": "润州区某村",
        "confidential": False,
    }
    assert "repeatOf" not in started, "a first visit names no earlier case"
    later = variables(ProcessId.LEADER_RECEPTION, {**RECEPTION, "receptionDate": "2026-12-03T09:00"})
    assert later["receptionDate"] == "2026-12-03T09:00:00+08:00", "a reception may be arranged ahead"
    repeat = variables(
        ProcessId.LEADER_RECEPTION, {**RECEPTION, "inScope": False, "repeatOf": " jf2026-000012 "}
    )
    assert repeat["repeatOf"] == "JF2026-000012" and repeat["inScope"] is False
    assert errors(
        ProcessId.LEADER_RECEPTION,
        {**RECEPTION, "leaderRank": "mayor", "receptionKind": "visit", "repeatOf": "第12号"},
    ) == {
        "leaderRank": "领导类别的取值无效",
        "receptionKind": "接访形式的取值无效",
        "repeatOf": "原案件编号（重复来访）格式不正确：应为案件编号，如 JF2027-000012",
    }


def test_a_radio_call_in_names_its_quarter_as_a_year_and_quarter() -> None:
    broadcast = {"unit": "综合执法局", "broadcastAt": "2027-01-14T08:30", "title": "城市管理热点问题"}
    assert variables(ProcessId.RADIO_HOTLINE, {**broadcast, "quarter": "2027q1"})["quarter"] == "2027Q1"
    assert errors(ProcessId.RADIO_HOTLINE, {**broadcast, "quarter": "2027Q5"}) == {
        "quarter": "上线季度格式不正确：应为年份加季度，如 2027Q1"
    }
    assert errors(
        ProcessId.RADIO_HOTLINE, {**broadcast, "quarter": "2027Q1", "broadcastAt": "2026-11-26T10:00"}
    ) == {"broadcastAt": "上线直播时间应晚于当前时间"}
