"""The communication channels' sections of a bulletin, over activities recorded by the ledger
service on SQLite and PostgreSQL: counts, filtered counts, sums, points, additions and rates per
unit or person, the 合计 row, the period's bounds in the policy's time zone, the appeal tables
left to the appeal channels, and a bulletin of communication channels only, which prints no
appeal table."""

import itertools
import re
import tomllib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ledger_support import CONFIG, open_test_ledger
from openpyxl import load_workbook
from sqlalchemy import Engine

from minsheng.cli import main
from workers.ledger import events
from workers.ledger.events import CaseRegistration
from workers.ledger.service import Ledger
from workers.report_policy import REPORT_POLICY_FILE, ChannelPolicy, ReportPolicy, load_report_policy
from workers.reports.bulletin import (
    NO_ACTOR,
    NO_DATA,
    NO_UNIT,
    TOTAL,
    Bulletin,
    ChannelSection,
    compile_bulletin,
)
from workers.reports.periods import parse_period
from workers.reports.publish import publish
from workers.reports.service import open_reader, outcome
from workers.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
FONT = Settings().report_font
OFFICE, TRANSPORT, HOUSING = "市政府办公室", "交通运输局", "住房城乡建设委"

# Written as a process owner would, in the order the columns should appear.
CHANNELS: dict[str, Any] = {
    "meeting-attendance": {
        "label": "邀请公民列席市政府常务会议",
        "by": "unit",
        "indicators": {
            "meetings": {"label": "会议场次", "activity": "meeting-held"},
            "attendees": {"label": "列席人数", "activity": "attendees-selected", "sum": "selected"},
            "speaking": {"label": "发言时长（分钟）", "activity": "attendees-selected", "sum": "minutes"},
            "replies": {"label": "论坛答复", "activity": "forum-replied"},
            "replies-on-time": {"label": "按期答复", "activity": "forum-replied", "where": {"onTime": True}},
            "on-time-rate": {"label": "按期答复率", "numerator": "replies-on-time", "denominator": "replies"},
        },
    },
    "online-interview": {
        "label": "在线访谈",
        "by": "unit",
        "indicators": {
            "portal": {
                "label": "门户网站访谈得分",
                "activity": "interview-held",
                "where": {"site": "portal", "extra": False},
                "points": 40,
            },
            "portal-extra": {
                "label": "门户网站超次访谈得分",
                "activity": "interview-held",
                "where": {"site": "portal", "extra": True},
                "points": 20,
            },
            "linked": {
                "label": "部门网站访谈得分",
                "activity": "interview-held",
                "where": {"site": "department"},
                "points": 20,
            },
            "score": {"label": "考核得分", "add": ["portal", "portal-extra", "linked"]},
        },
    },
    "leader-reception": {
        "label": "来访接待和下访",
        "by": "actor",
        "indicators": {
            "receptions": {"label": "接访次数", "activity": "reception-held"},
            "visitors": {"label": "接待人次", "activity": "reception-held", "sum": "visitors"},
        },
    },
}


