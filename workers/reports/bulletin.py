"""A bulletin (通报) for a period: indicators per unit and per category, the ranking, the A/B/C
summary of suggestions, a 民情快报 issue and a section per communication channel, computed from
the ledger by `queries`.

A bulletin asked for communication channels only (no channel of `[cases] channels`) reads no case:
it has its channels' sections and none of the tables of appeals (`Bulletin.counts_appeals`), and
its own title and notes.

Indicators are what `config/reports.toml` defines; a rate with a zero denominator is None
(printed "—"), never zero and never a division error.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Engine

from workers.report_policy import (
    ChannelIndicatorPolicy,
    ChannelPolicy,
    DataValue,
    IndicatorPolicy,
    KnowledgeUpkeepPolicy,
    ReportPolicy,
)
from workers.reports import queries
from workers.reports.counts import COUNTS
from workers.reports.periods import Period
from workers.reports.queries import Figure, GroupKey, Window
from workers.reports.ranking import SCORE_DECIMALS, Ranking, rank

NO_UNIT = "（未指定单位）"
NO_ACTOR = "（未指定人员）"
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
class ChannelRow:
    """A unit's (or person's) figures in a channel's section, or the total: by indicator key."""

    name: str
    values: Mapping[str, Value]


@dataclass(frozen=True)
class ChannelSection:
    """A communication channel's activities in the period, as its `[channels.<id>]` counts them."""

    channel: str
    policy: ChannelPolicy
    rows: tuple[ChannelRow, ...]
    total: ChannelRow
    # The labels its activities were recorded with, by name, for the notes.
    activity_labels: Mapping[str, str]


# The knowledge section's columns: `queries.knowledge_upkeep`'s counts, in this order.
KNOWLEDGE_COLUMNS = {
    "submitted": "报送条目",
    "published": "发布条目",
    "expired": "过期条目",
    "overdue": "逾期未复核",
}


@dataclass(frozen=True)
class KnowledgeSection:
    """The units' upkeep of the knowledge base in the period: a row per owning unit with any
    figure, by `KNOWLEDGE_COLUMNS` key, and the total."""

    policy: KnowledgeUpkeepPolicy
    rows: tuple[ChannelRow, ...]
    total: ChannelRow


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
    # The channels configured (and asked for) that had activities in the period, in config order.
    channels: tuple[ChannelSection, ...]
    notes: tuple[str, ...]
    # Configured (`[knowledge]`) in a bulletin of appeals only, as the units' upkeep is assessed
    # with their handling of appeals [seed 002 五]; None also when the period had none.
    knowledge: KnowledgeSection | None = None

    @property
    def counts_appeals(self) -> bool:
        """False for a bulletin of communication channels only, which has no tables of appeals, no
        ranking, no charts and no 民情快报: only its channels' sections."""
        return self.window.counts_appeals

    @property
    def title(self) -> str:
        return self.policy.title if self.counts_appeals else self.policy.channels_title

    @property
    def idle_channels(self) -> tuple[ChannelPolicy, ...]:
        """The channels configured and asked for that had no activity in the period."""
        shown = {section.channel for section in self.channels}
        asked = self.window.channels
        return tuple(
            channel
            for name, channel in self.policy.channels.items()
            if (asked is None or name in asked) and name not in shown
        )


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


# Per unit, per category, the suggestions' grades by (unit, grade), the 民情快报.
_Appeals = tuple[tuple[Row, ...], tuple[Row, ...], Mapping[tuple[str | None, str], int], Express]
# A bulletin of communication channels only reads no case.
_NO_APPEALS: _Appeals = ((), (), {}, Express((), (), ()))


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
    window = Window(start, end, min(end, now), channels, policy.cases.channels)
    with engine.connect() as connection:
        appeals = _appeals(connection, policy, window) if window.counts_appeals else _NO_APPEALS
        units, categories, grades, hot = appeals
        sections = tuple(
            section
            for name, channel in policy.channels.items()
            if channels is None or name in channels
            if (section := _channel_section(connection, name, channel, window)) is not None
        )
        knowledge = (
            _knowledge_section(connection, policy.knowledge, window)
            if policy.knowledge is not None and window.counts_appeals
            else None
        )

    total = _row(policy, TOTAL, _total(row.counts for row in units))
    scores = {
        row.name: value for row in units if row.name != NO_UNIT and (value := score(policy, row)) is not None
    }
    notes = _notes(policy, window, total) if window.counts_appeals else _channels_only_notes(policy, window)
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
        channels=sections,
        notes=notes
        + tuple(note for s in sections for note in _channel_notes(s))
        + (_knowledge_notes(knowledge) if knowledge is not None else ()),
        knowledge=knowledge,
    )


def _knowledge_section(
    connection: Connection, policy: KnowledgeUpkeepPolicy, window: Window
) -> KnowledgeSection | None:
    """None when no entry was submitted, published, expired or overdue in the window, as a channel
    without activity has no section."""
    upkeep = queries.knowledge_upkeep(connection, window)
    if not upkeep:
        return None
    rows = [ChannelRow(unit, dict(counts)) for unit, counts in upkeep.items()]
    # The most entries submitted first, as the upkeep is scored on collecting and reporting them.
    rows.sort(key=lambda row: (-(row.values["submitted"] or 0), row.name))
    total = {key: sum(counts[key] for counts in upkeep.values()) for key in KNOWLEDGE_COLUMNS}
    return KnowledgeSection(policy, tuple(rows), ChannelRow(TOTAL, total))


