"""A bulletin (通报) for a period: indicators per unit and per category, the ranking, the A/B/C
summary of suggestions and a 民情快报 issue, computed from the ledger by `queries`.

Indicators are what `config/reports.toml` defines; a rate with a zero denominator is None
(printed "—"), never zero and never a division error.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Engine

from workers.report_policy import IndicatorPolicy, ReportPolicy
from workers.reports import queries
from workers.reports.counts import COUNTS
from workers.reports.periods import Period
from workers.reports.queries import GroupKey, Window
from workers.reports.ranking import SCORE_DECIMALS, Ranking, rank

NO_UNIT = "（未指定单位）"
NO_CATEGORY = "（未分类）"
TOTAL = "合计"
NO_DATA = "—"

Value = int | float | None


@dataclass(frozen=True)
class Row:
    """One unit, one category or the total: its counts and its indicators (rates as fractions)."""

    name: str
    counts: Mapping[str, int]
    values: Mapping[str, Value]


@dataclass(frozen=True)
class GradeRow:
    unit: str
    grades: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.grades.values())


@dataclass(frozen=True)
class HotTopic:
    name: str
    count: int
    titles: tuple[str, ...]


@dataclass(frozen=True)
class Express:
    """民情快报: the period's most frequent categories, areas and keywords."""

    categories: tuple[HotTopic, ...]
    areas: tuple[HotTopic, ...]
    keywords: tuple[HotTopic, ...]


@dataclass(frozen=True)
class Bulletin:
    policy: ReportPolicy
    period: Period
    window: Window
    units: tuple[Row, ...]
    categories: tuple[Row, ...]
    total: Row
    # Ranked units' scores in points out of 100; units absent were not ranked.
    scores: Mapping[str, float]
    ranking: Ranking
    grades: tuple[GradeRow, ...]
    express: Express
    notes: tuple[str, ...]


def _indicator(indicator: IndicatorPolicy, counts: Mapping[str, int]) -> Value:
    numerator = counts.get(indicator.numerator, 0)
    if indicator.denominator is None:
        return numerator
    denominator = counts.get(indicator.denominator, 0)
    return numerator / denominator if denominator else None


def _row(policy: ReportPolicy, name: str, counts: Mapping[str, int]) -> Row:
    values = {key: _indicator(indicator, counts) for key, indicator in policy.indicators.items()}
    return Row(name, counts, values)


def _rows(policy: ReportPolicy, counts: Mapping[str, Mapping[str, int]]) -> tuple[Row, ...]:
    rows = [_row(policy, name, group) for name, group in counts.items()]
    return tuple(sorted(rows, key=lambda row: (-row.counts.get("received", 0), row.name)))


