"""`config/reports.toml`: what a bulletin (通报) counts, how units are ranked, and what it shows.

Which statuses mean "completed", which visit results mean "satisfied", each indicator's numerator
and denominator, the ranking's score and the 民情快报's topics differ from city to city (domain.md's
periodic-report), so they are data, validated at start-up like every other policy file. So are the
sections of the communication channels (`[channels.<process-id>]`), which count the activities
their diagrams record in the ledger; `workers.reports.bulletin.compile_bulletin` returns them as
`Bulletin.channels`, each with its rows and 合计 row of values by indicator key.
"""

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, StrictBool, StrictFloat, StrictInt, StrictStr, model_validator

from workers.deadline_policy import TimeZone
from workers.policy import Text, _Policy, load_policy
from workers.reports.counts import COUNTS

REPORT_POLICY_FILE = "reports.toml"

Grade = Literal["A", "B", "C"]
TableName = Literal["units", "categories"]
_KEY = re.compile(r"[a-z][a-z0-9_-]*")
# As the ledger accepts an activity's name (workers/ledger/events.py Activity).
_ACTIVITY = re.compile(r"[a-z][a-z0-9-]{0,59}")
# The keys of `activityData` as a diagram's FEEL context writes them; plain, so that they need no
# quoting in a JSON path.
_DATA_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Excel refuses these in a sheet's name, and a channel's label names its sheet.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31


def _count_name(name: str) -> str:
    if name not in COUNTS:
        raise ValueError(f"must be one of the counts {', '.join(COUNTS)}, got {name!r}")
    return name


def _key(name: str) -> str:
    # Keys become file names (charts) and spreadsheet column ids: keep them plain.
    if not _KEY.fullmatch(name):
        raise ValueError(f"must be lowercase ASCII letters, digits, - and _, got {name!r}")
    return name


def _activity(name: str) -> str:
    if not _ACTIVITY.fullmatch(name):
        raise ValueError(
            "must be an activity's name as the diagrams record it (kebab-case, e.g. meeting-held)"
        )
    return name


def _data_field(name: str) -> str:
    if not _DATA_FIELD.fullmatch(name):
        raise ValueError("must be a field of the activity's data (letters, digits and _, e.g. onTime)")
    return name


def _sheet_name(label: str) -> str:
    if len(label) > SHEET_NAME_LENGTH or _SHEET_FORBIDDEN.search(label):
        raise ValueError(
            f"names the workbook's sheet: at most {SHEET_NAME_LENGTH} characters, none of [ ] : * ? / \\"
        )
    return label


def _positive_number(number: float) -> float:
    if number <= 0:
        raise ValueError("must be a positive number")
    return number


CountName = Annotated[str, AfterValidator(_count_name)]
Key = Annotated[str, AfterValidator(_key)]
Positive = Annotated[int, Field(strict=True, ge=1)]
ActivityName = Annotated[str, Field(strict=True), AfterValidator(_activity)]
DataField = Annotated[str, Field(strict=True), AfterValidator(_data_field)]
# bool before int: TOML's true is not the number 1, nor is it in the ledger's JSON.
DataValue = StrictBool | StrictInt | StrictFloat | StrictStr
Points = Annotated[StrictInt | StrictFloat, AfterValidator(_positive_number)]


class IndicatorPolicy(_Policy):
    """A count (`numerator` alone) or a rate (`numerator` / `denominator`)."""

    label: Text
    numerator: CountName
    denominator: CountName | None = None

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @model_validator(mode="after")
    def _check_scopes(self) -> Self:
        # A rate of events over cases would divide two different populations.
        if self.denominator is not None and COUNTS[self.numerator].scope != COUNTS[self.denominator].scope:
            raise ValueError(
                f"numerator {self.numerator} and denominator {self.denominator} must count the same "
                "things (both cases or both events)"
            )
        return self


class CasePolicy(_Policy):
    # Statuses (as the diagrams record them) in which a case counts as completed (办结).
    completed_statuses: Annotated[frozenset[Text], Field(min_length=1)]
    # Cases screened out (不予受理) are handled by no unit and count nowhere.
    exclude_not_accepted: bool
    # The channels whose cases are appeals (诉求), which the tables of cases count; None: every
    # channel. The other channels' cases carry their activities and count in their own sections.
    channels: Annotated[frozenset[Text], Field(min_length=1)] | None = None


