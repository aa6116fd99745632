"""Cases (案件查询): the list and search within a user's scope, one case's page with its timeline,
replies, deadline counted down in working days and attachments; appellants masked per role and
every unmasked view audited; another unit's case unreachable by URL, number or text.

Dates are 2026's: the Mid-Autumn Festival (Friday 2026-09-25) and National Day 2026-10-01..10-07
are holidays, Saturday 2026-10-10 a make-up working day (as chinesecalendar has it).
"""

from __future__ import annotations

import re
from datetime import datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from console_support import ConsoleStack
from pyzeebe import ZeebeClient

from workers.ids import HotlineTicket, ProcessId, UnitHandling
from workers.ledger.events import AppellantDetails, CaseRegistration, Deadline, Details

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUSING, ENFORCEMENT = "住房城乡建设委", "综合执法局"
NOISE: dict[str, Any] = {
    "title": "酒吧噪音扰民",
    "content": "楼下酒吧每晚噪音扰民到凌晨，投诉多次仍未解决，请尽快处理",
    "appellant": {"name": "张三", "phone": "13800001111", "address": "铁东区某小区3栋"},
}
REPLY = "已现场检查，责令酒吧整改并安装隔音设施。"
NOT_FOUND = "案件不存在，或不在您的查看范围内"
# Job keys for rows written straight into the ledger, far from any the embedded engine hands out.
JOB_KEYS = count(9_000_000_000_000_000)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def move_to(console: ConsoleStack, moment: datetime) -> None:
    console.engine.set_time(int(moment.timestamp() * 1000))


async def handled_ticket(console: ConsoleStack, client: ZeebeClient) -> tuple[str, int]:
    """A noise complaint received on Friday 2026-09-25, dispatched to the housing commission, signed
    for and answered by it, as the processes do it; answers its case number."""
    engine = console.engine
    move_to(console, local("2026-09-25 10:00"))
    started = await client.run_process(ProcessId.HOTLINE_TICKET, NOISE)
    key = started.process_instance_key
    await engine.is_waiting_at(key, HotlineTicket.INTAKE)
    variables = engine.instance(key).variables
    await engine.complete_user_task(
        key,
        HotlineTicket.INTAKE,
        {"intakeAction": "dispatch", "category": variables["category"], "leadUnit": HOUSING, "coUnits": []},
    )
    await engine.complete_user_task(
        key,
        UnitHandling.SIGN_FOR,
        {"signAction": "accept", "readingLeader": "王局长", "readingOpinion": "请执法大队现场处理"},
    )
    await engine.complete_user_task(
        key,
        UnitHandling.HANDLING_REPLY,
        {
            "handlingAction": "reply",
            "replyText": REPLY,
            "replySigner": "王局长",
            "signatureManner": "handwritten",
        },
    )
    await engine.user_task_at(key, HotlineTicket.CALLBACK)
    return str(engine.instance(key).variables["caseNumber"]), key


def written_case(
    console: ConsoleStack,
    title: str,
    *,
    lead: str = HOUSING,
    co_units: tuple[str, ...] = (),
    due_at: datetime | None = None,
    confidential: bool = False,
) -> str:
    """A case written with the ledger's own API, as the workers write it."""
    ledger = console.ledger
    appellant = AppellantDetails(
        name="张三", phone="13800001111", address="铁东区某小区3栋", confidential=confidential
    )
    registration = CaseRegistration(
        channel="hotline-ticket", received_at=local("2026-09-25 09:00"), appellant=appellant, title=title
    )
    number = ledger.register(next(JOB_KEYS), registration)
    details = Details(kind="details", case_number=number, category="投诉", lead_unit=lead, co_units=co_units)
    ledger.record(next(JOB_KEYS), details)
    if due_at is not None:
        ledger.record(next(JOB_KEYS), Deadline(kind="deadline", case_number=number, due_at=due_at))
    return number