def _knowledge_notes(section: KnowledgeSection) -> tuple[str, ...]:
    label, columns = section.policy.label, KNOWLEDGE_COLUMNS
    return (
        f"{label}：按条目的主管单位统计，依据知识库条目的版本历史；{columns['submitted']}、{columns['published']}、"
        f"{columns['expired']}为本期内送审、发布、过期的条目数（同一条目多次送审或发布只计一次）。",
        f"{label}·{columns['overdue']}：有效期在本期内（截至统计时点）届满、届满前未经复核延续的已发布条目数，"
        "含届满后才延续或撤回的；届满前已撤回的不计。",
    )


def _appeals(connection: Connection, policy: ReportPolicy, window: Window) -> _Appeals:
    """The tables of appeals: per unit, per category, the suggestions' grades and the 民情快报."""
    express = policy.express
    topics = {"keywords": express.keywords, "areas": express.areas}
    conditions = {
        f"{kind}\t{term}": queries.containing(term, sorted(terms.match))
        for kind, terms in topics.items()
        for term in terms.terms
    }
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
    return units, categories, grades, hot


def _channel_section(
    connection: Connection, name: str, channel: ChannelPolicy, window: Window
) -> ChannelSection | None:
    """The section of channel `name`, or None when none of its activities occurred in the window."""
    figures, labels = queries.activity_figures(connection, channel, window)
    if not figures:
        return None
    nobody = NO_UNIT if channel.by == "unit" else NO_ACTOR
    rows = [ChannelRow(who or nobody, _channel_values(channel, row)) for who, row in figures.items()]
    total: dict[str, Figure] = {}
    for row in figures.values():
        for key, figure in row.items():
            total[key] = total.get(key, 0) + figure
    first = next(iter(channel.indicators))
    # The first column decides the order, as in the main table; rates without data go last.
    rows.sort(key=lambda row: (row.values[first] is None, -(row.values[first] or 0), row.name))
    return ChannelSection(
        name, channel, tuple(rows), ChannelRow(TOTAL, _channel_values(channel, total)), labels
    )


def _channel_values(channel: ChannelPolicy, figures: Mapping[str, Figure]) -> dict[str, Value]:
    """Every indicator of `channel` from its activity figures (counts and sums, before points)."""
    indicators = channel.indicators

    def figure(key: str) -> Figure:
        # The policy refuses rates among added or divided indicators, and cycles of additions.
        indicator = indicators[key]
        if indicator.add is not None:
            return sum(figure(added) for added in indicator.add)
        return figures.get(key, 0) * (indicator.points or 1)

    values: dict[str, Value] = {}
    for key, indicator in indicators.items():
        if indicator.numerator is not None and indicator.denominator is not None:
            denominator = figure(indicator.denominator)
            values[key] = figure(indicator.numerator) / denominator if denominator else None
        else:
            values[key] = figure(key)
    return values


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
    channels = "全部渠道" if window.case_channels is None else "、".join(sorted(window.case_channels)) or "无"
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


def _channels_only_notes(policy: ReportPolicy, window: Window) -> tuple[str, ...]:
    """What a bulletin of communication channels only covers, and the channels it cannot count."""
    asked = window.channels or frozenset()
    labels = "、".join(channel.label for name, channel in policy.channels.items() if name in asked)
    notes = [
        f"统计范围：{_local(window.start, policy)}至{_local(window.end, policy)}（不含）发生的"
        f"政情民情沟通渠道活动（{labels or '无'}）；本通报不含诉求办理情况。"
    ]
    unknown = sorted(asked - policy.channels.keys())
    if unknown:
        notes.append(f"以下渠道未配置统计口径（[channels.*]），未予统计：{'、'.join(unknown)}。")
    return tuple(notes)


def _shown_value(value: DataValue) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return f"“{value}”" if isinstance(value, str) else f"{value:g}"


def _channel_notes(section: ChannelSection) -> tuple[str, ...]:
    """What each column of a channel's section counts."""
    channel = section.policy
    indicators = channel.indicators
    who = "单位" if channel.by == "unit" else "人员"
    notes = [
        f"{channel.label}：按活动记录的{who}统计本期发生（以活动发生时间为准）的活动；"
        f"合计行为各{who}之和，比率按合计数计算，分母为零时以“{NO_DATA}”表示。"
    ]

    def activity(name: str, indicator: ChannelIndicatorPolicy) -> str:
        label = section.activity_labels.get(name)
        named = f"“{label}”（{name}）" if label and label != name else f"“{name}”"
        where = "、".join(f"{field}为{_shown_value(value)}" for field, value in indicator.where.items())
        counted = f"{named}活动" + (f"中数据{where}的" if where else "")
        figure = f"{counted}次数" if indicator.sum is None else f"{counted}数据项 {indicator.sum} 之和"
        return figure + (
            f"，每{'次' if indicator.sum is None else '单位'}计{indicator.points:g}分"
            if indicator.points
            else ""
        )

    for indicator in indicators.values():
        if indicator.activity is not None:
            notes.append(f"{channel.label}·{indicator.label}：{activity(indicator.activity, indicator)}。")
        elif indicator.add is not None:
            added = " + ".join(indicators[key].label for key in indicator.add)
            notes.append(f"{channel.label}·{indicator.label} = {added}。")
        elif indicator.numerator is not None and indicator.denominator is not None:
            numerator, denominator = indicators[indicator.numerator], indicators[indicator.denominator]
            notes.append(f"{channel.label}·{indicator.label} = {numerator.label} ÷ {denominator.label}。")
    return tuple(notes)
