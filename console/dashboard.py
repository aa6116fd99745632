"""What the dashboards and the bulletin downloads show: cases overdue and due soon, the indicators of
a period, bar charts of them, and the bulletins the report worker has published.

The indicators are the report worker's own (`workers.reports`): the dashboard compiles the
bulletin of the chosen period as the ledger stands now, so its figures are the bulletin's. Only the
lists of cases overdue and due soon are queried here; they count a case as open by the same
`config/reports.toml` rules (completed statuses, cases not accepted) that the bulletin counts by.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from itertools import takewhile
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Engine, func, or_, select, true

from workers.deadline_policy import DeadlinePolicy, load_deadline_policy
from workers.report_policy import ChartPolicy, ReportPolicy, load_report_policy
from workers.reports.bulletin import Bulletin, Row
from workers.reports.periods import (
    Period,
    PeriodError,
    PeriodKind,
    custom_period,
    parse_period,
    previous_period,
)
from workers.reports.publish import HTML_FILE, WORKBOOK_FILE
from workers.reports.queries import CASES
from workers.reports.service import open_reader
from workers.reports.tables import Kind, Table, shown, tables
from workers.services.calendar import WorkingCalendar

# Due soon: due within this many working days, today included, unless the page asks otherwise.
DUE_SOON_WORKING_DAYS = 3
# Cases listed overdue or due soon; the total is shown too, so that a cut list says so.
LISTED_CASES = 200

# The periods the dashboards and bulletins are chosen by, as people name them.
PERIOD_NAMES = {
    PeriodKind.WEEKLY: "周",
    PeriodKind.MONTHLY: "月",
    PeriodKind.QUARTERLY: "季度",
    PeriodKind.YEARLY: "年",
}
BULLETIN_NAMES = {
    PeriodKind.WEEKLY: "周报",
    PeriodKind.MONTHLY: "月报",
    PeriodKind.QUARTERLY: "季报",
    PeriodKind.YEARLY: "年报",
    PeriodKind.CUSTOM: "自定义期间",
}
PERIOD_FORMS = {
    PeriodKind.WEEKLY: "2026-W41",
    PeriodKind.MONTHLY: "2026-10",
    PeriodKind.QUARTERLY: "2026-Q4",
    PeriodKind.YEARLY: "2026",
}
# The KPI tiles: indicators of config/reports.toml, those of them that are configured.
KPI_INDICATORS = ("received", "completed", "on-time-rate", "satisfaction-rate")
# The indicator tables the dashboard shows, by their names in `workers.reports.tables`, and what
# the page calls them.
INDICATOR_TABLES = {"单位": "units", "类别": "categories"}


@dataclass(frozen=True)
class Policies:
    report: ReportPolicy
    deadline: DeadlinePolicy


@cache
def policies(config_dir: Path) -> Policies:
    """The policies the workers read, read once: they are validated files that change with a restart."""
    return Policies(load_report_policy(config_dir), load_deadline_policy(config_dir))


@contextmanager
def reading(ledger_url: str) -> Iterator[Engine]:
    """The report worker's read-only connection to the ledger, for one page or one bulletin."""
    engine = open_reader(ledger_url)
    try:
        yield engine
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------------------ periods


class PeriodChoiceError(ValueError):
    """A period the user asked for that does not exist; the message is for them."""


def period_of(kind: str, written: str | None, today: date) -> Period:
    """The period of `kind` written `written` (`2026-10`), or the one `today` lies in."""
    # Days of one's choosing are for the command line; the pages offer the usual periods.
    if kind not in PERIOD_NAMES:
        raise PeriodChoiceError(f"统计周期只能是{'、'.join(PERIOD_NAMES.values())}")
    period_kind = PeriodKind(kind)
    if not written:
        # A period's label depends on its first day only: the label of one day is its period's.
        written = Period(period_kind, today, today).label
    try:
        return parse_period(period_kind, written)
    except PeriodError:
        raise PeriodChoiceError(
            f"“{written}”不是有效的{PERIOD_NAMES[period_kind]}，请写作 {PERIOD_FORMS[period_kind]}"
        ) from None


