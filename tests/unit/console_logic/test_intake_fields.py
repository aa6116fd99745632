"""What the intake page's fields turn into: each process's start variables, or messages in Chinese
that name the field (console/intake.py)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from console.intake import CHANNELS, IntakeInvalid, intake_variables
from workers.ids import ProcessId

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
UNITS = (("住房城乡建设委", "市住房和城乡建设委员会"), ("环保局", "市环境保护局"))


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