async def listed(user: httpx.AsyncClient, **filters: str) -> list[str]:
    answer = await user.get("/api/cases", params=filters)
    assert answer.status_code == 200, f"the case search answered {answer.status_code}: {answer.text[:300]}"
    return [item["caseNumber"] for item in answer.json()["items"]]


def shown(page: str, name: str) -> str:
    """The text of the first element with data-testid `name` (tags inside stripped)."""
    found = re.search(rf'data-testid="{name}"[^>]*>(.*?)</', page, re.S)
    assert found, f'the page has no data-testid="{name}"'
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def appellant_views(console: ConsoleStack, number: str, username: str) -> int:
    entries = console.store.audit_log(subject=number, username=username)
    return len([entry for entry in entries if entry.action == "view-appellant"])


async def test_the_lead_unit_sees_its_case_and_timeline_masked_and_no_other_unit_finds_it(
    console: ConsoleStack, client: ZeebeClient
) -> None:
    number, key = await handled_ticket(console, client)
    zhujian = await console.client("zhujian")

    page = await zhujian.get(f"/cases/{number}")
    assert page.status_code == 200, f"zhujian cannot open its own case: {page.status_code} {page.text[:300]}"
    html = page.text
    kinds = re.findall(r'data-testid="case-event" data-kind="([a-z]+)"', html)
    assert kinds.count("transition") >= 3, (
        f"the timeline lacks the transitions (received, dispatched, ...): {kinds}"
    )
    assert "reply" in kinds, f"the timeline lacks the reply: {kinds}"
    for status in ("已登记", "已交办", "已签收", "已答复"):
        assert status in html, f"the timeline does not show the status {status}"
    actors = re.findall(r'data-testid="case-event-actor">([^<]+)<', html)
    assert "热线中心" in actors and HOUSING in actors, f"the timeline names no actors: {actors}"
    assert REPLY in html and "王局长" in html, "the reply and its signer are missing"
    assert shown(html, "case-lead-unit") == HOUSING
    assert shown(html, "case-appellant-name") == "张**"
    assert shown(html, "case-appellant-phone") == "138****1111"
    assert "张三" not in html and "13800001111" not in html, "the unit's page leaks the appellant"
    assert 'data-testid="case-instance-link"' not in html, "a unit user gets a link to the live process"
    assert number in await listed(zhujian), "zhujian's list lacks its case"
    assert await listed(zhujian, number=number) == [number]
    assert await listed(zhujian, q="酒吧噪音") == [number]
    listing = await zhujian.get("/cases", params={"q": "酒吧"})
    assert f'data-case-number="{number}"' in listing.text and "张三" not in listing.text
    assert appellant_views(console, number, "zhujian") == 0, "a masked view was audited as unmasked"
    detail = (await zhujian.get(f"/api/cases/{number}")).json()
    assert detail["appellant"]["name"] == "张**" and detail["countdown"]["state"] in ("ok", "soon", "today")
    assert [entry["kind"] for entry in detail["history"]] == kinds

    zhifa = await console.client("zhifa")
    unknown = await zhifa.get("/cases/RX2026-999999")
    for path in (
        f"/cases/{number}",
        f"/api/cases/{number}",
        f"/api/cases/{number}/attachments",
        f"/cases/{number}/attachments/1",
    ):
        answer = await zhifa.get(path)
        assert answer.status_code == 404, f"zhifa reached {path}: {answer.status_code}"
        assert NOT_FOUND in answer.text, f"{path} answers otherwise than for an unknown case"
    assert unknown.status_code == 404 and NOT_FOUND in unknown.text
    upload = await zhifa.post(f"/cases/{number}/attachments", files={"file": ("a.txt", b"x", "text/plain")})
    assert upload.status_code == 404, f"zhifa could attach to zhujian's case: {upload.status_code}"
    assert await listed(zhifa, number=number) == [], "zhifa finds the case by its number"
    assert await listed(zhifa, q="酒吧噪音") == [], "zhifa finds the case by its text"
    assert number not in await listed(zhifa)
    found = await zhifa.get("/cases", params={"number": number})
    assert f'data-case-number="{number}"' not in found.text and 'data-total="0"' in found.text, (
        "zhifa's page shows or counts the case"
    )

    centre = await console.client("centre")
    html = (await centre.get(f"/cases/{number}")).text
    assert (
        shown(html, "case-appellant-name") == "张三" and shown(html, "case-appellant-phone") == "13800001111"
    )
    assert appellant_views(console, number, "centre") == 1, "the centre's unmasked view is not audited"
    assert "张三" in (await centre.get("/cases", params={"number": number})).text
    entries = console.store.audit_log(subject=number, username="centre")
    assert [entry.detail for entry in entries] == ["案件列表", "案件详情"], (
        "the list's unmasked view is not audited"
    )

    supervisor = await console.client("supervisor")
    html = (await supervisor.get(f"/cases/{number}")).text
    assert shown(html, "case-appellant-name") == "张三", "ledger.toml lets supervision see the appellant"
    assert appellant_views(console, number, "supervisor") == 1
    assert f'href="/instances/{key}" data-testid="case-instance-link"' in html, "no link to the live process"
    for user in (zhujian, zhifa, centre, supervisor):
        await user.aclose()