def following_period(period: Period) -> Period:
    return period_of(period.kind, None, period.last + timedelta(days=1))


def earlier_period(period: Period) -> Period:
    return previous_period(period.kind, period.first)


def bulletin_choices(today: date, count: int = 3) -> dict[PeriodKind, list[Period]]:
    """The periods a bulletin is usually generated for: of each kind, the one under way and the
    `count` - 1 before it."""
    choices = {}
    for kind in PERIOD_NAMES:
        periods = [period_of(kind, None, today)]
        while len(periods) < count:
            periods.append(earlier_period(periods[-1]))
        choices[kind] = periods
    return choices


# --------------------------------------------------------------------------------------- due lists


@dataclass(frozen=True)
class DueCase:
    case_number: str
    title: str | None
    lead_unit: str | None
    category: str | None
    due_at: datetime
    # Working days overdue (overdue list) or left, today included (due-soon list).
    working_days: int


@dataclass(frozen=True)
class DueList:
    cases: tuple[DueCase, ...]
    # All that match, of which `cases` are the first LISTED_CASES.
    total: int


def due_day(due_at: datetime, deadline: DeadlinePolicy) -> date:
    """The day a deadline ends on: a deadline at 24:00 is the next day's midnight."""
    return (due_at.astimezone(deadline.timezone) - deadline.counting.due_time).date()


def working_days_left(calendar: WorkingCalendar, today: date, due: date) -> int:
    """The working days from `today` to the due day, both included: 1 on the due day itself, as the
    reminder counts (config/deadlines.toml)."""
    return sum(
        1 for _ in takewhile(lambda day: day <= due, calendar.working_days_after(today - timedelta(1)))
    )


def working_days_overdue(calendar: WorkingCalendar, today: date, due: date) -> int:
    """The working days after the due day up to `today`: 0 when it ran out today."""
    return sum(1 for _ in takewhile(lambda day: day <= today, calendar.working_days_after(due)))


def _open(policy: ReportPolicy, unit: str | None) -> list[ColumnElement[bool]]:
    """Cases with a deadline still to meet: not completed, not archived, not screened out; of one
    lead unit only if `unit` is given."""
    conditions: list[ColumnElement[bool]] = [
        CASES.c.status.not_in(sorted(policy.cases.completed_statuses)),
        CASES.c.archived_at.is_(None),
    ]
    if unit is not None:
        conditions.append(CASES.c.lead_unit == unit)
    if policy.cases.exclude_not_accepted:
        conditions.append(or_(CASES.c.accepted.is_(None), CASES.c.accepted.is_(true())))
    return conditions


def _due_list(
    connection: Connection, conditions: list[ColumnElement[bool]], working_days: Callable[[datetime], int]
) -> DueList:
    """The open cases that meet `conditions`, soonest due first, with `working_days` of their deadline."""
    columns = (
        CASES.c.case_number,
        CASES.c.title,
        CASES.c.lead_unit,
        CASES.c.category,
        CASES.c.due_at,
    )
    conditions = [*conditions, CASES.c.due_at.is_not(None)]
    query = select(*columns).where(*conditions).order_by(CASES.c.due_at, CASES.c.id).limit(LISTED_CASES)
    total = connection.scalar(select(func.count()).select_from(CASES).where(*conditions)) or 0
    return DueList(
        tuple(DueCase(*row, working_days=working_days(row.due_at)) for row in connection.execute(query)),
        int(total),
    )


def overdue_cases(
    connection: Connection,
    policies: Policies,
    calendar: WorkingCalendar,
    now: datetime,
    unit: str | None = None,
) -> DueList:
    deadline = policies.deadline
    today = now.astimezone(deadline.timezone).date()
    return _due_list(
        connection,
        [*_open(policies.report, unit), CASES.c.due_at < now],
        lambda due_at: working_days_overdue(calendar, today, due_day(due_at, deadline)),
    )


