"""The counts a bulletin can compute in SQL, by name: the vocabulary of `config/reports.toml`.

An indicator in config is a count, or a count divided by a count; which counts exist, and exactly
what each one counts, is fixed here because each is a query (`queries.py`). The description is
printed in the report's notes, so a reader knows what a figure means without reading code.
"""

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    # Cases received in the period, in their state at the cut-off, by lead unit and category.
    CASES = "cases"
    # Events recorded in the period, by the unit the event concerns and its case's category.
    EVENTS = "events"


@dataclass(frozen=True)
class Count:
    label: str
    description: str
    scope: Scope


COUNTS: dict[str, Count] = {
    "received": Count("受理件数", "本期受理（登记）的诉求件数", Scope.CASES),
    "completed": Count("办结件数", "本期受理、截至统计截止时已办结的件数", Scope.CASES),
    "completed_on_time": Count(
        "按期办结件数", "本期受理、在办理期限（含已批准的延期）内办结的件数", Scope.CASES
    ),
    "due": Count("应办结件数", "本期受理、办理期限在统计截止前届满或已办结的件数", Scope.CASES),
    "overdue": Count(
        "超期件数", "本期受理、办理期限在统计截止前届满而未按期办结的件数（含超期办结）", Scope.CASES
    ),
    "open": Count("在办件数", "本期受理、截至统计截止时尚未办结的件数", Scope.CASES),
    "replied": Count("已答复件数", "本期受理、截至统计截止时已有答复的件数", Scope.CASES),
    "visited": Count("已回访件数", "本期受理、截至统计截止时已回访的件数", Scope.CASES),
    "satisfied": Count("满意件数", "已回访件中，最近一次回访结果属于“满意”结果的件数", Scope.CASES),
    "resolved": Count(
        "已解决件数", "已答复件中，最近一次答复的办理结果等级属于“已解决”等级的件数", Scope.CASES
    ),
    "hotline_received": Count("12345热线受理件数", "本期受理的12345热线工单件数", Scope.CASES),
    "answered_directly": Count(
        "前台直接答复件数",
        "本期受理、截至统计截止时在前台直接答复办结（当场答复、三方通话解答或引用知识库答复）的件数",
        Scope.CASES,
    ),
    "answered_from_knowledge": Count(
        "知识库直接答复件数", "前台直接答复件中，引用知识库条目答复的件数", Scope.CASES
    ),
    "returns": Count("退单次数", "本期登记的退单次数，计入退单单位", Scope.EVENTS),
    "extensions": Count("延期申请次数", "本期登记的延期申请次数，计入申请单位", Scope.EVENTS),
    "extensions_approved": Count("延期批准次数", "本期登记且获批准的延期申请次数", Scope.EVENTS),
    "reminders": Count("催办次数", "本期登记的催办次数，计入被催办单位", Scope.EVENTS),
    "escalations": Count("督办次数", "本期登记的督办次数，计入被督办单位", Scope.EVENTS),
}
