"""The intake channels (登记受理): each channel's fields, which drive both the intake page's form and
the server's checks of what it sends (and of each row of an imported file), so the two cannot
disagree; the server checks everything again, whatever the browser let through. Each channel
starts its process with the variables its start and its register step read (see the start events
of bpmn/*.bpmn and workers/ledger/events.py CaseRegistration).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from console.open311 import normal_phone
from workers.classification_policy import load_classification_policy
from workers.ids import ProcessId

Kind = Literal[
    "text",
    "long",
    "phone",
    "flag",
    "choice",
    "unit",
    "units",
    "moment",
    "names",
    "url",
    "quarter",
    "case-number",
    "month",
    "date",
    "rows",
]
# Whether a moment may lie ahead (a meeting to come), behind (a post already made) or either (a
# reception that took place or is arranged).
Tense = Literal["past", "future", "any"]

# Names written in one box, as clerks list them: "张三、李四，王五".
NAME_SEPARATORS = re.compile(r"[,，、;；\s]+")
QUARTER = re.compile(r"^([0-9]{4})[Qq]([1-4])$")
NAME_MAX_LENGTH = 50
# As config/ledger.toml numbers cases: <prefix><year>-<sequence>.
CASE_NUMBER = re.compile(r"^[A-Z]{2}[0-9]{4}-[0-9]{1,12}$")
MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


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
    tense: Tense = "past"
    # For a name: the path of a names field it must be one of (a reviewer is one of the guests).
    among: str = ""
    # For rows (a list of objects, as a month's reception schedule): the fields of each row, and
    # max_length is the most rows.
    columns: tuple[FormField, ...] = ()

    @property
    def element_id(self) -> str:
        return self.path.replace(".", "-")


@dataclass(frozen=True)
class IntakeChannel:
    process_id: str
    label: str
    intro: str
    fields: tuple[FormField, ...]
    # (earlier, later): field paths of two moments that must come in this order.
    in_order: tuple[tuple[str, str], ...] = ()
    # Field paths naming people who must be different people (the two reviewers of an interview).
    distinct: tuple[str, ...] = ()


class FieldForm(Protocol):
    """What a form's fields are checked by: an intake channel's, or a process message's
    (console/messages.py)."""

    @property
    def fields(self) -> tuple[FormField, ...]: ...

    @property
    def in_order(self) -> tuple[tuple[str, str], ...]: ...

    @property
    def distinct(self) -> tuple[str, ...]: ...


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
        IntakeChannel(
            ProcessId.MEETING_ATTENDANCE,
            "列席常务会议",
            "市政府常务会议研究民生等重大议题时邀请公民列席：登记议题后，会前3个工作日发布预告、接受报名，"
            "选取不超过5名列席人员；会后由议题提交单位在3个工作日内答复网民意见。",
            (
                FormField("title", "议题", required=True, max_length=100, wide=True),
                FormField("content", "议题说明", "long", required=True, max_length=5000, wide=True),
                FormField("meetingAt", "会议时间", "moment", required=True, tense="future"),
                FormField("topicUnit", "议题提交单位", "unit", required=True),
            ),
        ),
        IntakeChannel(
            ProcessId.WEIBO_RELEASE,
            "微博发布申请",
            "各地各部门提供、由12345热线话务班在官方微博发布的信息：一般性信息由本单位分管领导审核，"
            "重要信息和突发性事件信息由市政府办公室分管领导审核，未经审核的信息不得发布。",
            (
                FormField(
                    "unit",
                    "信息提供单位",
                    "unit",
                    required=True,
                    choices=(("市政府办公室", "市政府办公室"), ("应急办", "市应急办")),
                ),
                TITLE,
                FormField("content", "发布内容", "long", required=True, max_length=2000, wide=True),
                FormField("submittedBy", "填表人", max_length=50),
                FormField(
                    "level",
                    "信息级别",
                    "choice",
                    required=True,
                    choices=(
                        ("ordinary", "一般性信息"),
                        ("important", "重要信息"),
                        ("emergency", "突发性事件信息"),
                    ),
                ),
            ),
        ),
        IntakeChannel(
            ProcessId.ONLINE_INTERVIEW,
            "在线访谈",
            "上线单位的在线访谈方案，提前两周报电子政务和信息处；设嘉宾、主持人、初审人、终审人四个角色，"
            "初审人和终审人由两名不同的嘉宾担任。",
            (
                FormField("unit", "上线单位", "unit", required=True),
                FormField("title", "访谈主题", required=True, max_length=100, wide=True),
                FormField(
                    "content",
                    "访谈方案",
                    "long",
                    required=True,
                    max_length=5000,
                    wide=True,
                    hint="内容准备、背景材料等",
                ),
                FormField("interviewAt", "访谈时间", "moment", required=True, tense="future"),
                FormField(
                    "venue",
                    "举办网站",
                    "choice",
                    required=True,
                    choices=(("portal", "“中国镇江”门户网站"), ("department", "部门网站")),
                ),
                FormField(
                    "guests", "嘉宾", "names", required=True, max_length=200, hint="多人用顿号或逗号分隔"
                ),
                FormField("host", "主持人", required=True, max_length=50),
                FormField(
                    "initialReviewer",
                    "初审人",
                    required=True,
                    max_length=50,
                    among="guests",
                    hint="嘉宾之一，负责筛选网民提问",
                ),
                FormField(
                    "finalReviewer",
                    "终审人",
                    required=True,
                    max_length=50,
                    among="guests",
                    hint="另一名嘉宾（主要领导或分管领导），审核所有答复",
                ),
                FormField(
                    "leader", "参与领导", required=True, max_length=50, hint="与主持人一问一答的主要负责人"
                ),
            ),
            distinct=("initialReviewer", "finalReviewer"),
        ),
        IntakeChannel(
            ProcessId.ONLINE_SURVEY,
            "在线调查",
            "职能部门围绕重要决策和与公众利益密切相关的事项开展的网上调查：设定专题和问卷，"
            "调查结束后提供调查情况分析报告，由网站编辑部每月考评。",
            (
                FormField("unit", "调查单位", "unit", required=True),
                FormField("title", "专题", required=True, max_length=100, wide=True),
                FormField("content", "调查目的", "long", required=True, max_length=5000, wide=True),
                FormField(
                    "questionnaireUrl",
                    "问卷链接",
                    "url",
                    required=True,
                    max_length=500,
                    wide=True,
                    hint="如：https://www.zhenjiang.gov.cn/dc/2027-01",
                ),
                FormField("opensAt", "开始时间", "moment", required=True, tense="any"),
                FormField("closesAt", "结束时间", "moment", required=True, tense="future"),
            ),
            in_order=(("opensAt", "closesAt"),),
        ),
        IntakeChannel(
            ProcessId.LEADER_RECEPTION,
            "领导接访",
            "领导干部公开接访、带案下访、重点约访的来访事项：谁接访、谁包案，处理意见经接访领导签署后"
            "才能答复来访人；再次来访的，仍由原接访领导包案。",
            (
                FormField(
                    "receivingLeader",
                    "接访领导",
                    required=True,
                    max_length=50,
                    hint="姓名，与其系统账号的姓名一致，任务才会进入其待办",
                ),
                FormField(
                    "leaderRank",
                    "领导类别",
                    "choice",
                    required=True,
                    choices=(
                        ("principal", "政府主要领导"),
                        ("deputy", "其他政府领导"),
                        ("department-head", "部门负责人"),
                    ),
                ),
                FormField(
                    "receptionKind",
                    "接访形式",
                    "choice",
                    required=True,
                    choices=(
                        ("open", "公开接访"),
                        ("case-carrying", "带案下访"),
                        ("appointment", "重点约访"),
                    ),
                ),
                FormField("receptionDate", "接访时间", "moment", required=True, tense="any"),
                FormField("appellant.name", "来访人姓名", required=True, max_length=50),
                FormField("appellant.phone", "联系电话", "phone", max_length=20),
                ADDRESS,
                CONFIDENTIAL,
                FormField("title", "信访事项", required=True, max_length=100, wide=True),
                FormField("content", "来访诉求", "long", required=True, max_length=5000, wide=True),
                FormField("inScope", "属于接访领导分管范围（不属于的由接访领导交办、转办）", "flag"),
                FormField("responsibleUnit", "责任单位", "unit", hint="交办、转办或承办的单位"),
                FormField(
                    "repeatOf",
                    "原案件编号（重复来访）",
                    "case-number",
                    max_length=20,
                    hint="再次来访的填原接访案件编号，如 JF2027-000012",
                ),
            ),
        ),
        IntakeChannel(
            ProcessId.RADIO_HOTLINE,
            "政风行风热线上线",
            "《政风行风热线》上线部门的直播安排：上线前3个工作日做好准备，前一周的周四前报送带队领导和"
            "交流主题；直播中未答复的问题7个工作日内办结。",
            (
                FormField("unit", "上线单位", "unit", required=True),
                FormField("broadcastAt", "上线直播时间", "moment", required=True, tense="future"),
                FormField("quarter", "上线季度", "quarter", required=True, max_length=6, hint="如：2027Q1"),
                FormField("title", "交流主题", max_length=100, wide=True, hint="可在报送带队上线领导时再定"),
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
    """A field's choices; a unit field's are the routing's units and any the field adds."""
    return units + field.choices if field.kind in ("unit", "units") else field.choices