class VisitPolicy(_Policy):
    satisfied_results: Annotated[frozenset[Text], Field(min_length=1)]


class ReplyPolicy(_Policy):
    resolved_grades: Annotated[frozenset[Grade], Field(min_length=1)]


class RankingPolicy(_Policy):
    size: Positive
    # Units with fewer cases received in the period are not ranked: a rate of one case says little.
    min_received: Positive
    weights: Annotated[dict[Text, Annotated[float, Field(gt=0)]], Field(min_length=1)]


class SuggestionPolicy(_Policy):
    channels: Annotated[frozenset[Text], Field(min_length=1)]
    grades: dict[Grade, Text]

    @model_validator(mode="after")
    def _check_grades(self) -> Self:
        missing = {"A", "B", "C"} - self.grades.keys()
        if missing:
            raise ValueError(f"suggestions.grades: needs a label for {', '.join(sorted(missing))}")
        return self


class TopicTerms(_Policy):
    # Where a term is looked for. Each column matched costs a scan of the period's texts: the
    # title alone is the quickest, the content the most thorough.
    match: Annotated[frozenset[Literal["title", "content", "location"]], Field(min_length=1)]
    terms: tuple[Text, ...]


class ExpressPolicy(_Policy):
    """The 民情快报: the period's hot categories, areas and keywords."""

    top: Positive
    keywords: TopicTerms
    areas: TopicTerms


class ChartPolicy(_Policy):
    name: Key
    title: Text
    table: TableName
    indicators: Annotated[tuple[Text, ...], Field(min_length=1)]


class ChannelIndicatorPolicy(_Policy):
    """A column of a channel's section, one of: the count of activities named `activity` (those
    whose data has every `where` value), or the sum of their data field `sum`, either multiplied
    by `points`; the rate `numerator` / `denominator`; or the sum `add` of other indicators."""

    label: Text
    activity: ActivityName | None = None
    where: dict[DataField, DataValue] = Field(default_factory=dict)
    sum: DataField | None = None
    points: Points | None = None
    numerator: Key | None = None
    denominator: Key | None = None
    add: Annotated[tuple[Key, ...], Field(min_length=1)] | None = None

    @property
    def is_rate(self) -> bool:
        return self.numerator is not None

    @property
    def references(self) -> dict[str, tuple[str, ...]]:
        """The other indicators this one is computed from, by the key that names them."""
        named = {"numerator": self.numerator, "denominator": self.denominator}
        found = {key: (name,) for key, name in named.items() if name is not None}
        return found | ({"add": self.add} if self.add is not None else {})

    @model_validator(mode="after")
    def _check_kind(self) -> Self:
        if self.sum is not None and self.add is not None:
            raise ValueError(
                "sum and add exclude each other: sum adds up a field of the activities' data, "
                "add adds up indicators"
            )
        rate = self.numerator is not None or self.denominator is not None
        kinds = [self.activity is not None, rate, self.add is not None]
        if kinds.count(True) != 1:
            raise ValueError(
                "needs exactly one of activity (a count or sum of activities), numerator and denominator "
                "(a rate) or add (a sum of indicators)"
            )
        if self.activity is None and (self.where or self.sum is not None or self.points is not None):
            raise ValueError("where, sum and points need activity")
        if rate and (self.numerator is None or self.denominator is None):
            raise ValueError("a rate needs both numerator and denominator")
        return self


class ChannelPolicy(_Policy):
    """A communication channel's section in the bulletin: a row per unit or person (`by`, the
    activity's `unit` or `actor`) and the total, with `indicators` as columns in file order."""

    label: Annotated[Text, AfterValidator(_sheet_name)]
    by: Literal["unit", "actor"]
    indicators: Annotated[dict[Key, ChannelIndicatorPolicy], Field(min_length=1)]

    @property
    def activities(self) -> frozenset[str]:
        return frozenset(i.activity for i in self.indicators.values() if i.activity is not None)


