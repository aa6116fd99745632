"""What the message forms' fields turn into: the variables a waiting process reads, every field
present, or messages in Chinese naming the field (console/messages.py)."""

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from console.intake import IntakeInvalid
from console.messages import UnknownFields, message_variables, messages_of_channel, process_messages, repeated
from console.policy import load_console_policy
from workers.ids import (
    LeaderReceptionMessages,
    MeetingAttendanceMessages,
    OnlineInterviewMessages,
    ProcessId,
    WeiboReleaseMessages,
)

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CONFIG = Path(__file__).resolve().parents[3] / "config"
MESSAGES = process_messages(CONFIG)


def variables(name: str, body: dict[str, Any]) -> dict[str, Any]:
    return message_variables(MESSAGES[name], body, NOW)


def errors(name: str, body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(IntakeInvalid) as raised:
        variables(name, body)
    return raised.value.errors


def test_a_sign_up_sends_every_variable_the_diagram_appends_even_without_an_opinion() -> None:
    sent = variables(
        MeetingAttendanceMessages.SIGN_UP, {"name": " 王芳 ", "phone": "138 0000 2222", "via": "sms"}
    )
    # The diagram appends {name, phone, via, opinion}: an opinion left out is null, not an earlier one.
    assert sent == {"name": "王芳", "phone": "13800002222", "via": "sms", "opinion": None}


def test_a_sign_up_names_each_wrong_field_in_chinese() -> None:
    found = errors(
        MeetingAttendanceMessages.SIGN_UP,
        {"name": "", "phone": "12345", "via": "wechat", "opinion": "意" * 2001},
    )
    assert found == {
        "name": "姓名为必填项",
        "phone": "手机号码格式不正确：应为11位手机号或带区号的固定电话",
        "via": "报名方式的取值无效",
        "opinion": "随报名提交的意见建议不能超过2000个字（现有2001个）",
    }


def test_fields_the_message_does_not_have_are_refused() -> None:
    with pytest.raises(UnknownFields, match="caseNumber"):
        variables(
            OnlineInterviewMessages.QUESTION,
            {"question": "何时开工？", "asker": "网友甲", "caseNumber": "FT2026-1"},
        )


def test_a_message_without_fields_sends_no_variables_and_refuses_any() -> None:
    assert variables(OnlineInterviewMessages.ENDED, {}) == {}
    with pytest.raises(UnknownFields):
        variables(OnlineInterviewMessages.ENDED, {"answers": 30})


def test_a_correction_takes_only_the_reasons_and_actions_the_diagram_knows() -> None:
    sent = variables(
        WeiboReleaseMessages.CORRECTION,
        {
            "correctionReason": "inaccurate",
            "correctionAction": "retraction",
            "correctionNote": "发布时间有误",
        },
    )
    assert sent == {
        "correctionReason": "inaccurate",
        "correctionAction": "retraction",
        "correctionNote": "发布时间有误",
    }
    found = errors(
        WeiboReleaseMessages.CORRECTION, {"correctionReason": "wrong", "correctionAction": "retraction"}
    )
    assert found == {"correctionReason": "原因的取值无效", "correctionNote": "说明为必填项"}


def test_a_schedule_drops_blank_rows_and_checks_each_row_against_the_policy() -> None:
    sent = variables(
        LeaderReceptionMessages.SCHEDULE,
        {
            "scheduleMonth": "2026-12",
            "schedule": [
                {"leader": "王市长", "date": "2026-12-16", "kind": "open"},
                {"leader": "", "date": "", "kind": ""},
                {"leader": "张局长", "date": "2026-12-03", "kind": "case-carrying"},
            ],
        },
    )
    assert sent == {
        "scheduleMonth": "2026-12",
        "schedule": [
            {"leader": "王市长", "date": "2026-12-16", "kind": "open"},
            {"leader": "张局长", "date": "2026-12-03", "kind": "case-carrying"},
        ],
    }


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {
                "scheduleMonth": "2026-13",
                "schedule": [{"leader": "王市长", "date": "2026-12-16", "kind": "open"}],
            },
            {"scheduleMonth": "月份格式不正确：应为年-月，如 2027-01"},
        ),
        (
            {
                "scheduleMonth": "2026-12",
                "schedule": [{"leader": "刘处长", "date": "2026-12-16", "kind": "open"}],
            },
            {"schedule": "接访安排第1行接访领导的取值无效"},
        ),
        (
            {
                "scheduleMonth": "2026-12",
                "schedule": [{"leader": "王市长", "date": "2027-01-05", "kind": "open"}],
            },
            {"schedule": "接访安排第1行日期2027-01-05不在2026-12"},
        ),
        (
            {"scheduleMonth": "2026-12", "schedule": [{"leader": "王市长", "date": "12/16", "kind": "open"}]},
            {"schedule": "接访安排第1行日期格式不正确：应为日期，如 2027-01-15"},
        ),
        (
            {
                "scheduleMonth": "2026-12",
                "schedule": [{"leader": "王市长", "date": "2026-12-16", "room": "1"}],
            },
            {"schedule": "接访安排第1行含未知字段：room"},
        ),
        (
            {"scheduleMonth": "2026-12", "schedule": [{"leader": "", "date": ""}]},
            {"schedule": "接访安排为必填项，至少填写一行"},
        ),
        ({"scheduleMonth": "2026-12", "schedule": "王市长 12-16"}, {"schedule": "接访安排的取值无效"}),
    ],
)
def test_a_wrong_schedule_is_refused_naming_the_row(body: dict[str, Any], problem: dict[str, str]) -> None:
    assert errors(LeaderReceptionMessages.SCHEDULE, body) == problem


def test_every_message_belongs_to_a_channel_some_office_registers() -> None:
    roles = load_console_policy(CONFIG).roles.values()
    for message in MESSAGES.values():
        assert any(role.registers(message.channel) for role in roles), f"nobody may send {message.name}"
        assert message.starts or message.not_awaited, f"{message.name} does not say when it is refused"


def test_the_schedule_is_a_start_and_the_others_reach_a_case() -> None:
    assert [
        message.name for message in messages_of_channel(CONFIG, ProcessId.LEADER_RECEPTION, starts=True)
    ] == [LeaderReceptionMessages.SCHEDULE]
    assert [
        message.name for message in messages_of_channel(CONFIG, ProcessId.MEETING_ATTENDANCE, starts=False)
    ] == [
        MeetingAttendanceMessages.SIGN_UP,
        MeetingAttendanceMessages.OPINION,
    ]


def test_a_phone_that_signed_up_already_is_named_and_another_is_taken() -> None:
    sign_up = MESSAGES[MeetingAttendanceMessages.SIGN_UP]
    held = [{"name": "王芳", "phone": "13800002222", "via": "online", "opinion": None}]
    assert repeated(sign_up, {"phone": "13800002222"}, held) == {"phone": "13800002222已经登记过"}
    assert repeated(sign_up, {"phone": "13900003333"}, held) == {}
    assert repeated(sign_up, {"phone": "13800002222"}, None) == {}, "no sign-up yet: nothing repeats"