async def test_co_units_see_the_case_and_confidential_appellants_follow_ledger_toml(
    console: ConsoleStack,
) -> None:
    shared = written_case(console, "占道经营", lead=ENFORCEMENT, co_units=(HOUSING,))
    secret = written_case(console, "举报违建", confidential=True)
    zhujian, huanbao = await console.client("zhujian"), await console.client("huanbao")
    assert (await zhujian.get(f"/cases/{shared}")).status_code == 200, "a co-unit cannot open the case"
    assert shared in await listed(zhujian, q="占道")
    assert (await huanbao.get(f"/cases/{shared}")).status_code == 404
    assert await listed(huanbao) == []

    supervisor, centre = await console.client("supervisor"), await console.client("centre")
    html = (await supervisor.get(f"/cases/{secret}")).text
    assert shown(html, "case-appellant-name") == "张**", "supervision sees a confidential appellant"
    assert appellant_views(console, secret, "supervisor") == 0
    html = (await centre.get(f"/cases/{secret}")).text
    assert shown(html, "case-appellant-name") == "张三", "the centre sees confidential appellants"
    assert appellant_views(console, secret, "centre") == 1
    for user in (zhujian, huanbao, supervisor, centre):
        await user.aclose()


async def test_the_countdown_counts_working_days_across_national_day(console: ConsoleStack) -> None:
    # Due at the end of Friday 2026-10-09.
    move_to(console, local("2026-09-25 10:00"))
    number = written_case(console, "楼道漏水", due_at=local("2026-10-10 00:00"))
    zhujian = await console.client("zhujian")

    async def countdown(at: str) -> tuple[str, str, str]:
        move_to(console, local(at))
        html = (await zhujian.get(f"/cases/{number}")).text
        found = re.search(
            r'data-testid="case-countdown" data-state="(\w+)" data-working-days="(\d*)">([^<]+)<', html
        )
        assert found, "the page has no countdown"
        return found.group(1), found.group(2), found.group(3)

    # Friday 09-25 is the Mid-Autumn Festival: left are 09-28, 29, 30, 10-08 and 09.
    assert await countdown("2026-09-25 10:00") == ("ok", "5", "剩余 5 个工作日"), "on a holiday"
    assert await countdown("2026-09-27 10:00") == ("ok", "5", "剩余 5 个工作日"), "on Sunday"
    assert await countdown("2026-09-28 10:00") == ("ok", "5", "剩余 5 个工作日"), "today counts"
    assert await countdown("2026-09-30 18:00") == ("soon", "3", "剩余 3 个工作日")
    assert await countdown("2026-10-01 10:00") == ("soon", "2", "剩余 2 个工作日"), "on National Day"
    assert await countdown("2026-10-09 16:00") == ("today", "1", "今日到期")
    # Saturday 10-10 is a make-up working day: the first one late.
    assert await countdown("2026-10-10 00:00") == ("overdue", "1", "已超期 1 个工作日"), "at the deadline"
    assert await countdown("2026-10-11 10:00") == ("overdue", "1", "已超期 1 个工作日"), "on Sunday"
    assert await countdown("2026-10-12 10:00") == ("overdue", "2", "已超期 2 个工作日")
    html = (await zhujian.get(f"/cases/{number}")).text
    assert shown(html, "case-due") == "2026-10-09 24:00", "the deadline is shown as the day it ends on"
    overdue = await listed(zhujian, overdue="1")
    assert overdue == [number], f"the overdue filter: {overdue}"
    await zhujian.aclose()


