"""The bulletin's SQL: every count is a SUM or COUNT grouped in the database (SQLAlchemy Core, the
same statements on SQLite and PostgreSQL), so a bulletin over a million cases moves a few hundred
grouped rows to Python, never the cases.

Cases are grouped by (lead unit, category): the per-unit and per-category tables and the totals
are sums of those groups, since every case has one lead unit and one category. Events are grouped
by (the event's unit, its case's category) the same way.

A communication channel's activities are grouped by (unit or actor, activity name) in one statement
per channel, along the index on (name, occurred_at); their data's fields are read with the
database's JSON functions, typed, so that a field holding text never counts as a number.

Each history table is aggregated once per case (GROUP BY case_id along its case index) and joined
to its case by primary key, one statement per table. Joining every history table to the cases in
one statement instead makes SQLite, which has no hash join, look up every case in every table:
three times slower over a million cases.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Numeric,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)

from workers.ids import ProcessId
from workers.knowledge.store import WITHDRAWN
from workers.ledger import models
from workers.report_policy import ChannelPolicy, DataValue, ReportPolicy
from workers.reports.counts import COUNTS, Scope

CASES = models.Case.__table__
TRANSITIONS = models.StatusTransition.__table__
REPLIES = models.Reply.__table__
VISITS = models.Satisfaction.__table__
ACTIVITIES = models.Activity.__table__
# The activity hotline-ticket records when its front desk closes a case by a direct answer.
DIRECT_ANSWER = "direct-answer"
# Characters of the content that stand in for a missing title in examples.
_EXAMPLE_LENGTH = 30

# (unit, category); None where the ledger has none (not yet dispatched or classified).
GroupKey = tuple[str | None, str | None]
Counts = dict[GroupKey, dict[str, int]]
TextColumn = Literal["title", "content", "location"]


@dataclass(frozen=True)
class Window:
    """What a bulletin covers: cases received and events recorded from `start` (included) to `end`
    (excluded), optionally of some channels only, and the instant whose state it reports."""

    start: datetime
    end: datetime
    cutoff: datetime
    # The channels the bulletin was asked for; None: every channel.
    channels: frozenset[str] | None = None
    # The channels whose cases are appeals (`[cases] channels`); None: every channel.
    appeals: frozenset[str] | None = None

    @property
    def case_channels(self) -> frozenset[str] | None:
        """The channels whose cases the tables of cases count: the appeals asked for."""
        if self.channels is None or self.appeals is None:
            return self.appeals if self.channels is None else self.channels
        return self.channels & self.appeals

    @property
    def counts_appeals(self) -> bool:
        """False when the channels asked for are communication channels only: no case counts."""
        channels = self.case_channels
        return channels is None or bool(channels)


def _channel_filter(window: Window) -> list[ColumnElement[bool]]:
    channels = window.case_channels
    return [] if channels is None else [CASES.c.channel.in_(sorted(channels))]


def _cohort(policy: ReportPolicy, window: Window) -> list[ColumnElement[bool]]:
    conditions = [CASES.c.received_at >= window.start, CASES.c.received_at < window.end]
    if policy.cases.exclude_not_accepted:
        conditions.append(or_(CASES.c.accepted.is_(None), CASES.c.accepted.is_(true())))
    return conditions + _channel_filter(window)


def _sum(condition: ColumnElement[bool], name: str) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0)).label(name)


def _grouped(connection: Connection, query: Select[Any], counts: Counts) -> None:
    """Add the rows of `query` (unit, category, then named sums) to `counts`."""
    result = connection.execute(query)
    names = list(result.keys())[2:]
    for unit, category, *sums in result:
        group = counts.setdefault((unit, category), {})
        for name, value in zip(names, sums, strict=True):
            group[name] = group.get(name, 0) + int(value or 0)


@dataclass(frozen=True)
class CaseCounts:
    groups: Counts
    # How many cohort cases meet each of the caller's conditions (the 民情快报's terms).
    matching: dict[str, int]


def case_counts(
    connection: Connection,
    policy: ReportPolicy,
    window: Window,
    conditions: Mapping[str, ColumnElement[bool]],
) -> CaseCounts:
    """The case counts of `COUNTS` per group, and how many cases meet each of `conditions`,
    counted in the same scan of the cohort, as texts are the costliest to read."""
    cohort = _cohort(policy, window)
    # History is read for the cohort's cases only, by case index: a month of a large ledger reads
    # a month of history.
    cohort_ids = select(CASES.c.id).where(*cohort)
    cutoff = window.cutoff
    due_passed = CASES.c.due_at < cutoff
    counts: Counts = {}

    matching = {f"matching_{index}": name for index, name in enumerate(conditions)}
    _grouped(
        connection,
        select(
            CASES.c.lead_unit,
            CASES.c.category,
            func.count().label("received"),
            _sum(CASES.c.channel == ProcessId.HOTLINE_TICKET, "hotline_received"),
            _sum(due_passed, "due_passed"),
            *(_sum(condition, label) for label, condition in zip(matching, conditions.values(), strict=True)),
        )
        .where(*cohort)
        .group_by(CASES.c.lead_unit, CASES.c.category),
        counts,
    )

    completion = (
        select(TRANSITIONS.c.case_id, func.min(TRANSITIONS.c.recorded_at).label("at"))
        .where(
            TRANSITIONS.c.to_status.in_(sorted(policy.cases.completed_statuses)),
            TRANSITIONS.c.recorded_at < cutoff,
            TRANSITIONS.c.case_id.in_(cohort_ids),
        )
        .group_by(TRANSITIONS.c.case_id)
        .subquery()
    )
    on_time = or_(CASES.c.due_at.is_(None), completion.c.at <= CASES.c.due_at)
    _grouped(
        connection,
        select(
            CASES.c.lead_unit,
            CASES.c.category,
            func.count().label("completed"),
            _sum(on_time, "completed_on_time"),
            _sum(due_passed, "completed_due_passed"),
            _sum(and_(on_time, due_passed), "on_time_due_passed"),
        )
        .select_from(completion.join(CASES, CASES.c.id == completion.c.case_id))
        .where(*cohort)
        .group_by(CASES.c.lead_unit, CASES.c.category),
        counts,
    )

    # The latest reply's grade and the latest visit's result.
    latest_rows: tuple[tuple[FromClause, str, frozenset[str], str, str], ...] = (
        (REPLIES, "grade", policy.replies.resolved_grades, "replied", "resolved"),
        (VISITS, "result", policy.visits.satisfied_results, "visited", "satisfied"),
    )
    for table, column, values, present, matched in latest_rows:
        latest = (
            select(table.c.case_id, func.max(table.c.id).label("id"))
            .where(table.c.recorded_at < cutoff, table.c.case_id.in_(cohort_ids))
            .group_by(table.c.case_id)
            .subquery()
        )
        row = table.alias("latest_row")
        _grouped(
            connection,
            select(
                CASES.c.lead_unit,
                CASES.c.category,
                func.count().label(present),
                _sum(row.c[column].in_(sorted(values)), matched),
            )
            .select_from(
                latest.join(row, row.c.id == latest.c.id).join(CASES, CASES.c.id == latest.c.case_id)
            )
            .where(*cohort)
            .group_by(CASES.c.lead_unit, CASES.c.category),
            counts,
        )
    # Closed at the front desk (首问首接): the diagram records a `direct-answer` activity, with the
    # knowledge base entry it cited, if any, in its data.
    cited = _JsonFields(connection.dialect.name).is_text("knowledgeEntry")
    direct = (
        select(ACTIVITIES.c.case_id, func.max(case((cited, 1), else_=0)).label("cited"))
        .where(
            ACTIVITIES.c.name == DIRECT_ANSWER,
            ACTIVITIES.c.recorded_at < cutoff,
            ACTIVITIES.c.case_id.in_(cohort_ids),
        )
        .group_by(ACTIVITIES.c.case_id)
        .subquery()
    )
    _grouped(
        connection,
        select(
            CASES.c.lead_unit,
            CASES.c.category,
            func.count().label("answered_directly"),
            func.sum(direct.c.cited).label("answered_from_knowledge"),
        )
        .select_from(direct.join(CASES, CASES.c.id == direct.c.case_id))
        .where(*cohort)
        .group_by(CASES.c.lead_unit, CASES.c.category),
        counts,
    )
    return CaseCounts(
        {key: _derived(group) for key, group in counts.items()},
        {name: sum(group.get(label, 0) for group in counts.values()) for label, name in matching.items()},
    )


def _derived(primitive: Mapping[str, int]) -> dict[str, int]:
    """The case counts of `COUNTS` from what the statements sum."""
    get = primitive.get
    completed = get("completed", 0)
    derived = {
        "received": get("received", 0),
        "completed": completed,
        "completed_on_time": get("completed_on_time", 0),
        # Due by the cut-off, or completed before it was.
        "due": completed + get("due_passed", 0) - get("completed_due_passed", 0),
        # Due by the cut-off and not completed on time (completed late, or not yet).
        "overdue": get("due_passed", 0) - get("on_time_due_passed", 0),
        "open": get("received", 0) - completed,
        "replied": get("replied", 0),
        "visited": get("visited", 0),
        "satisfied": get("satisfied", 0),
        "resolved": get("resolved", 0),
        "hotline_received": get("hotline_received", 0),
        "answered_directly": get("answered_directly", 0),
        "answered_from_knowledge": get("answered_from_knowledge", 0),
    }
    assert derived.keys() == {name for name, count in COUNTS.items() if count.scope is Scope.CASES}
    return derived


def _events(table: FromClause, kind: str, window: Window, *conditions: ColumnElement[bool]) -> Select[Any]:
    return select(table.c.case_id, table.c.unit, literal(kind).label("kind")).where(
        table.c.recorded_at >= window.start, table.c.recorded_at < window.end, *conditions
    )


def event_counts(connection: Connection, window: Window) -> Counts:
    extensions = models.Extension.__table__
    events = union_all(
        _events(models.CaseReturn.__table__, "returns", window),
        _events(extensions, "extensions", window),
        _events(extensions, "extensions_approved", window, extensions.c.decision == "approved"),
        _events(models.Reminder.__table__, "reminders", window),
        _events(models.Escalation.__table__, "escalations", window),
    ).subquery()
    query = (
        select(events.c.unit, CASES.c.category, events.c.kind, func.count())
        .join(CASES, CASES.c.id == events.c.case_id)
        .where(*_channel_filter(window))
        .group_by(events.c.unit, CASES.c.category, events.c.kind)
    )
    counts: Counts = defaultdict(dict)
    for unit, category, kind, number in connection.execute(query):
        counts[unit, category][kind] = int(number)
    return dict(counts)


def suggestion_grades(
    connection: Connection, policy: ReportPolicy, window: Window
) -> dict[tuple[str | None, str], int]:
    """Suggestions answered in the period by (answering unit, grade of their latest reply)."""
    latest = (
        select(REPLIES.c.case_id, func.max(REPLIES.c.id).label("id"))
        .join(CASES, CASES.c.id == REPLIES.c.case_id)
        .where(
            CASES.c.channel.in_(sorted(policy.suggestions.channels)),
            *_channel_filter(window),
            REPLIES.c.recorded_at < window.cutoff,
        )
        .group_by(REPLIES.c.case_id)
        .subquery()
    )
    query = (
        select(REPLIES.c.unit, REPLIES.c.grade, func.count())
        .join(latest, latest.c.id == REPLIES.c.id)
        .where(
            REPLIES.c.grade.is_not(None),
            REPLIES.c.recorded_at >= window.start,
            REPLIES.c.recorded_at < window.end,
        )
        .group_by(REPLIES.c.unit, REPLIES.c.grade)
    )
    return {(unit, grade): int(number) for unit, grade, number in connection.execute(query)}


def containing(term: str, columns: Iterable[TextColumn]) -> ColumnElement[bool]:
    return or_(*(CASES.c[column].contains(term, autoescape=True) for column in columns))


def example_titles(
    connection: Connection,
    policy: ReportPolicy,
    window: Window,
    condition: ColumnElement[bool],
    limit: int = 2,
) -> tuple[str, ...]:
    """The titles (or the content's start) of the first cohort cases that meet `condition`: a
    query per hot topic that stops at `limit` rows."""
    title = func.coalesce(CASES.c.title, func.substr(CASES.c.content, 1, _EXAMPLE_LENGTH))
    query = select(title).where(*_cohort(policy, window), condition, title.is_not(None)).limit(limit)
    return tuple(str(found) for found in connection.scalars(query))


def in_category(category: str | None) -> ColumnElement[bool]:
    return CASES.c.category.is_(None) if category is None else CASES.c.category == category


Figure = int | float
# Per unit or actor (None where the activity names none): each activity indicator's figure.
ActivityFigures = dict[str | None, dict[str, Figure]]


class _JsonFields:
    """Typed reads of a field of the activities' data: SQLite's json_type/json_extract, or
    PostgreSQL's json_typeof and ->> with a cast, which a CASE guards so that no text is cast."""

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"

    def _type(self, field: str) -> ColumnElement[str]:
        data = ACTIVITIES.c.data
        if self.sqlite:
            return func.json_type(data, literal(f"$.{field}", String))
        return func.json_typeof(data.op("->")(literal(field, String)))

    def _text(self, field: str) -> ColumnElement[str]:
        if self.sqlite:
            return func.json_extract(ACTIVITIES.c.data, literal(f"$.{field}", String))
        return ACTIVITIES.c.data.op("->>", return_type=String)(literal(field, String))

    def is_text(self, field: str) -> ColumnElement[bool]:
        """The field holds text (not null, absent or another type)."""
        return self._type(field) == ("text" if self.sqlite else "string")

    def number(self, field: str) -> ColumnElement[Any]:
        """The field's number; NULL where it holds none."""
        if self.sqlite:
            return case((self._type(field).in_(["integer", "real"]), self._text(field)), else_=null())
        return case((self._type(field) == "number", cast(self._text(field), Numeric)), else_=null())

    def equals(self, field: str, value: DataValue) -> ColumnElement[bool]:
        if isinstance(value, bool):
            if self.sqlite:
                return self._type(field) == ("true" if value else "false")
            return and_(self._type(field) == "boolean", self._text(field) == ("true" if value else "false"))
        if isinstance(value, str):
            return and_(self.is_text(field), self._text(field) == value)
        return self.number(field) == value


def _figure(value: Any) -> Figure:
    # PostgreSQL sums a cast JSON number as NUMERIC.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value if isinstance(value, int | float) else 0


def activity_figures(
    connection: Connection, channel: ChannelPolicy, window: Window
) -> tuple[ActivityFigures, dict[str, str]]:
    """The figures of `channel`'s activity indicators (counts and sums, before `points`) per unit
    or actor, of the activities that occurred in the window; and the label each activity was
    recorded with, by name."""
    json = _JsonFields(connection.dialect.name)
    group = ACTIVITIES.c[channel.by]
    figures = {
        key: indicator for key, indicator in channel.indicators.items() if indicator.activity is not None
    }
    sums = []
    for index, indicator in enumerate(figures.values()):
        counted = and_(
            ACTIVITIES.c.name == indicator.activity,
            *(json.equals(field, value) for field, value in indicator.where.items()),
        )
        amount = literal(1) if indicator.sum is None else json.number(indicator.sum)
        sums.append(func.sum(case((counted, amount), else_=0)).label(f"figure_{index}"))
    query = (
        select(group, ACTIVITIES.c.name, func.max(ACTIVITIES.c.label), *sums)
        .where(
            ACTIVITIES.c.name.in_(sorted(channel.activities)),
            ACTIVITIES.c.occurred_at >= window.start,
            ACTIVITIES.c.occurred_at < window.end,
        )
        .group_by(group, ACTIVITIES.c.name)
    )
    found: ActivityFigures = {}
    labels: dict[str, str] = {}
    for who, name, label, *values in connection.execute(query):
        labels[name] = label
        row = found.setdefault(who, dict.fromkeys(figures, 0))
        for key, value in zip(figures, values, strict=True):
            row[key] += _figure(value)
    return found, labels


KNOWLEDGE = models.KnowledgeEntry.__table__
REVISIONS = models.KnowledgeRevision.__table__
# The knowledge section's counts of changes in an entry's history, by column.
KNOWLEDGE_CHANGES = {"submitted": "submit", "published": "publish", "expired": "expire"}
KnowledgeUpkeep = dict[str, dict[str, int]]


def knowledge_upkeep(connection: Connection, window: Window) -> KnowledgeUpkeep:
    """Per owning unit, the entries submitted, published and expired in the window (each entry
    once per column however often it changed), and `overdue`: the entries whose validity ran out
    in the window, before the cutoff, without a renewal in time.

    An entry is overdue when the version in force at the end of its validity is the version that
    ends then: no revision written by that moment extended it. It must have been published by
    then (a draft never in use is nobody's overdue review) and not withdrawn. An entry that expired
    unreviewed counts, and still counts when its unit renews it late."""
    counts = [
        func.count(func.distinct(case((REVISIONS.c.change == change, REVISIONS.c.entry_id)))).label(key)
        for key, change in KNOWLEDGE_CHANGES.items()
    ]
    changed = (
        select(KNOWLEDGE.c.unit, *counts)
        .join_from(REVISIONS, KNOWLEDGE, REVISIONS.c.entry_id == KNOWLEDGE.c.id)
        .where(
            REVISIONS.c.change.in_(sorted(KNOWLEDGE_CHANGES.values())),
            REVISIONS.c.changed_at >= window.start,
            REVISIONS.c.changed_at < window.end,
        )
        .group_by(KNOWLEDGE.c.unit)
    )
    found: KnowledgeUpkeep = {}
    for unit, *values in connection.execute(changed):
        found[unit] = {**dict(zip(KNOWLEDGE_CHANGES, values, strict=True)), "overdue": 0}

    ending, later, published = (
        REVISIONS.alias("ending"),
        REVISIONS.alias("later"),
        REVISIONS.alias("published"),
    )
    ends = ending.c.valid_until
    overdue = (
        select(KNOWLEDGE.c.unit, func.count(func.distinct(ending.c.entry_id)))
        .join_from(ending, KNOWLEDGE, ending.c.entry_id == KNOWLEDGE.c.id)
        .where(
            ends >= window.start,
            ends < window.cutoff,
            ending.c.changed_at <= ends,
            ending.c.status != WITHDRAWN,
            ~exists().where(
                later.c.entry_id == ending.c.entry_id,
                later.c.version > ending.c.version,
                later.c.changed_at <= ends,
            ),
            exists().where(
                published.c.entry_id == ending.c.entry_id,
                published.c.change == KNOWLEDGE_CHANGES["published"],
                published.c.changed_at <= ends,
            ),
        )
        .group_by(KNOWLEDGE.c.unit)
    )
    for unit, number in connection.execute(overdue):
        found.setdefault(unit, dict.fromkeys(KNOWLEDGE_CHANGES, 0))["overdue"] = number
    return found
