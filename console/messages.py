"""The messages people send to a running process from the console (登记报名, 登记网民提问, ...): each
message's fields, defined once here like the intake channels' (console/intake.py), drive both the
form on the case's page and the server's checks of what it sends.

A message belongs to a channel, and is sent by the roles that register that channel
(`RolePolicy.registers`): the meeting office enters the sign-ups of its meetings, not the hotline.
A case's message is published with the case number as correlation key (the diagrams subscribe with
`=caseNumber`) and TTL 0, so a message nobody waits for would be dropped without a word: the
console first checks that the case's process is in a step that waits for it (`awaited_in`, the
element whose activity opens the subscription) and says so otherwise. A message start
(`reception-schedule`) starts an instance and has a page of its own.

The names, correlation keys and variables are the diagrams' (docs/channels.md, workers/ids.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from console.intake import FormField, IntakeInvalid, checked_fields, put_at
from workers.ids import (
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
from workers.reception_policy import load_reception_policy

# A month has at most this many reception days to publish; the page offers the first few rows and
# adds more on request.
SCHEDULE_ROWS = 31
ROWS_SHOWN = 6


@dataclass(frozen=True)
class ProcessMessage:
    name: str
    channel: str
    # The button and the form's title: "登记报名".
    label: str
    intro: str
    fields: tuple[FormField, ...]
    # What the answer says once it is sent: "报名已登记".
    done: str
    # Elements of the diagram one of which is active while the process waits for the message; empty
    # for a message start.
    awaited_in: tuple[str, ...] = ()
    # Why the message is refused when the process is not waiting for it.
    not_awaited: str = ""
    # The page asks before sending (a message that ends something).
    confirm: str = ""
    # (field path, list variable, key): the field's value must not be the key of an entry of that
    # process variable already (a person signs up once: the selection names sign-ups by phone).
    unique: tuple[str, str, str] | None = None
    # For a message start: the field whose value is the correlation key, which keeps a second
    # instance from starting while one with the same key runs (one schedule of a month at a time).
    start_key: str = ""
    # Checks between the fields that only this message has: problems by field path.
    check: Callable[[dict[str, Any]], dict[str, str]] | None = None
    # The intake's checks between fields (console/intake.py FieldForm), which the checks share.
    in_order: tuple[tuple[str, str], ...] = ()
    distinct: tuple[str, ...] = ()

    @property
    def starts(self) -> bool:
        """Whether the message starts an instance (no case yet) rather than reaching a case's."""
        return not self.awaited_in


NAME = FormField("name", "姓名", required=True, max_length=50)
PHONE = FormField("phone", "手机号码", "phone", required=True, max_length=20, hint="同一人以手机号区分")


def _case_messages() -> tuple[ProcessMessage, ...]:
    return (
        ProcessMessage(
            MeetingAttendanceMessages.SIGN_UP,
            ProcessId.MEETING_ATTENDANCE,
            "登记报名",
            "公民通过网上或短信报名列席会议，由会务人员逐条登记；报名截止于人员列选完成（或会议开始）。",
            (
                NAME,
                PHONE,
                FormField(
                    "via",
                    "报名方式",
                    "choice",
                    required=True,
                    choices=(("online", "网上报名"), ("sms", "短信报名")),
                ),
                FormField(
                    "opinion", "随报名提交的意见建议", "long", max_length=2000, wide=True, hint="可不填"
                ),
            ),
            "报名已登记",
            awaited_in=(MeetingAttendance.SIGN_UP_PHASE,),
            unique=("phone", "signUps", "phone"),
            not_awaited="报名已截止：列席人员已选定或会议已开始",
        ),
        ProcessMessage(
            MeetingAttendanceMessages.OPINION,
            ProcessId.MEETING_ATTENDANCE,
            "登记意见建议",
            "会前以书面或网络方式提交的意见建议，由会务人员登记；会议开始后不再接收。",
            (
                NAME,
                PHONE,
                FormField(
                    "via",
                    "提交方式",
                    "choice",
                    required=True,
                    choices=(("written", "书面"), ("online", "网络")),
                ),
                FormField("text", "意见建议", "long", required=True, max_length=5000, wide=True),
            ),
            "意见建议已登记",
            awaited_in=(MeetingAttendance.BEFORE_MEETING,),
            not_awaited="会议已开始，不再接收会前意见建议",
        ),
        ProcessMessage(
            OnlineInterviewMessages.QUESTION,
            ProcessId.ONLINE_INTERVIEW,
            "登记网民提问",
            "访谈进行中网民的提问，逐条登记后交初审人筛选。",
            (
                FormField("asker", "提问网民", required=True, max_length=50, hint="网名"),
                FormField("question", "问题", "long", required=True, max_length=2000, wide=True),
            ),
            "网民提问已登记，已交初审人筛选",
            awaited_in=(OnlineInterview.LIVE,),
            not_awaited="访谈尚未开始或已经结束，不能登记网民提问",
        ),
        ProcessMessage(
            OnlineInterviewMessages.ENDED,
            ProcessId.ONLINE_INTERVIEW,
            "结束访谈",
            "访谈结束：不再接收网民提问，尚在审核中的问题不再发布。",
            (),
            "访谈已结束",
            awaited_in=(OnlineInterview.LIVE,),
            not_awaited="访谈尚未开始或已经结束",
            confirm="确定结束访谈吗？尚在审核中的问题将不再发布。",
        ),
        ProcessMessage(
            OnlineSurveyMessages.ANSWER,
            ProcessId.ONLINE_SURVEY,
            "登记答卷",
            "调查期间收到的一份答卷（如书面答卷），计入答卷数。",
            (),
            "答卷已计入",
            awaited_in=(OnlineSurvey.COLLECTION,),
            not_awaited="调查尚未开始或已经结束，不能登记答卷",
        ),
        ProcessMessage(
            WeiboReleaseMessages.CORRECTION,
            ProcessId.WEIBO_RELEASE,
            "登记更正或撤回",
            "已发布的信息不准确或不真实的，在更正受理期内登记更正或撤回。",
            (
                FormField(
                    "correctionReason",
                    "原因",
                    "choice",
                    required=True,
                    choices=(("inaccurate", "信息不准确"), ("untrue", "信息不真实")),
                ),
                FormField(
                    "correctionAction",
                    "处理方式",
                    "choice",
                    required=True,
                    choices=(("correction", "更正"), ("retraction", "撤回")),
                ),
                FormField("correctionNote", "说明", "long", required=True, max_length=2000, wide=True),
            ),
            "更正（撤回）已登记",
            awaited_in=(WeiboRelease.CORRECTION_GATEWAY,),
            not_awaited="信息尚未发布或更正受理期已过",
        ),
    )


