"""Dashboards (统计看板) and bulletins (通报下载): cases overdue and due soon as the console's clock
(the engine's) moves, the period's indicators equal to the report worker's bulletin, its charts,
a bulletin generated from the page as a followed operation and downloaded, and who may see what.

Cases are written through the ledger's API, as the workers write them, at moments of the engine's
clock; November 2026 has no holidays but its weekends (1, 7-8, 14-15, 21-22, 28-29).
"""

from __future__ import annotations

import asyncio
import html
import itertools
import re
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import httpx
from console_support import ConsoleStack
from openpyxl import load_workbook

from console import dashboard
from engine.testing.handle import EngineHandle
from workers.deadline_policy import load_calendar_policy
from workers.ledger import events
from workers.ledger.events import CaseRegistration
from workers.ledger.service import Ledger
from workers.report_policy import load_report_policy
from workers.reports.bulletin import compile_bulletin
from workers.reports.periods import parse_period
from workers.reports.service import open_reader
from workers.reports.tables import Kind, shown, tables
from workers.services.calendar import WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONFIG = Path(__file__).resolve().parents[3] / "config"
# Job keys of the ledger's writes here: far above any the engine hands out in a test.
JOB_KEYS = itertools.count(9_000_000_000_000)
ENVIRONMENT, HOUSING, ENFORCEMENT = "环保局", "住房城乡建设委", "综合执法局"


