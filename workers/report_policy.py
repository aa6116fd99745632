"""`config/reports.toml`: what a bulletin (通报) counts, how units are ranked, and what it shows.

Which statuses mean "completed", which visit results mean "satisfied", each indicator's numerator
and denominator, the ranking's score and the 民情快报's topics differ from city to city (domain.md's
periodic-report), so they are data, validated at start-up like every other policy file.
"""

import re
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from workers.deadline_policy import TimeZone
from workers.policy import Text, _Policy, load_policy
from workers.reports.counts import COUNTS

REPORT_POLICY_FILE = "reports.toml"

Grade = Literal["A", "B", "C"]
TableName = Literal["units", "categories"]
_KEY = re.compile(r"[a-z][a-z0-9_-]*")


def _count_name(name: str) -> str:
    if name not in COUNTS:
        raise ValueError(f"must be one of the counts {', '.join(COUNTS)}, got {name!r}")
    return name


def _key(name: str) -> str:
    # Keys become file names (charts) and spreadsheet column ids: keep them plain.
    if not _KEY.fullmatch(name):
        raise ValueError(f"must be lowercase ASCII letters, digits, - and _, got {name!r}")
    return name


CountName = Annotated[str, AfterValidator(_count_name)]
Key = Annotated[str, AfterValidator(_key)]
Positive = Annotated[int, Field(strict=True, ge=1)]


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

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        problems = [
            f"ranking.weights.{name}: must be a rate among indicators ({', '.join(self._rates())})"
            for name in self.ranking.weights
            if name not in self._rates()
        ]
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