class IntakeInvalid(Exception):
    def __init__(self, channel: FieldForm, problems: dict[str, str]) -> None:
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
    variables, problems = checked_fields(channel, body, units, now)
    lead, co_units = variables.get("leadUnit"), variables.get("coUnits", [])
    if lead is not None and lead in co_units:
        problems["coUnits"] = "不能包含主办单位"
    if problems:
        raise IntakeInvalid(channel, problems)
    variables.setdefault("receivedAt", now.isoformat())
    return variables


def checked_fields(
    form: FieldForm, body: Mapping[str, Any], units: tuple[tuple[str, str], ...], now: datetime
) -> tuple[dict[str, Any], dict[str, str]]:
    """The variables of the fields entered right, and the problems of the others (on their own or
    between fields), by field path in the order of the form."""
    variables: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in form.fields:
        try:
            value = _checked(field, _at(body, field.path), choices_of(field, units), now)
        except ValueError as problem:
            problems[field.path] = str(problem)
            continue
        if value is not None:
            put_at(variables, field.path, value)
    problems.update(_related_problems(form, variables, problems))
    return variables, problems


def _related_problems(form: FieldForm, variables: dict[str, Any], problems: dict[str, str]) -> dict[str, str]:
    """What is wrong between fields each right on its own; a field already refused is not judged again."""
    labels = {field.path: field.label for field in form.fields}
    found: dict[str, str] = {}
    for field in form.fields:
        value, names = _at(variables, field.path), _at(variables, field.among) if field.among else None
        if names is not None and value is not None and value not in names:
            found[field.path] = f"应为{labels[field.among]}之一"
    for earlier, later in form.in_order:
        first, then = _at(variables, earlier), _at(variables, later)
        if (
            first is not None
            and then is not None
            and datetime.fromisoformat(then) <= datetime.fromisoformat(first)
        ):
            found[later] = f"应晚于{labels[earlier]}"
    people = [(path, _at(variables, path)) for path in form.distinct]
    for index, (path, person) in enumerate(people):
        same = [
            labels[other] for other, earlier in people[:index] if person is not None and earlier == person
        ]
        if same:
            found.setdefault(path, f"应与{'、'.join(same)}为不同的人")
    return {path: problem for path, problem in found.items() if path not in problems}


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
    if field.kind == "rows":
        return _rows(field, value, now)
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
        return _moment(text, now, field.tense).isoformat()
    if field.kind == "names":
        names = _names(text)
        if not names and field.required:
            raise ValueError("为必填项")
        return names or None
    if field.kind == "url":
        return _url(text)
    if field.kind == "quarter":
        found = QUARTER.match(text)
        if found is None:
            raise ValueError("格式不正确：应为年份加季度，如 2027Q1")
        return f"{found.group(1)}Q{found.group(2)}"
    if field.kind == "case-number":
        number = text.upper()
        if CASE_NUMBER.match(number) is None:
            raise ValueError("格式不正确：应为案件编号，如 JF2027-000012")
        return number
    if field.kind == "month":
        if MONTH.match(text) is None:
            raise ValueError("格式不正确：应为年-月，如 2027-01")
        return text
    if field.kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError("格式不正确：应为日期，如 2027-01-15") from None
    return text