def local(text: str) -> datetime:
    """A wall-clock time in Asia/Shanghai, e.g. "2026-11-16 10:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def end_of(day: str) -> datetime:
    """The deadline at 24:00 of `day`, as the deadlines worker writes it: the next midnight."""
    return local(f"{day} 00:00") + timedelta(days=1)


def move_to(engine: EngineHandle, moment: datetime) -> None:
    engine.set_time(int(moment.timestamp() * 1000))


def record(ledger: Ledger, *recorded: events.LedgerEvent) -> None:
    for event in recorded:
        ledger.record(next(JOB_KEYS), event)


def case(
    console: ConsoleStack,
    received: str,
    title: str,
    unit: str,
    category: str,
    due: str,
    accepted: bool = True,
) -> str:
    """A case received at local time `received`, classified, dispatched to `unit` and due at the
    end of the day `due`."""
    move_to(console.engine, local(received))
    number = console.ledger.register(
        next(JOB_KEYS), CaseRegistration(channel="hotline-ticket", title=title, content=title)
    )
    record(
        console.ledger,
        events.Details(
            kind="details", case_number=number, category=category, lead_unit=unit, accepted=accepted
        ),
        events.Transition(kind="transition", case_number=number, status="dispatched"),
        events.Deadline(kind="deadline", case_number=number, due_at=end_of(due)),
    )
    return number


def complete(console: ConsoleStack, number: str, at: str, grade: Literal["A", "B"], visit: str) -> None:
    move_to(console.engine, local(at))
    record(
        console.ledger,
        events.Reply(kind="reply", case_number=number, text="已办理", grade=grade),
        events.Transition(kind="transition", case_number=number, status="completed"),
        events.Satisfaction(kind="satisfaction", case_number=number, result=visit),
    )


def section(page: str, testid: str) -> str:
    """The markup of the element `data-testid=testid` up to the end of its table or figure."""
    start = page.find(f'data-testid="{testid}"')
    assert start >= 0, f"the page has no element {testid}"
    ends = [end for end in (page.find("</table>", start), page.find("</figure>", start)) if end >= 0]
    return page[start : min(ends)]


def listed(page: str, testid: str) -> list[tuple[str, int]]:
    """The cases of a due list, in order, with their working days."""
    rows = re.findall(
        r'data-case="([^"]+)">.*?data-testid="working-days" data-days="(\d+)"', section(page, testid), re.S
    )
    return [(number, int(days)) for number, days in rows]


def tile(page: str, key: str) -> str:
    found = re.search(rf'data-testid="kpi-{key}"><div class="value">([^<]*)</div>', page)
    assert found, f"the page has no KPI tile {key}"
    return html.unescape(found.group(1))


def table(page: str, testid: str) -> dict[str, dict[str, str]]:
    """A table of indicators: row name -> column header -> the text shown."""
    return {
        html.unescape(name): {
            html.unescape(column): html.unescape(value)
            for column, value in re.findall(r'<td data-column="([^"]*)">(.*?)</td>', cells)
        }
        for name, cells in re.findall(r'<tr data-row="([^"]*)">(.*?)</tr>', section(page, testid), re.S)
    }


async def finished(client: httpx.AsyncClient, operation_id: str) -> dict[str, object]:
    """The operation once it is no longer running (a bounded wait for work in a thread)."""
    for _ in range(600):
        answer = await client.get(f"/api/operations/{operation_id}")
        assert answer.status_code == 200, f"the operation could not be read: {answer.text}"
        progress: dict[str, object] = answer.json()
        if progress["state"] != "running":
            return progress
        await asyncio.sleep(0.1)
    raise AssertionError(f"the operation was still running after a minute: {progress}")


async def test_unit_users_reach_neither_dashboards_nor_bulletins(console: ConsoleStack) -> None:
    for username in ("zhujian", "zhifa", "operator"):
        client = await console.client(username)
        for path in ("/dashboards", "/reports", "/reports/files/monthly-2026-10/bulletin.html"):
            answer = await client.get(path)
            assert answer.status_code == 403, f"{username} reached {path}: {answer.status_code}"
        started = await client.post("/api/reports/bulletins", json={"period": "monthly", "of": "2026-10"})
        assert started.status_code == 403, f"{username} could start a bulletin: {started.status_code}"
        menu = (await client.get("/")).text
        assert 'href="/dashboards"' not in menu and 'href="/reports"' not in menu, (
            f"{username}'s menu offers the dashboards or bulletins"
        )
        await client.aclose()


async def test_overdue_and_due_soon_lists_follow_the_console_clock(
    console: ConsoleStack, tmp_path: Path
) -> None:
    due_soon = case(console, "2026-11-10 09:00", "路灯不亮", HOUSING, "求助", "2026-11-17")
    overdue_1 = case(console, "2026-11-03 09:00", "占道经营", ENFORCEMENT, "投诉", "2026-11-13")
    overdue_4 = case(console, "2026-11-02 09:00", "夜间施工噪音", ENVIRONMENT, "投诉", "2026-11-10")
    later = case(console, "2026-11-11 09:00", "小区停水", HOUSING, "求助", "2026-11-30")
    done = case(console, "2026-11-02 10:00", "公租房咨询", HOUSING, "咨询", "2026-11-10")
    complete(console, done, "2026-11-09 10:00", "A", "满意")
    case(console, "2026-11-02 11:00", "推销广告", ENVIRONMENT, "其他", "2026-11-10", accepted=False)

    move_to(console.engine, local("2026-11-16 10:00"))  # a Monday
    supervisor = await console.client("supervisor")
    page = (await supervisor.get("/dashboards")).text
    assert listed(page, "overdue-cases") == [(overdue_4, 4), (overdue_1, 1)], (
        "overdue on Monday 16th: the case due on the 10th by 4 working days (11-13, 16), the one due "
        "on Friday 13th by 1; completed and screened-out cases are not overdue"
    )
    assert listed(page, "due-soon-cases") == [(due_soon, 2)], (
        "due soon within 3 working days: the case due on Tuesday 17th, 2 working days left (16, 17)"
    )
    assert tile(page, "overdue-now") == "2", "the overdue tile counts the overdue cases"
    assert "超期4个工作日" in page and "剩余2个工作日" in page

    move_to(console.engine, local("2026-11-18 10:00"))  # Wednesday
    page = (await supervisor.get("/dashboards")).text
    assert listed(page, "overdue-cases") == [(overdue_4, 6), (overdue_1, 3), (due_soon, 1)], (
        "two days later every overdue case is two working days more overdue, and the case due on the "
        "17th has become overdue"
    )
    assert listed(page, "due-soon-cases") == [], "nothing else is due by Friday 20th"
    # A role given the dashboards without every case sees its unit's only.
    reader = open_reader(f"sqlite:///{tmp_path / 'ledger.db'}")
    with reader.connect() as connection:
        policies = dashboard.policies(CONFIG)
        calendar = WorkingCalendar(load_calendar_policy(CONFIG))
        own = dashboard.overdue_cases(connection, policies, calendar, local("2026-11-18 10:00"), ENVIRONMENT)
    reader.dispose()
    assert [found.case_number for found in own.cases] == [overdue_4] and own.total == 1
    wider = (await supervisor.get("/dashboards", params={"soon": 10})).text
    assert listed(wider, "due-soon-cases") == [(later, 9)], (
        "within 10 working days the case due on the 30th is due soon: 9 working days left (18-20, 23-27, 30)"
    )
    await supervisor.aclose()


async def test_the_indicators_are_the_bulletins_with_charts_of_every_unit(
    console: ConsoleStack, tmp_path: Path
) -> None:
    first = case(console, "2026-10-12 09:00", "夜间施工噪音扰民", ENVIRONMENT, "投诉", "2026-10-20")
    move_to(console.engine, local("2026-10-14 09:00"))
    record(console.ledger, events.Reminder(kind="reminder", case_number=first))
    complete(console, first, "2026-10-16 10:00", "A", "满意")
    late = case(console, "2026-10-13 09:00", "广场舞噪音", ENVIRONMENT, "投诉", "2026-10-15")
    complete(console, late, "2026-10-19 10:00", "B", "不满意")
    case(console, "2026-10-20 09:00", "小区停水", HOUSING, "求助", "2026-10-27")
    answered = case(console, "2026-10-21 09:00", "公租房咨询", HOUSING, "咨询", "2026-10-28")
    complete(console, answered, "2026-10-22 10:00", "A", "基本满意")
    case(console, "2026-10-22 09:00", "占道经营", ENFORCEMENT, "投诉", "2026-10-26")
    case(console, "2026-11-02 09:00", "楼道路灯不亮", ENVIRONMENT, "求助", "2026-11-20")

    now = local("2026-11-05 15:00")
    move_to(console.engine, now)
    leader = await console.client("leader")
    page = (await leader.get("/dashboards", params={"period": "monthly", "of": "2026-10"})).text

    policy = load_report_policy(CONFIG)
    # The console fixture's ledger, which the workers write and the console reads.
    reader = open_reader(f"sqlite:///{tmp_path / 'ledger.db'}")
    bulletin = compile_bulletin(reader, policy, parse_period("monthly", "2026-10"), now)
    reader.dispose()
    assert bulletin.total.counts["received"] == 5, "the bulletin counts October's five cases"
    for printed in tables(bulletin):
        if printed.name not in ("单位", "类别"):
            continue
        testid = "kpi-units" if printed.name == "单位" else "kpi-categories"
        expected = {
            str(row[0]): {
                column.header: shown(cell, column.kind)
                for column, cell in zip(printed.columns, row, strict=True)
            }
            for row in printed.rows
        }
        assert table(page, testid) == expected, (
            f"the dashboard's table {printed.title} differs from the bulletin's"
        )
    total = bulletin.total.values
    assert tile(page, "received") == "5" and tile(page, "completed") == "3"
    assert tile(page, "on-time-rate") == shown(total["on-time-rate"], Kind.RATE) == "66.7%"
    assert tile(page, "satisfaction-rate") == shown(total["satisfaction-rate"], Kind.RATE) == "66.7%"

    for chart in policy.charts:
        svg = section(page, f"chart-{chart.name}")
        assert "<svg" in svg, f"the chart {chart.title} is not drawn"
        names = [row.name for row in (bulletin.units if chart.table == "units" else bulletin.categories)]
        for name in names:
            assert f">{name}</text>" in svg, f"the chart {chart.title} has no bar group for {name}"
        assert svg.count('class="bar"') == len(names) * len(chart.indicators), (
            f"the chart {chart.title} should have one bar per row and indicator"
        )

    this_month = (await leader.get("/dashboards")).text
    assert "2026年11月" in this_month and tile(this_month, "received") == "1", (
        "by default the dashboard shows the month under way: November's one case"
    )
    quarter = await leader.get("/dashboards", params={"period": "quarterly"})
    assert "2026年第四季度" in quarter.text and tile(quarter.text, "received") == "6"
    wrong = await leader.get("/dashboards", params={"period": "monthly", "of": "2026-13"})
    assert wrong.status_code == 400 and "请写作 2026-10" in wrong.text
    await leader.aclose()


async def test_a_bulletin_generated_from_the_page_is_listed_and_downloads(
    console: ConsoleStack, tmp_path: Path
) -> None:
    noisy = case(console, "2026-10-12 09:00", "夜间施工噪音扰民", ENVIRONMENT, "投诉", "2026-10-20")
    complete(console, noisy, "2026-10-16 10:00", "A", "满意")
    move_to(console.engine, local("2026-11-05 15:00"))

    supervisor = await console.client("supervisor")
    assert "尚无通报" in (await supervisor.get("/reports")).text
    started = await supervisor.post("/api/reports/bulletins", json={"period": "monthly", "of": "2026-10"})
    assert started.status_code == 202, f"the bulletin did not start: {started.status_code} {started.text}"
    operation_id = started.json()["id"]
    assert len(operation_id) >= 32, "operation ids must be unguessable"

    leader = await console.client("leader")
    foreign = await leader.get(f"/api/operations/{operation_id}")
    assert foreign.status_code == 404, "another user read the supervisor's operation"

    progress = await finished(supervisor, operation_id)
    assert progress["state"] == "succeeded", f"the bulletin failed: {progress['error']}"
    assert progress["done"] == progress["total"] == 2
    links = {link["label"]: link["href"] for link in progress["links"]}  # type: ignore[attr-defined]
    report = await supervisor.get(links["查看HTML通报"])
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "市民诉求办理情况通报" in report.text and "2026年10月" in report.text and "环保局" in report.text
    workbook = await supervisor.get(links["下载XLSX报表"])
    assert workbook.status_code == 200 and "attachment" in workbook.headers["content-disposition"]
    sheets = load_workbook(BytesIO(workbook.content))
    units = [row[0] for row in sheets["单位"].iter_rows(min_row=2, values_only=True)]
    assert "环保局" in units, f"the workbook's unit sheet lists {units}"

    listing = (await supervisor.get("/reports")).text
    assert 'data-folder="monthly-2026-10"' in listing and "2026年10月" in listing
    assert 'href="/reports/files/monthly-2026-10/bulletin.xlsx"' in listing
    assert (await leader.get(links["查看HTML通报"])).status_code == 200, (
        "bulletins are for every reader of reports"
    )

    # Nothing outside the report folder is served, whatever the path says.
    outside = tmp_path / "secret.txt"
    outside.write_text("不应被下载", encoding="utf-8")
    (tmp_path / "reports" / "link.txt").symlink_to(outside)
    for path in (
        "..%2Fsecret.txt",
        "%2E%2E/secret.txt",
        "%2Fetc%2Fpasswd",
        "link.txt",
        "monthly-2026-10",
        "nope",
    ):
        answer = await supervisor.get(f"/reports/files/{path}")
        assert answer.status_code == 404, f"/reports/files/{path} answered {answer.status_code}"
        assert "不应被下载" not in answer.text
    await supervisor.aclose()
    await leader.aclose()