def local(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


COMPILED_AT = local(11, 10)


class Clock:
    def __init__(self) -> None:
        self.now = local(9, 1)

    def __call__(self) -> datetime:
        return self.now


class Recorder:
    """Cases and activities written through the ledger service, at the clock's times."""

    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self.ledger, self.clock, self.jobs = ledger, clock, itertools.count(1)

    def case(self, channel: str, at: datetime, unit: str | None = None) -> str:
        self.clock.now = at
        number = self.ledger.register(next(self.jobs), CaseRegistration(channel=channel, title=channel))
        if unit is not None:
            self.ledger.record(
                next(self.jobs),
                events.Details(kind="details", case_number=number, category="投诉", lead_unit=unit),
            )
        return number

    def activity(
        self,
        case: str,
        name: str,
        occurred: datetime,
        unit: str | None = None,
        actor: str | None = None,
        recorded: datetime | None = None,
        **data: Any,
    ) -> None:
        self.clock.now = recorded or occurred
        self.ledger.record(
            next(self.jobs),
            events.Activity(
                kind="activity",
                case_number=case,
                activity=name,
                label={"meeting-held": "召开常务会议", "forum-replied": "论坛意见答复"}.get(name, name),
                unit=unit,
                actor=actor,
                occurred_at=occurred,
                activity_data=data,
            ),
        )


def build(r: Recorder) -> None:
    """October 2026 in Shanghai; the comments say what each record adds to the sections."""
    meeting = r.case("meeting-attendance", local(9, 20), unit=OFFICE)
    # 市政府办公室: two meetings (one at the very start of October), 4 + 3 attendees speaking
    # 2.5 + 3 minutes (the second selection at the very end of October); no forum replies.
    r.activity(meeting, "meeting-held", local(10, 1, 0), unit=OFFICE)
    r.activity(meeting, "meeting-held", local(10, 15), unit=OFFICE)
    r.activity(meeting, "attendees-selected", local(10, 14), unit=OFFICE, selected=4, minutes=2.5)
    r.activity(meeting, "attendees-selected", local(10, 31, 23, 59), unit=OFFICE, selected=3, minutes=3)
    # A count written as text is no number: counted as an activity, not in the sum.
    r.activity(meeting, "attendees-selected", local(10, 20), unit=OFFICE, selected="5")
    # 交通运输局: three forum replies, two on time (one recorded in November, for October 30).
    r.activity(meeting, "forum-replied", local(10, 17), unit=TRANSPORT, onTime=True)
    r.activity(meeting, "forum-replied", local(10, 30), unit=TRANSPORT, recorded=local(11, 2), onTime=True)
    r.activity(meeting, "forum-replied", local(10, 21), unit=TRANSPORT, onTime=False)
    # Outside October in Shanghai, though in October (UTC) or recorded then: not counted.
    r.activity(
        meeting, "forum-replied", local(9, 30, 23, 59), unit=TRANSPORT, recorded=local(10, 2), onTime=True
    )
    r.activity(meeting, "forum-replied", local(11, 1, 0), unit=TRANSPORT, onTime=True)
    # 1 for true is not true.
    r.activity(meeting, "forum-replied", local(10, 22), unit=HOUSING, onTime=1)
    # No unit recorded.
    r.activity(meeting, "meeting-held", local(10, 28))

    interview = r.case("online-interview", local(9, 25))
    # 交通运输局: one portal interview (40) and one beyond the month's first (20); 住房城乡建设委:
    # one on its own site linked from the portal (20).
    r.activity(interview, "interview-held", local(10, 9), unit=TRANSPORT, site="portal", extra=False)
    r.activity(interview, "interview-held", local(10, 23), unit=TRANSPORT, site="portal", extra=True)
    r.activity(interview, "interview-held", local(10, 12), unit=HOUSING, site="department")

    reception = r.case("leader-reception", local(9, 28))
    r.activity(reception, "reception-held", local(10, 10), actor="李市长", visitors=6)
    r.activity(reception, "reception-held", local(10, 24), actor="王局长", visitors=2)
    r.activity(reception, "reception-held", local(10, 25), actor="王局长", visitors=3)
    r.activity(reception, "reception-held", local(10, 26), visitors=1)

    # Appeals: one hotline case for 交通运输局; a meeting's case opened for 市政府办公室 is not one.
    r.case("hotline-ticket", local(10, 5), unit=TRANSPORT)
    r.case("meeting-attendance", local(10, 6), unit=OFFICE)


@pytest.fixture(scope="module")
def policy() -> ReportPolicy:
    with (CONFIG / REPORT_POLICY_FILE).open("rb") as file:
        data = tomllib.load(file)
    # The channels of this test only, whatever the shipped file configures.
    return ReportPolicy.model_validate({**data, "channels": CHANNELS})


@pytest.fixture
def reader(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}" if database_url.startswith("sqlite") else database_url
    clock = Clock()
    ledger = open_test_ledger(url, clock=clock)
    build(Recorder(ledger, clock))
    ledger.close()
    engine = open_reader(url)
    yield engine
    engine.dispose()


def october(reader: Engine, policy: ReportPolicy, channels: frozenset[str] | None = None) -> Bulletin:
    return compile_bulletin(reader, policy, parse_period("monthly", "2026-10"), COMPILED_AT, channels)


def section(bulletin: Bulletin, channel: str) -> ChannelSection:
    found = [s for s in bulletin.channels if s.channel == channel]
    assert found, f"the bulletin has no section for {channel}: {[s.channel for s in bulletin.channels]}"
    return found[0]


def rows(found: ChannelSection) -> dict[str, dict[str, object]]:
    return {row.name: dict(row.values) for row in (*found.rows, found.total)}


def test_counts_sums_and_rates_per_unit_with_the_total(reader: Engine, policy: ReportPolicy) -> None:
    meetings = section(october(reader, policy), "meeting-attendance")
    assert rows(meetings) == {
        OFFICE: {
            "meetings": 2,
            "attendees": 7,
            "speaking": 5.5,
            "replies": 0,
            "replies-on-time": 0,
            "on-time-rate": None,
        },
        TRANSPORT: {
            "meetings": 0,
            "attendees": 0,
            "speaking": 0,
            "replies": 3,
            "replies-on-time": 2,
            "on-time-rate": 2 / 3,
        },
        HOUSING: {
            "meetings": 0,
            "attendees": 0,
            "speaking": 0,
            "replies": 1,
            "replies-on-time": 0,
            "on-time-rate": 0.0,
        },
        NO_UNIT: {
            "meetings": 1,
            "attendees": 0,
            "speaking": 0,
            "replies": 0,
            "replies-on-time": 0,
            "on-time-rate": None,
        },
        TOTAL: {
            "meetings": 3,
            "attendees": 7,
            "speaking": 5.5,
            "replies": 4,
            "replies-on-time": 2,
            "on-time-rate": 2 / 4,
        },
    }, "October's activities per unit, counted by hand in build()"
    assert [row.name for row in meetings.rows] == [OFFICE, NO_UNIT, TRANSPORT, HOUSING], (
        "rows are ordered by the first column, largest first, then by name"
    )
    assert meetings.activity_labels["meeting-held"] == "召开常务会议"


def test_points_and_additions_score_the_interviews(reader: Engine, policy: ReportPolicy) -> None:
    interviews = rows(section(october(reader, policy), "online-interview"))
    assert interviews[TRANSPORT] == {"portal": 40, "portal-extra": 20, "linked": 0, "score": 60}
    assert interviews[HOUSING] == {"portal": 0, "portal-extra": 0, "linked": 20, "score": 20}
    assert interviews[TOTAL]["score"] == 80


def test_a_channel_by_actor_has_a_row_per_person(reader: Engine, policy: ReportPolicy) -> None:
    receptions = section(october(reader, policy), "leader-reception")
    assert [(row.name, dict(row.values)) for row in receptions.rows] == [
        ("王局长", {"receptions": 2, "visitors": 5}),
        ("李市长", {"receptions": 1, "visitors": 6}),
        (NO_ACTOR, {"receptions": 1, "visitors": 1}),
    ]
    assert dict(receptions.total.values) == {"receptions": 4, "visitors": 12}


def test_the_appeal_tables_count_the_appeal_channels_only(reader: Engine, policy: ReportPolicy) -> None:
    bulletin = october(reader, policy)
    assert [(row.name, row.counts["received"]) for row in bulletin.units] == [(TRANSPORT, 1)], (
        "a meeting's case (or any case of a channel outside [cases] channels) counted as an appeal"
    )
    assert bulletin.total.counts["received"] == 1
    assert "deputy-suggestion、forum-post、hotline-ticket、online-message" in bulletin.notes[0]


def test_a_request_for_some_channels_keeps_their_cases_and_sections(
    reader: Engine, policy: ReportPolicy
) -> None:
    hotline = october(reader, policy, frozenset({"hotline-ticket"}))
    assert [(row.name, row.counts["received"]) for row in hotline.units] == [(TRANSPORT, 1)]
    assert hotline.channels == (), "a bulletin of the hotline alone printed the channels' sections"

    meetings = october(reader, policy, frozenset({"meeting-attendance"}))
    assert meetings.units == (), "a bulletin of meetings counted the meeting's case as an appeal"
    assert [s.channel for s in meetings.channels] == ["meeting-attendance"]


def test_a_period_without_activities_has_no_sections(reader: Engine, policy: ReportPolicy) -> None:
    assert compile_bulletin(reader, policy, parse_period("monthly", "2026-08"), COMPILED_AT).channels == ()
    # Late September in Shanghai holds one forum reply: its section alone.
    week = compile_bulletin(reader, policy, parse_period("weekly", "2026-W40"), COMPILED_AT)
    assert [(s.channel, dict(s.total.values)["replies"]) for s in week.channels] == [
        ("meeting-attendance", 1)
    ], "the week of 2026-09-28 to 10-04 holds the replies of 09-30 23:59 only (10-01's meeting too)"


def test_published_files_hold_the_sections_and_their_definitions(
    reader: Engine, policy: ReportPolicy, tmp_path: Path
) -> None:
    bulletin = october(reader, policy)
    published = publish(bulletin, tmp_path, FONT, COMPILED_AT)
    html = published.html.read_text(encoding="utf-8")
    for label in ("邀请公民列席市政府常务会议", "在线访谈", "来访接待和下访"):
        assert f"<h3>{label}</h3>" in html, f"the HTML report has no section {label}"
    assert all(note in html for note in bulletin.notes)
    office = re.search(f'<tr><td class="text">{OFFICE}</td>(.*?)</tr>', html)
    assert office is not None, f"the HTML report has no row for {OFFICE}"
    assert office[1].endswith(f'<td class="rate">{NO_DATA}</td>'), "a rate without replies is not shown as —"
    assert '<td class="rate">66.7%</td>' in html
    notes = [note for note in bulletin.notes if note.startswith("邀请公民列席市政府常务会议")]
    assert "邀请公民列席市政府常务会议·会议场次：“召开常务会议”（meeting-held）活动次数。" in notes
    assert (
        "邀请公民列席市政府常务会议·按期答复：“论坛意见答复”（forum-replied）活动中数据onTime为是的次数。"
        in notes
    )
    assert "邀请公民列席市政府常务会议·按期答复率 = 按期答复 ÷ 论坛答复。" in notes
    assert (
        "在线访谈·考核得分 = 门户网站访谈得分 + 门户网站超次访谈得分 + 部门网站访谈得分。" in bulletin.notes
    )

    workbook = load_workbook(published.workbook)
    assert workbook.sheetnames[-4:] == [
        "邀请公民列席市政府常务会议",
        "在线访谈",
        "来访接待和下访",
        "指标说明",
    ]
    sheet = [list(row) for row in workbook["邀请公民列席市政府常务会议"].iter_rows(values_only=True)]
    assert sheet[0] == [
        "单位",
        "会议场次",
        "列席人数",
        "发言时长（分钟）",
        "论坛答复",
        "按期答复",
        "按期答复率",
    ]
    assert sheet[-1] == [TOTAL, 3, 7, 5.5, 4, 2, 0.5]
    assert next(row for row in sheet if row[0] == OFFICE)[-1] is None, "a rate without data is not zero"
    assert [row[0] for row in workbook["来访接待和下访"].iter_rows(max_row=1, values_only=True)] == ["人员"]


# What only a bulletin with appeals prints: its sections' headings and its sheets.
APPEAL_HEADINGS = (
    "一、总体情况",
    "二、单位排名",
    "三、各单位办理情况",
    "四、各类别办理情况",
    "五、图表",
    "六、建议、提案办理结果",
    "七、民情快报",
    "八、政情民情沟通渠道",
)
APPEAL_SHEETS = ["单位", "类别", "排名", "建议办理结果", "快报-类别", "快报-地区", "快报-关键词"]
COMMUNICATION = frozenset({"meeting-attendance", "online-interview", "leader-reception", "online-survey"})


@pytest.fixture
def with_surveys(policy: ReportPolicy) -> ReportPolicy:
    """The test's channels and one more, online surveys, of which build() records no activity."""
    surveys = ChannelPolicy.model_validate(
        {
            "label": "在线调查",
            "by": "unit",
            "indicators": {"surveys": {"label": "调查项目", "activity": "survey-opened"}},
        }
    )
    return policy.model_copy(update={"channels": {**policy.channels, "online-survey": surveys}})


def headings(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


def test_a_bulletin_of_communication_channels_only_counts_no_appeals(
    reader: Engine, with_surveys: ReportPolicy
) -> None:
    bulletin = october(reader, with_surveys, COMMUNICATION | {"weibo-release"})
    assert not bulletin.counts_appeals
    assert (bulletin.units, bulletin.categories, bulletin.grades) == ((), (), ())
    assert bulletin.scores == {} and not (bulletin.ranking.top or bulletin.ranking.bottom)
    assert bulletin.express.categories == bulletin.express.areas == bulletin.express.keywords == ()
    assert [s.channel for s in bulletin.channels] == [
        "meeting-attendance",
        "online-interview",
        "leader-reception",
    ]
    assert [c.label for c in bulletin.idle_channels] == ["在线调查"]
    assert bulletin.title == with_surveys.channels_title == "政情民情沟通渠道工作通报"
    assert bulletin.notes[0] == (
        "统计范围：2026年10月1日00:00至2026年11月1日00:00（不含）发生的政情民情沟通渠道活动"
        "（邀请公民列席市政府常务会议、在线访谈、来访接待和下访、在线调查）；本通报不含诉求办理情况。"
    ), "the first note does not say what a bulletin of channels counts"
    assert bulletin.notes[1] == "以下渠道未配置统计口径（[channels.*]），未予统计：weibo-release。"
    assert not any("受理" in note or "排名" in note or "民情快报" in note for note in bulletin.notes), (
        "a bulletin of channels only explains the appeals' indicators"
    )
    assert "邀请公民列席市政府常务会议·按期答复率 = 按期答复 ÷ 论坛答复。" in bulletin.notes


def test_a_bulletin_of_communication_channels_only_publishes_their_sections_alone(
    reader: Engine, with_surveys: ReportPolicy, tmp_path: Path
) -> None:
    bulletin = october(reader, with_surveys, COMMUNICATION)
    published = publish(bulletin, tmp_path, FONT, COMPILED_AT)
    html = published.html.read_text(encoding="utf-8")
    assert (
        "<h1>政情民情沟通渠道工作通报</h1>" in html
        and "<title>政情民情沟通渠道工作通报（2026年10月）</title>" in html
    )
    assert headings(html) == ["一、总体情况", "二、政情民情沟通渠道", "指标说明"], "appeal sections printed"
    assert (
        "本期有活动记录的沟通渠道 3 个：邀请公民列席市政府常务会议、在线访谈、来访接待和下访。" in html
        and "本期无活动记录：在线调查。" in html
    )
    assert "本期共受理诉求" not in html and "<figure>" not in html and "<h3>热点类别</h3>" not in html
    assert published.charts == () and not list(published.directory.glob("*.png")), "charts of appeals drawn"
    workbook = load_workbook(published.workbook)
    assert workbook.sheetnames == ["邀请公民列席市政府常务会议", "在线访谈", "来访接待和下访", "指标说明"]
    notes = [row[1] for row in workbook["指标说明"].iter_rows(min_row=2, values_only=True)]
    assert notes == list(bulletin.notes)

    result = outcome(bulletin, published)
    assert (result["bulletinReceived"], result["ranking"]) == (None, None), (
        "a bulletin of channels only returned a count of appeals or a ranking for the notification"
    )
    assert [(c["channel"], c["label"]) for c in result["bulletinChannels"]] == [
        ("meeting-attendance", "邀请公民列席市政府常务会议"),
        ("online-interview", "在线访谈"),
        ("leader-reception", "来访接待和下访"),
    ]
    assert result["bulletinChannels"][2]["total"] == {"receptions": 4, "visitors": 12}
    assert result["bulletinFiles"]["charts"] == []


def test_a_bulletin_of_channels_without_activities_says_so(
    reader: Engine, with_surveys: ReportPolicy, tmp_path: Path
) -> None:
    august = compile_bulletin(
        reader, with_surveys, parse_period("monthly", "2026-08"), COMPILED_AT, COMMUNICATION
    )
    published = publish(august, tmp_path, FONT, COMPILED_AT)
    html = published.html.read_text(encoding="utf-8")
    assert headings(html) == ["一、总体情况", "指标说明"]
    assert "本期各沟通渠道均无活动记录。" in html and "本期无活动记录：" not in html
    assert load_workbook(published.workbook).sheetnames == ["指标说明"]
    assert outcome(august, published)["bulletinChannels"] == []


def test_a_bulletin_with_appeals_keeps_its_sections_and_charts(
    reader: Engine, policy: ReportPolicy, tmp_path: Path
) -> None:
    for channels in (None, frozenset({"hotline-ticket", "meeting-attendance"})):
        bulletin = october(reader, policy, channels)
        assert bulletin.counts_appeals and bulletin.title == policy.title
        published = publish(bulletin, tmp_path / str(channels is None), FONT, COMPILED_AT)
        html = published.html.read_text(encoding="utf-8")
        assert f"<h1>{policy.title}</h1>" in html
        assert headings(html) == [
            *APPEAL_HEADINGS[:6],
            "七、民情快报（2026年10月）",
            APPEAL_HEADINGS[7],
            "指标说明",
        ]
        assert "本期共受理诉求 1 件" in html
        assert [path.name for path in published.charts] == [f"{chart.name}.png" for chart in policy.charts]
        assert load_workbook(published.workbook).sheetnames[:7] == APPEAL_SHEETS
        result = outcome(bulletin, published)
        assert result["bulletinReceived"] == 1 and result["ranking"] is not None


def test_charts_of_empty_appeal_tables_are_drawn_without_bars(
    reader: Engine, policy: ReportPolicy, tmp_path: Path
) -> None:
    # August holds no case: the appeal tables are empty, the charts say so.
    august = compile_bulletin(reader, policy, parse_period("monthly", "2026-08"), COMPILED_AT)
    assert august.counts_appeals and august.units == ()
    published = publish(august, tmp_path, FONT, COMPILED_AT)
    assert len(published.charts) == len(policy.charts) > 0
    assert all(path.stat().st_size > 0 for path in published.charts), "an empty appeal table's chart is empty"
    assert "本期无受理件" in "".join(august.notes)


def test_the_command_line_writes_a_bulletin_of_one_communication_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The shipped policy, as `minsheng report` reads it: a count of Weibo's, whichever it is.
    weibo = load_report_policy(CONFIG).channels["weibo-release"]
    activity = next(i.activity for i in weibo.indicators.values() if i.activity and not i.where)
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    clock = Clock()
    ledger = open_test_ledger(url, clock=clock)
    recorder = Recorder(ledger, clock)
    recorder.activity(recorder.case("weibo-release", local(10, 3)), activity, local(10, 3), unit=TRANSPORT)
    recorder.case("hotline-ticket", local(10, 5), unit=TRANSPORT)
    ledger.close()
    monkeypatch.setenv("MINSHENG_LEDGER_DATABASE_URL", url)
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", str(CONFIG))
    out = tmp_path / "reports"
    arguments = ["report", "--period", "monthly", "--month", "2026-10", "--channel", "weibo-release"]
    assert main([*arguments, "--out", str(out)]) == 0
    folder = out / "monthly-2026-10-weibo-release"
    assert capsys.readouterr().out.splitlines() == [
        "bulletin    2026年10月 (政情民情沟通渠道工作通报, no cases)",
        f"section     {weibo.label} (1 row)",
        f"html        {folder / 'bulletin.html'}",
        f"workbook    {folder / 'bulletin.xlsx'}",
    ], "the command printed a count of cases, a chart or a ranking for a bulletin of Weibo alone"
    assert load_workbook(folder / "bulletin.xlsx").sheetnames == [weibo.label, "指标说明"]
    assert not list(folder.glob("*.png"))