def _total(groups: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total = dict.fromkeys(COUNTS, 0)
    for counts in groups:
        for name, value in counts.items():
            total[name] += value
    return total


def _by(
    part: Callable[[GroupKey], str], *grouped: Mapping[GroupKey, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    """The counts of `grouped` summed by one part of their keys (the unit, or the category)."""
    parts: dict[str, list[Mapping[str, int]]] = defaultdict(list)
    for groups in grouped:
        for key, counts in groups.items():
            parts[part(key)].append(counts)
    return {name: _total(counts) for name, counts in parts.items()}


def _unit(key: GroupKey) -> str:
    return key[0] or NO_UNIT


def _category(key: GroupKey) -> str:
    return key[1] or NO_CATEGORY


def score(policy: ReportPolicy, row: Row) -> float | None:
    """The weighted mean of the ranking's rates in points out of 100; None when the unit received
    too few cases or one of the rates has no data."""
    if row.counts.get("received", 0) < policy.ranking.min_received:
        return None
    weights = policy.ranking.weights
    rates = [row.values[name] for name in weights]
    if any(rate is None for rate in rates):
        return None
    weighted = sum(weight * float(rate or 0) for weight, rate in zip(weights.values(), rates, strict=True))
    return 100 * weighted / sum(weights.values())


def compile_bulletin(
    engine: Engine,
    policy: ReportPolicy,
    period: Period,
    now: datetime,
    channels: frozenset[str] | None = None,
) -> Bulletin:
    """The bulletin of `period` as the ledger stands at `now` (or at the period's end, if that is
    earlier: a past period's bulletin does not change as later events are recorded)."""
    start, end = period.bounds(policy.timezone)
    window = Window(start, end, min(end, now), channels)
    express = policy.express
    topics = {"keywords": express.keywords, "areas": express.areas}
    conditions = {
        f"{kind}\t{term}": queries.containing(term, sorted(terms.match))
        for kind, terms in topics.items()
        for term in terms.terms
    }
    with engine.connect() as connection:
        cases = queries.case_counts(connection, policy, window, conditions)
        events = queries.event_counts(connection, window)
        grades = queries.suggestion_grades(connection, policy, window)
        units = _rows(policy, _by(_unit, cases.groups, events))
        categories = _rows(policy, _by(_category, cases.groups, events))

        def terms(kind: str) -> dict[str, tuple[int, ColumnElement[bool]]]:
            keys = {term: f"{kind}\t{term}" for term in topics[kind].terms}
            return {term: (cases.matching[key], conditions[key]) for term, key in keys.items()}

        hot = Express(
            categories=_hottest(
                connection,
                policy,
                window,
                {
                    row.name: (row.counts["received"], queries.in_category(_named_category(row.name)))
                    for row in categories
                },
            ),
            areas=_hottest(connection, policy, window, terms("areas")),
            keywords=_hottest(connection, policy, window, terms("keywords")),
        )

    total = _row(policy, TOTAL, _total(row.counts for row in units))
    scores = {
        row.name: value for row in units if row.name != NO_UNIT and (value := score(policy, row)) is not None
    }
    return Bulletin(
        policy=policy,
        period=period,
        window=window,
        units=units,
        categories=categories,
        total=total,
        scores=scores,
        ranking=rank(scores, policy.ranking.size),
        grades=_grade_rows(grades),
        express=hot,
        notes=_notes(policy, window, total),
    )


def _hottest(
    connection: Connection,
    policy: ReportPolicy,
    window: Window,
    found: Mapping[str, tuple[int, ColumnElement[bool]]],
) -> tuple[HotTopic, ...]:
    """The most frequent of `found` (name: count and the condition that counted it), with
    example titles; equal counts keep the configured order."""
    names = sorted((name for name, (count, _) in found.items() if count), key=lambda name: -found[name][0])
    return tuple(
        HotTopic(name, found[name][0], queries.example_titles(connection, policy, window, found[name][1]))
        for name in names[: policy.express.top]
    )


def _named_category(name: str) -> str | None:
    return None if name == NO_CATEGORY else name


def _grade_rows(grades: Mapping[tuple[str | None, str], int]) -> tuple[GradeRow, ...]:
    by_unit: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys("ABC", 0))
    for (unit, grade), number in grades.items():
        by_unit[unit or NO_UNIT][grade] += number
    return tuple(GradeRow(unit, counts) for unit, counts in sorted(by_unit.items()))


def _local(instant: datetime, policy: ReportPolicy) -> str:
    local = instant.astimezone(policy.timezone)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"


_FIELD_NAMES = {"title": "标题", "content": "内容", "location": "地点"}


def _fields(columns: Iterable[str]) -> str:
    return "、".join(_FIELD_NAMES[column] for column in sorted(columns, key=list(_FIELD_NAMES).index))


def _notes(policy: ReportPolicy, window: Window, total: Row) -> tuple[str, ...]:
    """What every figure counts: printed with the report's tables."""
    channels = "、".join(sorted(window.channels)) if window.channels else "全部渠道"
    screened = "，不予受理件不计" if policy.cases.exclude_not_accepted else ""
    notes = [
        f"统计范围：{_local(window.start, policy)}至{_local(window.end, policy)}（不含）受理的诉求"
        f"（{channels}{screened}），办理状态截至{_local(window.cutoff, policy)}；"
        "退单、延期、催办、督办按本期登记的次数统计。",
        "件数按主办单位统计；退单、延期、催办、督办计入该事件所涉单位。办理期限以台账现行期限（含已批准的延期）为准。"
        f"办结指首次转入以下状态：{'、'.join(sorted(policy.cases.completed_statuses))}。",
    ]
    for indicator in policy.indicators.values():
        numerator = COUNTS[indicator.numerator]
        if indicator.denominator is None:
            notes.append(f"{indicator.label}：{numerator.description}。")
        else:
            denominator = COUNTS[indicator.denominator]
            notes.append(
                f"{indicator.label} = {numerator.label} ÷ {denominator.label}。"
                f"{numerator.label}：{numerator.description}；{denominator.label}：{denominator.description}。"
            )
    notes.append(
        f"“满意”结果：{'、'.join(sorted(policy.visits.satisfied_results))}；"
        f"“已解决”等级：{'、'.join(sorted(policy.replies.resolved_grades))}。"
    )
    notes.append(f"分母为零的比率以“{NO_DATA}”表示（无数据），不计为零。")
    if total.counts.get("received", 0) == 0:
        notes.append(f"本期无受理件，各比率均为“{NO_DATA}”。")
    weights = "、".join(
        f"{policy.indicators[name].label}×{weight:g}" for name, weight in policy.ranking.weights.items()
    )
    notes.append(
        f"排名得分为以下比率的加权平均（百分制）：{weights}。受理件数少于{policy.ranking.min_received}件"
        f"或任一评分比率无数据的单位不参与排名；得分保留{SCORE_DECIMALS}位小数，相同者名次并列，"
        f"并列时前{policy.ranking.size}名、后{policy.ranking.size}名可多于{policy.ranking.size}个单位；"
        "已列入前列的单位不再列入后列。"
    )
    grades = "；".join(f"{grade}类：{label}" for grade, label in sorted(policy.suggestions.grades.items()))
    notes.append(
        f"建议办理结果：{'、'.join(sorted(policy.suggestions.channels))}中本期答复的件，按各件最近一次答复的等级统计（{grades}）。"
    )
    keywords, areas = (_fields(terms.match) for terms in (policy.express.keywords, policy.express.areas))
    notes.append(
        f"民情快报：热点类别按受理件数排列；热点关键词在{keywords}中匹配，热点地区在{areas}中匹配，"
        "一件诉求可计入多个关键词或地区；示例标题为各组的前两件。"
    )
    return tuple(notes)
