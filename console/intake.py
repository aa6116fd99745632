"""The intake channels (登记受理): each channel's fields, which drive both the intake page's form and
the server's checks of what it sends (and of each row of an imported file), so the two cannot
disagree; the server checks everything again, whatever the browser let through. Each channel
starts its process with the variables its start and its register step read (see the start events
of bpmn/*.bpmn and workers/ledger/events.py CaseRegistration).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

from console.open311 import normal_phone
from workers.classification_policy import load_classification_policy
from workers.ids import ProcessId

Kind = Literal["text", "long", "phone", "flag", "choice", "unit", "units", "moment"]


@dataclass(frozen=True)
class FormField:
    # Where the value goes in the process variables: "appellant.phone" is appellant {phone}.
    path: str
    label: str
    kind: Kind = "text"
    required: bool = False
    max_length: int = 100
    # (value, label) for a choice; units come from the jurisdiction's routing.
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    # Across the whole form rather than in one column of it.
    wide: bool = False

    @property
    def element_id(self) -> str:
        return self.path.replace(".", "-")


@dataclass(frozen=True)
class IntakeChannel:
    process_id: str
    label: str
    intro: str
    fields: tuple[FormField, ...]


TITLE = FormField("title", "标题", required=True, max_length=100, wide=True)
CONTENT = FormField("content", "诉求内容", "long", required=True, max_length=5000, wide=True)
LOCATION = FormField("location", "事发地点", max_length=200, hint="如：铁东区幸福路8号门前")
ADDRESS = FormField("appellant.address", "联系地址", max_length=200)
CONFIDENTIAL = FormField("appellant.confidential", "诉求人要求对个人信息保密", "flag")

CHANNELS: dict[str, IntakeChannel] = {
    channel.process_id: channel
    for channel in (
        IntakeChannel(
            ProcessId.HOTLINE_TICKET,
            "热线来电",
            "12345热线来电：登记后由话务员在“前台受理”任务中核对分类并派单。",
            (
                FormField("appellant.phone", "来电号码", "phone", required=True, max_length=20),
                FormField("appellant.name", "来电人姓名", max_length=50),
                ADDRESS,
                CONFIDENTIAL,
                TITLE,
                CONTENT,
                LOCATION,
            ),
        ),
        IntakeChannel(
            ProcessId.ONLINE_MESSAGE,
            "网上留言",
            "省长热线、网上留言、市长（区长）信箱下载的留言，逐项登记。",
            (
                FormField(
                    "source",
                    "来源",
                    "choice",
                    required=True,
                    choices=tuple((name, name) for name in ("网上留言", "省长热线", "市长信箱", "区长信箱")),
                ),
                FormField("fromAbove", "上级平台交办件", "flag"),
                FormField("appellant.name", "留言人姓名", required=True, max_length=50),
                FormField("appellant.phone", "联系电话", "phone", max_length=20),
                ADDRESS,
                CONFIDENTIAL,
                TITLE,
                CONTENT,
                LOCATION,
            ),
        ),
        IntakeChannel(
            ProcessId.DEPUTY_SUGGESTION,
            "代表建议、委员提案",
            "人大代表建议、政协提案的交办登记；未定主办单位的，由政府办公室指定。",
            (
                FormField(
                    "kind",
                    "类别",
                    "choice",
                    required=True,
                    choices=(("suggestion", "人大代表建议"), ("proposal", "政协提案")),
                ),
                FormField(
                    "assignmentKind",
                    "交办方式",
                    "choice",
                    required=True,
                    choices=(("meeting", "交办会集中交办"), ("adhoc", "闭会期间交办")),
                ),
                FormField("provincial", "省级及以上交办（由市政府统一答复）", "flag"),
                FormField("deputy.name", "代表委员姓名", required=True, max_length=50),
                FormField("deputy.phone", "联系电话", "phone", max_length=20),
                FormField("title", "标题", required=True, max_length=200, wide=True),
                FormField("content", "建议（提案）内容", "long", required=True, max_length=20000, wide=True),
                FormField("leadUnit", "主办单位", "unit", hint="不填则由政府办公室指定"),
                FormField("coUnits", "会办单位", "units"),
            ),
        ),
        IntakeChannel(
            ProcessId.FORUM_POST,
            "论坛帖子",
            "网络发言人办公室发现的论坛新帖：反映即受理，3个工作小时内初步回应。",
            (
                FormField("appellant.name", "发帖人（网名）", required=True, max_length=50),
                TITLE,
                FormField("content", "帖子内容", "long", required=True, max_length=5000, wide=True),
                FormField("receivedAt", "发帖时间", "moment", hint="不填为当前时间"),
            ),
        ),
    )
}


@cache
def handling_units(config_dir: Path) -> tuple[tuple[str, str], ...]:
    """The handling units the routing names, as (short name, full name)."""
    policy = load_classification_policy(config_dir)
    named = dict.fromkeys(topic.unit for topic in policy.routing.topics)
    return tuple((unit, policy.units[unit].name) for unit in named)


def choices_of(field: FormField, units: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return units if field.kind in ("unit", "units") else field.choices


class IntakeInvalid(Exception):
    def __init__(self, channel: IntakeChannel, problems: dict[str, str]) -> None:
        labels = {field.path: field.label for field in channel.fields}
        # By field path, each after its field's label: "标题为必填项".
        self.errors = {path: f"{labels[path]}{problem}" for path, problem in problems.items()}
        # The same without the label ("为必填项"), for a caller naming the field otherwise (an import).
        self.problems = problems
        super().__init__("；".join(self.errors.values()))


def intake_variables(
    channel: IntakeChannel,
    body: Mapping[str, Any],
    units: tuple[tuple[str, str], ...],
    now: datetime,
) -> dict[str, Any]:
    """The process's start variables from what the operator entered, or IntakeInvalid naming each
    field that is wrong (in the order of the form)."""
    variables: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in channel.fields:
        try:
            value = _checked(field, _at(body, field.path), choices_of(field, units), now)
        except ValueError as problem:
            problems[field.path] = str(problem)
            continue
        if value is not None:
            put_at(variables, field.path, value)
    lead, co_units = variables.get("leadUnit"), variables.get("coUnits", [])
    if lead is not None and lead in co_units:
        problems["coUnits"] = "不能包含主办单位"
    if problems:
        raise IntakeInvalid(channel, problems)
    variables.setdefault("receivedAt", now.isoformat())
    return variables


def _at(body: Mapping[str, Any], path: str) -> Any:
    value: Any = body
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def put_at(variables: dict[str, Any], path: str, value: Any) -> None:
    """Set `path` ("appellant.phone") in nested dictionaries, as intake_variables reads it."""
    *parents, last = path.split(".")
    for part in parents:
        variables = variables.setdefault(part, {})
    variables[last] = value


def _checked(field: FormField, value: Any, choices: tuple[tuple[str, str], ...], now: datetime) -> Any:
    if field.kind == "flag":
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ValueError("的取值无效")
        return value
    if field.kind == "units":
        values = [] if value is None else value
        allowed = {choice for choice, _ in choices}
        if not isinstance(values, list) or any(item not in allowed for item in values):
            raise ValueError("的取值无效")
        return list(dict.fromkeys(values))
    if value is not None and not isinstance(value, str):
        raise ValueError("的取值无效")
    text = (value or "").strip()
    if not text:
        if field.required:
            raise ValueError("为必填项")
        return None
    if len(text) > field.max_length:
        raise ValueError(f"不能超过{field.max_length}个字（现有{len(text)}个）")
    if field.kind == "phone":
        phone = normal_phone(text)
        if phone is None:
            raise ValueError("格式不正确：应为11位手机号或带区号的固定电话")
        return phone
    if field.kind in ("choice", "unit") and text not in {choice for choice, _ in choices}:
        raise ValueError("的取值无效")
    if field.kind == "moment":
        return _moment(text, now).isoformat()
    return text


def _moment(text: str, now: datetime) -> datetime:
    """A local date and time as a datetime-local input gives it, in the time zone of `now`."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("格式不正确：应为日期和时间") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    if moment > now:
        raise ValueError("不能晚于当前时间")
    return moment