async def test_attachments_round_trip_and_refuse_large_or_foreign_files(console: ConsoleStack) -> None:
    number = written_case(console, "楼道漏水")
    other = written_case(console, "占道经营", lead=ENFORCEMENT)
    zhujian = await console.client("zhujian")
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 40
    uploaded = await zhujian.post(
        f"/cases/{number}/attachments", files={"file": ("现场照片说明.pdf", pdf, "application/pdf")}
    )
    assert uploaded.status_code == 303, (
        f"the upload was refused: {uploaded.status_code} {uploaded.text[:300]}"
    )
    page = (await zhujian.get(uploaded.headers["location"])).text
    assert "现场照片说明.pdf" in page and "附件已上传" in page
    items = (await zhujian.get(f"/api/cases/{number}/attachments")).json()["items"]
    assert [(item["filename"], item["size"], item["uploadedBy"]) for item in items] == [
        ("现场照片说明.pdf", len(pdf), "zhujian")
    ]
    download = await zhujian.get(items[0]["url"])
    assert download.status_code == 200 and download.content == pdf, "the download differs from the upload"
    assert download.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''%E7%8E%B0" in download.headers["content-disposition"]

    zhifa = await console.client("zhifa")
    assert (await zhifa.get(items[0]["url"])).status_code == 404, "another unit downloads the attachment"
    centre = await console.client("centre")
    assert (await centre.get(items[0]["url"])).content == pdf, "the centre sees every case's attachments"
    wrong_case = await centre.get(f"/cases/{other}/attachments/{items[0]['id']}")
    assert wrong_case.status_code == 404, "an attachment is reachable under another case's number"

    refusals = {
        # Refused by its Content-Length, before the body is read.
        "far too large": (
            ("巨大.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), "application/pdf"),
            413,
            "不能超过 10 MB",
        ),
        "too large": (
            ("大文件.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf"),
            413,
            "不能超过 10 MB",
        ),
        "an executable": (("工具.exe", b"MZ\x90\x00", "application/octet-stream"), 415, "不支持此文件类型"),
        "a renamed file": (("照片.png", b"<html>not a picture</html>", "image/png"), 415, "不支持此文件类型"),
        "an html page": (("页面.txt", b"<script>", "text/html"), 415, "不支持此文件类型"),
        "an empty file": (("空.txt", b"", "text/plain"), 400, "文件是空的"),
    }
    for what, (file, status, message) in refusals.items():
        answer = await zhujian.post(f"/cases/{number}/attachments", files={"file": file})
        assert answer.status_code == status, f"{what}: answered {answer.status_code}, expected {status}"
        assert message in answer.text, f"{what}: the page does not say why ({message})"
    no_csrf = httpx.AsyncClient(base_url=console.url, cookies=zhujian.cookies)
    answer = await no_csrf.post(f"/cases/{number}/attachments", files={"file": ("a.txt", b"x", "text/plain")})
    assert answer.status_code == 403, f"an upload without the CSRF token answered {answer.status_code}"
    items = (await zhujian.get(f"/api/cases/{number}/attachments")).json()["items"]
    assert len(items) == 1, f"a refused upload was stored: {items}"
    for user in (zhujian, zhifa, centre, no_csrf):
        await user.aclose()