def _rows(field: FormField, value: Any, now: datetime) -> list[dict[str, Any]] | None:
    """The rows entered, each checked by the field's columns; rows left blank (the page's spare
    rows) are dropped."""
    rows = [] if value is None else value
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        raise ValueError("的取值无效")
    allowed = {column.path for column in field.columns}
    entered: list[dict[str, Any]] = []
    for number, row in enumerate(rows, 1):
        unknown = sorted(str(name) for name in row if name not in allowed)
        if unknown:
            raise ValueError(f"第{number}行含未知字段：{'、'.join(unknown)}")
        if all(row.get(column.path) in (None, "") for column in field.columns):
            continue
        entry: dict[str, Any] = {}
        for column in field.columns:
            try:
                checked = _checked(column, row.get(column.path), column.choices, now)
            except ValueError as problem:
                raise ValueError(f"第{number}行{column.label}{problem}") from None
            if checked is not None:
                entry[column.path] = checked
        entered.append(entry)
    if not entered and field.required:
        raise ValueError("为必填项，至少填写一行")
    if len(entered) > field.max_length:
        raise ValueError(f"不能超过{field.max_length}行（现有{len(entered)}行）")
    return entered or None


def _moment(text: str, now: datetime, tense: Tense) -> datetime:
    """A local date and time as a datetime-local input gives it, in the time zone of `now`."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("格式不正确：应为日期和时间") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    if tense == "past" and moment > now:
        raise ValueError("不能晚于当前时间")
    if tense == "future" and moment <= now:
        raise ValueError("应晚于当前时间")
    return moment


def _names(text: str) -> list[str]:
    names = list(dict.fromkeys(name for name in NAME_SEPARATORS.split(text) if name))
    if any(len(name) > NAME_MAX_LENGTH for name in names):
        raise ValueError(f"每个姓名不能超过{NAME_MAX_LENGTH}个字，多人请用顿号或逗号分隔")
    return names


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(char.isspace() for char in text):
        raise ValueError("格式不正确：应为以 http:// 或 https:// 开头的网址")
    return text