def due_soon_cases(
    connection: Connection,
    policies: Policies,
    calendar: WorkingCalendar,
    now: datetime,
    working_days: int,
    unit: str | None = None,
) -> DueList:
    """Open cases not yet overdue whose due day is among the next `working_days` working days."""
    deadline = policies.deadline
    today = now.astimezone(deadline.timezone).date()
    last = _nth_working_day(calendar, today, working_days)
    # The deadline of a case due on `last` is that day's due time; a later one is not due soon.
    latest = datetime.combine(last, time(), deadline.timezone) + deadline.counting.due_time
    return _due_list(
        connection,
        [*_open(policies.report, unit), CASES.c.due_at >= now, CASES.c.due_at <= latest],
        lambda due_at: working_days_left(calendar, today, due_day(due_at, deadline)),
    )


def _nth_working_day(calendar: WorkingCalendar, today: date, count: int) -> date:
    """The `count`th working day counting today as the first if it is one."""
    days = calendar.working_days_after(today - timedelta(1))
    day = today
    for _ in range(count):
        day = next(days)
    return day


# ------------------------------------------------------------------------------------------- KPIs


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str


def kpi_tiles(bulletin: Bulletin) -> list[Tile]:
    """The period's headline figures, as the bulletin's total row prints them."""
    indicators = bulletin.policy.indicators
    return [
        Tile(
            key,
            indicators[key].label,
            shown(bulletin.total.values[key], Kind.RATE if indicators[key].is_rate else Kind.COUNT),
        )
        for key in KPI_INDICATORS
        if key in indicators
    ]


def indicator_tables(bulletin: Bulletin) -> list[Table]:
    """The bulletin's tables of indicators by unit and by category, as its HTML prints them."""
    return [table for table in tables(bulletin) if table.name in INDICATOR_TABLES]


# ----------------------------------------------------------------------------------------- charts

CHART_WIDTH = 720
_LABEL_WIDTH = 170
_VALUE_ROOM = 60
_BAR = 16
_GAP = 10
_TOP = 8
_AXIS = 34


