"""The bulletin's knowledge base section (知识库维护) [seed 002 五; seed 003 §三.2(3)], from the
entries' version history on SQLite and PostgreSQL: per owning unit the entries submitted, published
and expired in the period and those overdue for their review, the period's bounds in the policy's
time zone, the cutoff of a bulletin compiled before the period ends, and the HTML and workbook."""

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ledger_support import CONFIG
from openpyxl import load_workbook
from sqlalchemy import Engine

from workers.knowledge.store import EntryText, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate
from workers.report_policy import ReportPolicy, load_report_policy
from workers.reports.bulletin import TOTAL, Bulletin, compile_bulletin
from workers.reports.periods import parse_period
from workers.reports.publish import publish
from workers.reports.service import open_reader
from workers.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
FONT = Settings().report_font
SEGMENTER = KnowledgeSegmenter()
FUND, SOCIAL, CITY = "住房公积金管理中心", "人力资源和社会保障局", "城市管理局"
CENTRE = "热线中心王五"
COMPILED_AT = datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Clock:
    def __init__(self) -> None:
        self.now = local("2026-09-01 09:00")

    def __call__(self) -> datetime:
        return self.now


class History:
    """Writes entries' changes at given Shanghai times."""

    def __init__(self, store: KnowledgeStore, clock: Clock) -> None:
        self._store, self._clock = store, clock

    def on(self, when: str) -> KnowledgeStore:
        self._clock.now = local(when)
        return self._store

    def published(self, unit: str, until: str | None, when: str = "2026-09-01 09:00") -> str:
        """An entry of `unit` valid until `until`, created, submitted and published at `when`."""
        number = self.on(when).create(entry(unit, until), actor=unit)
        self._store.submit(number, actor=unit)
        self._store.publish(number, actor=CENTRE)
        return number

    def renewed(self, number: str, unit: str, until: str, when: str) -> None:
        """Revised with a new end of validity, submitted, approved and published again at `when`."""
        self.on(when).revise(number, entry(unit, until), actor=unit)
        self._store.submit(number, actor=unit)
        self._store.approve(number, actor=f"{unit}领导")
        self._store.publish(number, actor=CENTRE)


def entry(unit: str, until: str | None) -> EntryText:
    return EntryText(
        question=f"{unit}的常见问题",
        answer=f"{unit}的答复",
        topic="常见问题",
        unit=unit,
        valid_from=local("2026-01-01 00:00"),
        valid_until=None if until is None else local(until),
    )


def build(history: History) -> None:
    """September and October 2026 of three units' entries (October's figures in the test below)."""
    # Housing fund: one entry submitted just before October (Shanghai time) and published in it,
    # then expired unreviewed at the end of its validity; one rejected and submitted twice, counted
    # once, and published.
    first = history.on("2026-09-30 23:30").create(entry(FUND, "2026-10-20 00:00"), actor=FUND)
    history.on("2026-09-30 23:30").submit(first, actor=FUND)
    history.on("2026-10-08 10:00").publish(first, actor=CENTRE)
    history.on("2026-10-20 00:00").expire(first, actor="system")
    second = history.on("2026-10-10 09:00").create(entry(FUND, "2027-10-10 00:00"), actor=FUND)
    history.on("2026-10-10 09:30").submit(second, actor=FUND)
    history.on("2026-10-11 09:00").reject(second, actor=f"{FUND}领导")
    history.on("2026-10-12 09:00").revise(second, entry(FUND, "2027-10-12 00:00"), actor=FUND)
    history.on("2026-10-13 09:00").submit(second, actor=FUND)
    history.on("2026-10-14 09:00").approve(second, actor=f"{FUND}领导")
    history.on("2026-10-15 09:00").publish(second, actor=CENTRE)

    # Social security: one renewed in time (not overdue), one renewed after it expired (overdue,
    # and expired), one withdrawn before its end (not overdue).
    in_time = history.published(SOCIAL, "2026-10-25 00:00")
    history.renewed(in_time, SOCIAL, "2027-10-25 00:00", "2026-10-10 10:00")
    late = history.published(SOCIAL, "2026-10-28 00:00")
    history.on("2026-10-28 00:00").expire(late, actor="system")
    history.renewed(late, SOCIAL, "2027-10-28 00:00", "2026-10-30 10:00")
    withdrawn = history.published(SOCIAL, "2026-10-26 00:00")
    history.on("2026-10-20 10:00").withdraw(withdrawn, actor=SOCIAL)

    # City management: validity ending at the first instant of October, Shanghai time, expired then;
    # a draft past its end never published (nobody's overdue review); entries ending in November
    # (the first at the first instant of November, outside October), and one without an end.
    first_instant = history.published(CITY, "2026-10-01 00:00")
    history.on("2026-10-01 00:00").expire(first_instant, actor="system")
    history.on("2026-09-01 09:00").create(entry(CITY, "2026-10-15 00:00"), actor=CITY)
    history.published(CITY, "2026-11-01 00:00")
    history.published(CITY, "2026-11-20 00:00")
    history.published(CITY, None)