def _schedule_message(leaders: tuple[str, ...]) -> ProcessMessage:
    columns = (
        FormField(
            "leader", "接访领导", "choice", required=True, choices=tuple((name, name) for name in leaders)
        ),
        FormField("date", "日期", "date", required=True),
        FormField(
            "kind",
            "形式",
            "choice",
            required=True,
            choices=(("open", "公开接访"), ("case-carrying", "带案下访"), ("appointment", "重点约访")),
        ),
    )
    return ProcessMessage(
        LeaderReceptionMessages.SCHEDULE,
        ProcessId.LEADER_RECEPTION,
        "登记本月接访安排",
        "每月初汇总本月领导干部接访、下访安排，提交后生成公示任务。接访领导见 config/receptions.toml。",
        (
            FormField("scheduleMonth", "月份", "month", required=True, max_length=7, hint="如：2027-01"),
            FormField(
                "schedule", "接访安排", "rows", required=True, max_length=SCHEDULE_ROWS, columns=columns
            ),
        ),
        "接访安排已提交，流程将登记案件并生成公示任务",
        start_key="scheduleMonth",
        check=_days_in_month,
    )


def _days_in_month(variables: dict[str, Any]) -> dict[str, str]:
    month, rows = variables.get("scheduleMonth"), variables.get("schedule") or []
    for number, row in enumerate(rows, 1):
        if month is not None and not str(row.get("date", "")).startswith(f"{month}-"):
            return {"schedule": f"第{number}行日期{row.get('date')}不在{month}"}
    return {}


@cache
def process_messages(config_dir: Path) -> dict[str, ProcessMessage]:
    """Every message the console sends, by name; the schedule's leaders are the jurisdiction's."""
    leaders = tuple(load_reception_policy(config_dir).leaders)
    return {message.name: message for message in (*_case_messages(), _schedule_message(leaders))}


def messages_of_channel(config_dir: Path, channel: str, *, starts: bool) -> tuple[ProcessMessage, ...]:
    return tuple(
        message
        for message in process_messages(config_dir).values()
        if message.channel == channel and message.starts == starts
    )


class UnknownFields(ValueError):
    """The body names fields the message does not have."""


def message_variables(message: ProcessMessage, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The message's variables from what was entered, every field present (null when left empty, so
    that a diagram reading it does not find an earlier message's value); IntakeInvalid naming each
    wrong field, or UnknownFields."""
    known = {field.path.split(".", 1)[0] for field in message.fields}
    unknown = sorted(str(name) for name in body if name not in known)
    if unknown:
        raise UnknownFields(f"没有这些字段：{'、'.join(unknown)}")
    variables, problems = checked_fields(message, body, (), now)
    if message.check is not None and not problems:
        problems.update(message.check(variables))
    if problems:
        raise IntakeInvalid(message, problems)
    for field in message.fields:
        if _missing(variables, field.path):
            put_at(variables, field.path, None)
    return variables


def _missing(variables: dict[str, Any], path: str) -> bool:
    value: Any = variables
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return True
        value = value[part]
    return False


def repeated(message: ProcessMessage, variables: dict[str, Any], entries: Any) -> dict[str, str]:
    """The problem of a value the process holds already (`ProcessMessage.unique`), by field path."""
    if message.unique is None or not isinstance(entries, list):
        return {}
    path, _, key = message.unique
    value = variables.get(path)
    if value is not None and any(isinstance(entry, dict) and entry.get(key) == value for entry in entries):
        return {path: f"{value}已经登记过"}
    return {}
