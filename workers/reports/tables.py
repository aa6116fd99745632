"""The bulletin as tables: what the HTML report prints and the workbook's sheets hold, built once
so that the two never disagree."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from workers.reports.bulletin import (
    KNOWLEDGE_COLUMNS,
    NO_DATA,
    Bulletin,
    ChannelSection,
    HotTopic,
    KnowledgeSection,
    Row,
    Value,
)
from workers.reports.ranking import Placing

Cell = str | int | float | None


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    # A fraction, printed as a percentage.
    RATE = "rate"
    SCORE = "score"
    # A channel's figure: a count, or a sum of recorded figures or points, which may have decimals.
    NUMBER = "number"


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind


@dataclass(frozen=True)
class Table:
    # Short: also the sheet's name, which Excel limits to 31 characters.
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


def shown(value: Cell, kind: Kind) -> str:
    """A cell as the HTML report prints it."""
    if value is None:
        return NO_DATA
    if kind is Kind.RATE and isinstance(value, int | float):
        return f"{100 * value:.1f}%"
    if kind is Kind.SCORE and isinstance(value, int | float):
        return f"{value:.2f}"
    if kind is Kind.NUMBER and isinstance(value, float):
        return f"{round(value, 2):g}"
    return str(value)


def _indicator_table(
    bulletin: Bulletin, name: str, title: str, first: str, rows: Sequence[Row], scored: bool = False
) -> Table:
    """Indicators per row and the total; `scored` adds the ranking's score (units only)."""
    indicators = bulletin.policy.indicators
    columns = [Column(first, Kind.TEXT)]
    columns += [
        Column(indicator.label, Kind.RATE if indicator.is_rate else Kind.COUNT)
        for indicator in indicators.values()
    ]
    if scored:
        columns.append(Column("排名得分", Kind.SCORE))

    def cells(row: Row) -> tuple[Cell, ...]:
        values: list[Value] = [row.values[key] for key in indicators]
        if scored:
            values.append(bulletin.scores.get(row.name))
        return (row.name, *values)

    return Table(name, title, tuple(columns), tuple(cells(row) for row in (*rows, bulletin.total)))


def _ranking_table(bulletin: Bulletin) -> Table:
    def cells(side: str, placings: Sequence[Placing]) -> list[tuple[Cell, ...]]:
        return [(side, placing.place, placing.unit, placing.score) for placing in placings]

    size = bulletin.policy.ranking.size
    return Table(
        "排名",
        f"单位排名（前{size}名、后{size}名）",
        (
            Column("类别", Kind.TEXT),
            Column("名次", Kind.COUNT),
            Column("单位", Kind.TEXT),
            Column("得分", Kind.SCORE),
        ),
        tuple(cells("前列（表扬）", bulletin.ranking.top) + cells("后列（批评）", bulletin.ranking.bottom)),
    )


def _grade_table(bulletin: Bulletin) -> Table:
    labels = bulletin.policy.suggestions.grades
    columns = [Column("承办单位", Kind.TEXT)]
    columns += [Column(f"{grade}类（{label}）", Kind.COUNT) for grade, label in sorted(labels.items())]
    columns += [Column("合计", Kind.COUNT), Column("A类占比", Kind.RATE)]
    rows: list[tuple[Cell, ...]] = [
        (row.unit, *(row.grades[grade] for grade in sorted(labels)), row.total, row.grades["A"] / row.total)
        for row in bulletin.grades
    ]
    return Table("建议办理结果", "建议、提案办理结果（A/B/C）", tuple(columns), tuple(rows))


def _topic_table(name: str, title: str, first: str, topics: Sequence[HotTopic]) -> Table:
    columns = (Column(first, Kind.TEXT), Column("件数", Kind.COUNT), Column("示例标题", Kind.TEXT))
    return Table(
        name, title, columns, tuple((topic.name, topic.count, "；".join(topic.titles)) for topic in topics)
    )


def _channel_table(section: ChannelSection) -> Table:
    """A channel's indicators per unit or person, and the total (合计) last."""
    indicators = section.policy.indicators
    columns = [Column("单位" if section.policy.by == "unit" else "人员", Kind.TEXT)]
    columns += [
        Column(indicator.label, Kind.RATE if indicator.is_rate else Kind.NUMBER)
        for indicator in indicators.values()
    ]
    rows = tuple(
        (row.name, *(row.values[key] for key in indicators)) for row in (*section.rows, section.total)
    )
    return Table(section.policy.label, section.policy.label, tuple(columns), rows)


def knowledge_table(section: KnowledgeSection) -> Table:
    """The units' upkeep of the knowledge base, and the total (合计) last."""
    columns = (
        Column("主管单位", Kind.TEXT),
        *(Column(label, Kind.COUNT) for label in KNOWLEDGE_COLUMNS.values()),
    )
    rows = tuple(
        (row.name, *(row.values[key] for key in KNOWLEDGE_COLUMNS)) for row in (*section.rows, section.total)
    )
    return Table(section.policy.label, section.policy.label, columns, rows)


def channel_tables(bulletin: Bulletin) -> tuple[Table, ...]:
    return tuple(_channel_table(section) for section in bulletin.channels)


def tables(bulletin: Bulletin) -> tuple[Table, ...]:
    """The bulletin's tables; a bulletin of communication channels only has no tables of appeals."""
    express = bulletin.express
    appeals = (
        _indicator_table(bulletin, "单位", "各单位办理情况", "承办单位", bulletin.units, scored=True),
        _indicator_table(bulletin, "类别", "各类别办理情况", "类别", bulletin.categories),
        _ranking_table(bulletin),
        _grade_table(bulletin),
        _topic_table("快报-类别", "民情快报：热点类别", "类别", express.categories),
        _topic_table("快报-地区", "民情快报：热点地区", "地区", express.areas),
        _topic_table("快报-关键词", "民情快报：热点关键词", "关键词", express.keywords),
    )
    knowledge = () if bulletin.knowledge is None else (knowledge_table(bulletin.knowledge),)
    return (
        *(appeals if bulletin.counts_appeals else ()),
        *channel_tables(bulletin),
        *knowledge,
        Table(
            "指标说明",
            "指标说明",
            (Column("序号", Kind.COUNT), Column("说明", Kind.TEXT)),
            tuple((number, note) for number, note in enumerate(bulletin.notes, start=1)),
        ),
    )