@dataclass(frozen=True)
class Bar:
    series: int
    x: float
    y: float
    width: float
    height: float
    # What the bar shows, beside it and as its tooltip.
    value: str
    tooltip: str


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart, laid out for an SVG of `width` × `height`."""

    name: str
    title: str
    width: int
    height: int
    rows: tuple[Label, ...]
    bars: tuple[Bar, ...]
    ticks: tuple[Label, ...]
    gridlines: tuple[float, ...]
    axis: str
    legend: tuple[str, ...]
    plot_top: float
    plot_bottom: float


def chart(bulletin: Bulletin, policy: ChartPolicy) -> Chart:
    """One of the bulletin's charts (config/reports.toml [[charts]]) as the report draws it: bars
    per unit or category, one per indicator; a rate without data is no bar, not a zero."""
    rows: Sequence[Row] = bulletin.units if policy.table == "units" else bulletin.categories
    indicators = [bulletin.policy.indicators[key] for key in policy.indicators]
    rate = indicators[0].is_rate
    largest = max((float(row.values[key] or 0) for row in rows for key in policy.indicators), default=0)
    scale = 100.0 if rate else _nice_ceiling(largest)
    plot_left, plot_width = _LABEL_WIDTH, CHART_WIDTH - _LABEL_WIDTH - _VALUE_ROOM
    group = _BAR * len(indicators) + _GAP
    bars: list[Bar] = []
    labels: list[Label] = []
    for index, row in enumerate(rows):
        top = _TOP + index * group
        labels.append(Label(row.name, plot_left - 8, top + group / 2))
        for series, (key, indicator) in enumerate(zip(policy.indicators, indicators, strict=True)):
            value = row.values[key]
            text = shown(value, Kind.RATE if rate else Kind.COUNT)
            width = 0.0 if value is None else plot_width * float(value) * (100 if rate else 1) / scale
            bars.append(
                Bar(
                    series,
                    plot_left,
                    top + series * _BAR,
                    width,
                    _BAR - 2,
                    text,
                    f"{row.name} · {indicator.label}：{text}",
                )
            )
    bottom = _TOP + len(rows) * group
    steps = _ticks(scale)
    return Chart(
        name=policy.name,
        title=policy.title,
        width=CHART_WIDTH,
        height=int(bottom + _AXIS),
        rows=tuple(labels),
        bars=tuple(bars),
        ticks=tuple(
            Label(f"{step:g}%" if rate else f"{step:g}", plot_left + plot_width * step / scale, bottom + 16)
            for step in steps
        ),
        gridlines=tuple(plot_left + plot_width * step / scale for step in steps),
        axis="百分比（%）" if rate else "件（次）数",
        legend=tuple(indicator.label for indicator in indicators),
        plot_top=_TOP,
        plot_bottom=bottom,
    )


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10ⁿ at or above `value` (at least 1): an axis that ends round."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return float(next(factor * power for factor in (1, 2, 5, 10) if factor * power >= value))


def _ticks(scale: float) -> list[float]:
    # Counts are whole: an axis to 2 is marked 0, 1, 2.
    step = max(scale / 5, 1.0)
    return [step * index for index in range(round(scale / step) + 1)]


# ------------------------------------------------------------------------------------- published


@dataclass(frozen=True)
class PublishedFile:
    label: str
    # Relative to the report folder, with "/" between parts: the download's URL path.
    path: str


@dataclass(frozen=True)
class PublishedBulletin:
    folder: str
    period: Period
    # The channels it is limited to, as its folder names them; None for every channel.
    channels: str | None
    written_at: datetime
    files: tuple[PublishedFile, ...]


def published_bulletins(report_dir: Path, timezone: ZoneInfo) -> list[PublishedBulletin]:
    """The bulletins in `report_dir` (one folder each, as `workers.reports.publish` writes them),
    the most recently written first. Folders that are no bulletin's are left out."""
    if not report_dir.is_dir():
        return []
    found = []
    for folder in report_dir.iterdir():
        named = _folder_period(folder.name)
        html, workbook = folder / HTML_FILE, folder / WORKBOOK_FILE
        if named is None or not html.is_file():
            continue
        files = [PublishedFile("HTML", f"{folder.name}/{HTML_FILE}")]
        if workbook.is_file():
            files.append(PublishedFile("XLSX", f"{folder.name}/{WORKBOOK_FILE}"))
        written = datetime.fromtimestamp(html.stat().st_mtime, timezone)
        found.append(PublishedBulletin(folder.name, named[0], named[1], written, tuple(files)))
    return sorted(found, key=lambda bulletin: (bulletin.written_at, bulletin.folder), reverse=True)


def _folder_period(name: str) -> tuple[Period, str | None] | None:
    """The period (and channels) a folder named by `publish.folder_name` is the bulletin of: its
    kind, then the period's label, then the channels, all joined by "-"."""
    kind, _, rest = name.partition("-")
    parts = rest.split("-")
    for length in range(1, len(parts) + 1):
        label = "-".join(parts[:length])
        period = _period(kind, label)
        if period is not None and period.label == label:
            return period, "-".join(parts[length:]) or None
    return None


def _period(kind: str, label: str) -> Period | None:
    try:
        if kind == PeriodKind.CUSTOM:
            first, _, last = label.partition("_")
            return custom_period(date.fromisoformat(first), date.fromisoformat(last))
        return parse_period(kind, label)
    except ValueError:
        return None


def report_file(report_dir: Path, path: str) -> Path | None:
    """The file at `path` under `report_dir`, or None for anything else: a path that leaves the
    folder (`..`, an absolute path, a link pointing out of it), a folder, a missing file."""
    root = report_dir.resolve()
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate
