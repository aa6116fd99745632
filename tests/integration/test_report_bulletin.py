"""Bulletins over a small ledger written by the ledger service, on SQLite and PostgreSQL: every
indicator against the figures counted by hand below, an empty period, and the files written."""

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ledger_support import CONFIG, open_test_ledger
from openpyxl import load_workbook
from sqlalchemy import Engine

from minsheng.cli import main
from workers.ledger import events
from workers.ledger.events import CaseRegistration
from workers.ledger.service import Ledger
from workers.report_policy import ReportPolicy, load_report_policy
from workers.reports.bulletin import NO_DATA, Bulletin, compile_bulletin
from workers.reports.periods import parse_period
from workers.reports.publish import publish
from workers.reports.ranking import Placing
from workers.reports.service import open_reader
from workers.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
FONT = Settings().report_font


def local(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


# Compiled well after October: the state is the one at its end, 2026-11-01 00:00.
COMPILED_AT = local(11, 10)


class Clock:
    def __init__(self) -> None:
        self.now = local(10, 1)

    def __call__(self) -> datetime:
        return self.now


class Builder:
    """Writes cases and their history through the ledger service, at the clock's times."""

    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self.ledger, self.clock, self.jobs = ledger, clock, itertools.count(1)

    def case(
        self,
        received: datetime,
        title: str,
        unit: str,
        category: str,
        due: datetime,
        channel: str = "hotline-ticket",
        location: str | None = None,
        accepted: bool = True,
    ) -> str:
        self.clock.now = received
        number = self.ledger.register(
            next(self.jobs), CaseRegistration(channel=channel, title=title, content=title, location=location)
        )
        self.record(
            received,
            events.Details(
                kind="details", case_number=number, category=category, lead_unit=unit, accepted=accepted
            ),
            events.Deadline(kind="deadline", case_number=number, due_at=due),
        )
        return number

    def record(self, at: datetime, *recorded: events.LedgerEvent) -> None:
        self.clock.now = at
        for event in recorded:
            self.ledger.record(next(self.jobs), event)

    def complete(self, number: str, at: datetime, grade: str | None = None, visit: str | None = None) -> None:
        self.record(
            at,
            events.Reply(kind="reply", case_number=number, text="已办理", grade=grade),
            events.Transition(kind="transition", case_number=number, status="completed"),
        )
        if visit is not None:
            self.record(
                at + timedelta(hours=2),
                events.Satisfaction(kind="satisfaction", case_number=number, result=visit),
            )


@pytest.fixture
def ledger_url(database_url: str, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}" if database_url.startswith("sqlite") else database_url


@pytest.fixture
def reader(ledger_url: str) -> Iterator[Engine]:
    clock = Clock()
    ledger = open_test_ledger(ledger_url, clock=clock)
    build(Builder(ledger, clock))
    ledger.close()
    engine = open_reader(ledger_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def policy() -> ReportPolicy:
    return load_report_policy(CONFIG)


def build(b: Builder) -> None:
    """October 2026; the comments say what each case adds to the bulletin."""
    # 环保局, on time, graded A, satisfied; one reminder.
    c1 = b.case(local(10, 2), "夜间施工噪音扰民", "环保局", "投诉", local(10, 20), location="铁西区兴华街道")
    b.record(local(10, 8), events.Reminder(kind="reminder", case_number=c1))
    b.complete(c1, local(10, 10), grade="A", visit="满意")
    # 环保局, completed late (overdue), graded B, unsatisfied; two reminders and an escalation.
    c2 = b.case(local(10, 3), "广场舞噪音", "环保局", "投诉", local(10, 15), location="铁西区重工街道")
    b.record(local(10, 14), events.Reminder(kind="reminder", case_number=c2))
    b.record(local(10, 16), events.Reminder(kind="reminder", case_number=c2))
    b.record(local(10, 17), events.Escalation(kind="escalation", case_number=c2, reason="超期未办"))
    b.complete(c2, local(10, 18), grade="B", visit="不满意")
    # 环保局, received in October but completed and answered only after it: open, not replied.
    c9 = b.case(local(10, 28), "楼道路灯不亮", "环保局", "求助", local(11, 15))
    b.complete(c9, local(11, 3), grade="A")
    # 住房城乡建设委, extended past October: open, not overdue.
    c3 = b.case(local(10, 5), "小区停水", "住房城乡建设委", "求助", local(10, 25), location="铁西区")
    b.record(
        local(10, 20),
        events.Extension(
            kind="extension",
            case_number=c3,
            reason="需协调供水公司",
            decision="approved",
            new_due_at=local(11, 5),
        ),
    )
    # 住房城乡建设委, on time, answered without a grade, 基本满意.
    c4 = b.case(local(10, 6), "公租房申请咨询", "住房城乡建设委", "咨询", local(10, 12), location="和平区")
    b.complete(c4, local(10, 11), visit="基本满意")
    # 综合执法局, not completed by its due day: overdue; returned once by 民政局 before.
    c5 = b.case(local(10, 7), "占道经营", "综合执法局", "投诉", local(10, 20))
    b.record(
        local(10, 7, 12), events.Return(kind="return", case_number=c5, unit="民政局", reason="非本单位职责")
    )
    # 民政局, a deputy's suggestion graded A.
    c8 = b.case(
        local(10, 9), "关于增设公交线路的建议", "民政局", "建议", local(12, 31), channel="deputy-suggestion"
    )
    b.complete(c8, local(10, 25), grade="A")
    # Not accepted: counted nowhere.
    b.case(local(10, 10), "推销广告", "环保局", "其他", local(10, 20), accepted=False)
    # Received in September: not received in October, but its October reminder counts.
    c7 = b.case(local(9, 30), "噪音", "环保局", "投诉", local(10, 20))
    b.record(local(10, 2), events.Reminder(kind="reminder", case_number=c7))


def october(reader: Engine, policy: ReportPolicy) -> Bulletin:
    return compile_bulletin(reader, policy, parse_period("monthly", "2026-10"), COMPILED_AT)


def row(rows: tuple[object, ...], name: str) -> object:
    return next(r for r in rows if getattr(r, "name", None) == name)


def test_indicators_per_unit_match_the_hand_count(reader: Engine, policy: ReportPolicy) -> None:
    bulletin = october(reader, policy)
    units = {r.name: dict(r.values) for r in bulletin.units}
    assert units["环保局"] == {
        "received": 3,
        "completed": 2,
        "on-time-rate": 1 / 2,
        "overdue": 1,
        "returns": 0,
        "extensions": 0,
        "reminders": 4,
        "escalations": 1,
        "reply-rate": 2 / 3,
        "satisfaction-rate": 1 / 2,
        "resolution-rate": 1 / 2,
        # Nothing answered at the front desk here (tests/integration/test_report_direct_answers.py).
        "direct-answer-rate": 0.0,
        "knowledge-answers": 0,
    }
    assert units["住房城乡建设委"] == {
        "received": 2,
        "completed": 1,
        "on-time-rate": 1.0,
        "overdue": 0,
        "returns": 0,
        "extensions": 1,
        "reminders": 0,
        "escalations": 0,
        "reply-rate": 1 / 2,
        "satisfaction-rate": 1.0,
        "resolution-rate": 0.0,
        "direct-answer-rate": 0.0,
        "knowledge-answers": 0,
    }
    # Nothing completed, answered or visited: those rates have no data, not zero.
    assert units["综合执法局"]["on-time-rate"] is None
    assert units["综合执法局"]["satisfaction-rate"] is None
    assert (units["综合执法局"]["overdue"], units["综合执法局"]["reply-rate"]) == (1, 0.0)
    # A return counts for the unit that returned the case.
    assert units["民政局"]["returns"] == 1
    assert [r.name for r in bulletin.units] == ["环保局", "住房城乡建设委", "民政局", "综合执法局"]


def test_totals_and_categories_add_up(reader: Engine, policy: ReportPolicy) -> None:
    bulletin = october(reader, policy)
    total = bulletin.total.values
    assert (total["received"], total["completed"], total["overdue"]) == (7, 4, 2)
    assert (total["on-time-rate"], total["reply-rate"], total["satisfaction-rate"]) == (3 / 4, 4 / 7, 2 / 3)
    assert (total["resolution-rate"], total["reminders"], total["returns"]) == (1 / 2, 4, 1)
    categories = {r.name: r.counts for r in bulletin.categories}
    assert {name: counts["received"] for name, counts in categories.items()} == {
        "投诉": 3,
        "求助": 2,
        "咨询": 1,
        "建议": 1,
    }
    assert (categories["投诉"]["reminders"], categories["求助"]["extensions"]) == (4, 1)


def test_ranking_scores_the_configured_rates(reader: Engine, policy: ReportPolicy) -> None:
    bulletin = october(reader, policy)
    # 40×1 + 20×½ + 25×1 + 15×0, and 40×½ + 20×⅔ + 25×½ + 15×½; the others lack a rate.
    assert bulletin.ranking.top == (Placing("住房城乡建设委", 1, 75.0), Placing("环保局", 2, 53.33))
    assert bulletin.ranking.bottom == ()


def test_suggestions_and_the_express_issue(reader: Engine, policy: ReportPolicy) -> None:
    bulletin = october(reader, policy)
    assert [(g.unit, dict(g.grades)) for g in bulletin.grades] == [("民政局", {"A": 1, "B": 0, "C": 0})]
    express = bulletin.express
    assert [(t.name, t.count) for t in express.categories][:1] == [("投诉", 3)]
    assert set(express.categories[0].titles) <= {"夜间施工噪音扰民", "广场舞噪音", "占道经营"}
    assert [(t.name, t.count) for t in express.keywords] == [
        ("噪音", 2),
        ("扰民", 1),
        ("路灯", 1),
        ("停水", 1),
        ("占道", 1),
    ]
    assert set(express.keywords[0].titles) == {"夜间施工噪音扰民", "广场舞噪音"}
    assert [(t.name, t.count) for t in express.areas] == [("铁西区", 3), ("和平区", 1)]


def test_a_channel_filter_keeps_its_cases_only(reader: Engine, policy: ReportPolicy) -> None:
    bulletin = compile_bulletin(
        reader, policy, parse_period("monthly", "2026-10"), COMPILED_AT, frozenset({"deputy-suggestion"})
    )
    assert [(r.name, r.counts["received"]) for r in bulletin.units] == [("民政局", 1)]


def test_an_empty_period_has_no_rates_and_says_so(
    reader: Engine, policy: ReportPolicy, tmp_path: Path
) -> None:
    bulletin = compile_bulletin(reader, policy, parse_period("monthly", "2026-08"), COMPILED_AT)
    assert bulletin.units == () and bulletin.total.values["received"] == 0
    assert all(bulletin.total.values[key] is None for key, i in policy.indicators.items() if i.is_rate)
    assert bulletin.ranking.top == bulletin.ranking.bottom == ()
    assert any("本期无受理件" in note for note in bulletin.notes)
    published = publish(bulletin, tmp_path, FONT, COMPILED_AT)
    assert NO_DATA in published.html.read_text(encoding="utf-8")
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in published.charts)


def test_published_files_hold_the_tables_and_the_notes(
    reader: Engine, policy: ReportPolicy, tmp_path: Path
) -> None:
    bulletin = october(reader, policy)
    published = publish(bulletin, tmp_path, FONT, COMPILED_AT)
    assert published.directory == tmp_path / "monthly-2026-10"

    html = published.html.read_text(encoding="utf-8")
    assert all(note in html for note in bulletin.notes)
    assert "按期办结率 = 按期办结件数 ÷ 办结件数" in html and "50.0%" in html

    workbook = load_workbook(published.workbook)
    assert workbook.sheetnames == [
        "单位",
        "类别",
        "排名",
        "建议办理结果",
        "快报-类别",
        "快报-地区",
        "快报-关键词",
        "指标说明",
    ]
    units = [list(r) for r in workbook["单位"].iter_rows(values_only=True)]
    header = units[0]
    environment = next(r for r in units if r[0] == "环保局")
    assert environment[header.index("按期办结率")] == 0.5
    assert environment[header.index("催办")] == 4
    assert units[-1][0] == "合计"
    assert [r[:3] for r in workbook["排名"].iter_rows(min_row=2, values_only=True)] == [
        ("前列（表扬）", 1, "住房城乡建设委"),
        ("前列（表扬）", 2, "环保局"),
    ]
    notes = [r[1] for r in workbook["指标说明"].iter_rows(min_row=2, values_only=True)]
    assert notes == list(bulletin.notes)

    assert [path.name for path in published.charts] == [f"{chart.name}.png" for chart in policy.charts]
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in published.charts)


def test_the_command_line_writes_the_bulletin(
    reader: Engine,
    ledger_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MINSHENG_LEDGER_DATABASE_URL", ledger_url)
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", str(CONFIG))
    out = tmp_path / "reports"
    assert main(["report", "--period", "monthly", "--month", "2026-10", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2026年10月 (7 cases)" in printed
    assert "top         1. 住房城乡建设委 75.00" in printed
    assert (out / "monthly-2026-10" / "bulletin.xlsx").is_file()