@pytest.fixture
def reader(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}" if database_url.startswith("sqlite") else database_url
    migrate(url)
    engine, clock = open_engine(url), Clock()
    build(History(KnowledgeStore(engine, SEGMENTER, clock), clock))
    engine.dispose()
    reading = open_reader(url)
    yield reading
    reading.dispose()


@pytest.fixture(scope="module")
def policy() -> ReportPolicy:
    return load_report_policy(CONFIG)


def october(reader: Engine, policy: ReportPolicy, now: datetime = COMPILED_AT) -> Bulletin:
    return compile_bulletin(reader, policy, parse_period("monthly", "2026-10"), now)


def figures(bulletin: Bulletin) -> dict[str, dict[str, int | float | None]]:
    assert bulletin.knowledge is not None, "the shipped config/reports.toml has a [knowledge] section"
    section = bulletin.knowledge
    return {row.name: dict(row.values) for row in (*section.rows, section.total)}


def row(submitted: int, published: int, expired: int, overdue: int) -> dict[str, int | float | None]:
    return {"submitted": submitted, "published": published, "expired": expired, "overdue": overdue}


def test_each_unit_is_counted_as_its_entries_history_shows(reader: Engine, policy: ReportPolicy) -> None:
    found = figures(october(reader, policy))
    expected = {
        FUND: row(submitted=1, published=2, expired=1, overdue=1),
        SOCIAL: row(submitted=2, published=2, expired=1, overdue=1),
        CITY: row(submitted=0, published=0, expired=1, overdue=1),
        TOTAL: row(submitted=3, published=4, expired=3, overdue=3),
    }
    for name, wanted in expected.items():
        assert found.get(name) == wanted, f"{name}: expected {wanted}, the section has {found.get(name)}"
    assert list(found) == [SOCIAL, FUND, CITY, TOTAL], "units by entries submitted, then by name; 合计 last"


def test_a_bulletin_compiled_before_the_period_ends_counts_no_validity_not_yet_ended(
    reader: Engine, policy: ReportPolicy
) -> None:
    found = figures(october(reader, policy, now=local("2026-10-27 12:00")))
    assert found[SOCIAL]["overdue"] == 0, "the entry ending on 28 October is not overdue on the 27th"
    assert found[FUND]["overdue"] == 1, "the entry that ended on 20 October is"


def test_september_counts_september(reader: Engine, policy: ReportPolicy) -> None:
    september = compile_bulletin(reader, policy, parse_period("monthly", "2026-09"), COMPILED_AT)
    found = figures(september)
    assert found[TOTAL] == row(submitted=8, published=7, expired=0, overdue=0), (
        f"eight entries were submitted in September (Shanghai time) and seven published: {found[TOTAL]}"
    )


def test_the_section_is_printed_and_in_the_workbook(
    reader: Engine, policy: ReportPolicy, tmp_path: Path
) -> None:
    bulletin = october(reader, policy)
    published = publish(bulletin, tmp_path, FONT, COMPILED_AT)
    html = published.html.read_text(encoding="utf-8")
    assert re.search(r"<h2>[八九]、知识库维护情况</h2>", html), "the HTML report has no knowledge section"
    fund = re.search(f'<tr><td class="text">{FUND}</td>(.*?)</tr>', html)
    assert fund is not None and re.findall(r">(\d+)<", fund.group(1)) == ["1", "2", "1", "1"], (
        "the housing fund's row in the HTML report"
    )
    assert any("逾期未复核" in note for note in bulletin.notes), "the notes say what overdue counts"
    sheet = load_workbook(published.workbook)["知识库维护情况"]
    rows = [tuple(cell.value for cell in line) for line in sheet.iter_rows()]
    assert rows[0] == ("主管单位", "报送条目", "发布条目", "过期条目", "逾期未复核")
    assert rows[-1] == (TOTAL, 3, 4, 3, 3)


def test_no_section_without_the_table_or_in_a_bulletin_of_channels_only(
    reader: Engine, policy: ReportPolicy
) -> None:
    unconfigured = policy.model_copy(update={"knowledge": None})
    assert october(reader, unconfigured).knowledge is None, "no [knowledge] table, no section"
    channels_only = compile_bulletin(
        reader, policy, parse_period("monthly", "2026-10"), COMPILED_AT, frozenset({"weibo-release"})
    )
    assert channels_only.knowledge is None, "the upkeep is assessed with the appeals, not the channels"


def test_a_period_without_upkeep_has_no_section(reader: Engine, policy: ReportPolicy) -> None:
    august = compile_bulletin(reader, policy, parse_period("monthly", "2026-08"), COMPILED_AT)
    assert august.knowledge is None, "nothing was submitted, published, expired or overdue in August"