def _channel_problems(channel: str, indicators: Mapping[str, ChannelIndicatorPolicy]) -> list[str]:
    """Indicators that name unknown ones, rates used as figures, and cycles of `add`."""
    problems = []
    for name, indicator in indicators.items():
        for key, references in indicator.references.items():
            at = f"channels.{channel}.indicators.{name}.{key}"
            for reference in references:
                if reference not in indicators:
                    problems.append(f"{at}: {reference!r} is not an indicator of this channel")
                elif indicators[reference].is_rate:
                    problems.append(f"{at}: {reference!r} is a rate; rates are neither added nor divided")
    adds = {name: indicator.add for name, indicator in indicators.items() if indicator.add is not None}
    reported: set[str] = set()
    for start in adds:
        cycle = _cycle(start, adds)
        if cycle is not None and not reported & set(cycle):
            reported.update(cycle)
            problems.append(
                f"channels.{channel}.indicators.{start}.add: a cycle, {' → '.join((*cycle, cycle[0]))}"
            )
    return problems


def _cycle(start: str, adds: Mapping[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """The indicators of a cycle of `add`s through `start`, or None."""
    path: list[str] = []

    def visit(name: str) -> tuple[str, ...] | None:
        if name in path:
            return tuple(path[path.index(name) :]) if name == start else None
        path.append(name)
        for added in adds.get(name, ()):
            found = visit(added)
            if found is not None:
                return found
        path.pop()
        return None

    return visit(start)


class KnowledgeUpkeepPolicy(_Policy):
    """The section on the units' upkeep of the knowledge base (知识库维护) [seed 002 五], counted
    as seed 003 §三.2(3) scores the collection and reporting of its content: per owning unit, the
    entries submitted, published, expired and overdue for review in the period."""

    label: Annotated[Text, AfterValidator(_sheet_name)]


class ReportPolicy(_Policy):
    timezone: TimeZone
    title: Text
    issuer: Text
    cases: CasePolicy
    visits: VisitPolicy
    replies: ReplyPolicy
    # In the order of the bulletin's columns.
    indicators: Annotated[dict[Key, IndicatorPolicy], Field(min_length=1)]
    ranking: RankingPolicy
    suggestions: SuggestionPolicy
    express: ExpressPolicy
    charts: tuple[ChartPolicy, ...] = ()
    # Process id -> its section, in the bulletin's order.
    channels: dict[Key, ChannelPolicy] = Field(default_factory=dict)
    # The heading of a bulletin of communication channels only, which counts no appeals.
    channels_title: Text = "政情民情沟通渠道工作通报"
    # The knowledge base section of a bulletin of appeals; None: the bulletin has none.
    knowledge: KnowledgeUpkeepPolicy | None = None

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        problems = [
            f"ranking.weights.{name}: must be a rate among indicators ({', '.join(self._rates())})"
            for name in self.ranking.weights
            if name not in self._rates()
        ]
        for name, channel in self.channels.items():
            problems.extend(_channel_problems(name, channel.indicators))
        # Every label names a sheet of the workbook, the knowledge section's too.
        labels = [channel.label for channel in self.channels.values()]
        labels += [self.knowledge.label] if self.knowledge is not None else []
        problems.extend(
            f"channels: {label!r} labels two channels (it names their sheets)"
            for label in sorted({label for label in labels if labels.count(label) > 1})
        )
        for index, chart in enumerate(self.charts):
            unknown = [name for name in chart.indicators if name not in self.indicators]
            problems.extend(
                f"charts.{index}.indicators: {name!r} is not among indicators" for name in unknown
            )
            # One axis: percentages and numbers of cases do not share a scale.
            kinds = {self.indicators[name].is_rate for name in chart.indicators if name not in unknown}
            if len(kinds) > 1:
                problems.append(f"charts.{index}.indicators: must be all rates or all counts")
        if len({chart.name for chart in self.charts}) != len(self.charts):
            problems.append("charts: two charts must not share a name")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _rates(self) -> list[str]:
        return [name for name, indicator in self.indicators.items() if indicator.is_rate]


def load_report_policy(config_dir: Path) -> ReportPolicy:
    return load_policy(config_dir / REPORT_POLICY_FILE, ReportPolicy)
