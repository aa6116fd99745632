"""Importing appeals (批量导入): an operator uploads a spreadsheet of hotline calls, the console checks
every row, starts one process per row as an operation the page follows, remembers external ids so a
file imported twice starts nothing the second time, and refuses a file with any bad row outright."""

from __future__ import annotations

import asyncio
from io import BytesIO
from typing import Any

import httpx
from console_support import ConsoleStack
from openpyxl import Workbook, load_workbook

from workers.ids import ProcessId
from workers.ledger.masking import Viewer

CENTRE = Viewer(role="hotline-centre")
HOTLINE = ProcessId.HOTLINE_TICKET

CSV_CALLS = (
    "外部编号,标题,内容,诉求人,联系电话,地址,地点,是否保密\n"
    "RX-1,酒吧噪音扰民,楼下酒吧每晚噪音扰民到凌晨,张三,138-0000-1111,铁东区某小区,铁东区幸福路8号,否\n"
    "\n"
    "RX-2,路灯不亮,幸福路路灯坏了一周,李四,13800002222,,幸福路,是\n"
    "RX-3,垃圾清运不及时,小区垃圾三天没人清运,王五,024-88886666,,,否\n"
)


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    written = BytesIO()
    book.save(written)
    return written.getvalue()


XLSX_CALLS = workbook(
    [
        ["标题", "内容", "联系电话", "外部编号", "是否保密"],
        ["占道经营", "早市摊贩占用人行道", 13800003333, "W-1", "否"],
        ["施工噪音", "工地夜间施工噪音扰民", "13800004444", "W-2", "是"],
        ["井盖缺失", "幸福路口井盖缺失，很危险", "13800005555", "W-3", None],
    ]
)


async def hotline_instances(console: ConsoleStack) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=f"{console.engine.rest_url}/v2") as engine:
        answer = await engine.post(
            "/process-instances/search", json={"filter": {"processDefinitionId": HOTLINE}}
        )
        answer.raise_for_status()
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


async def upload(
    client: httpx.AsyncClient, name: str, content: bytes, channel: str = HOTLINE, media_type: str = "text/csv"
) -> httpx.Response:
    return await client.post(
        "/api/intake/import", data={"channel": channel}, files={"file": (name, content, media_type)}
    )


async def finished(client: httpx.AsyncClient, operation_id: str) -> dict[str, Any]:
    """The operation once it is no longer running (a bounded wait: it starts a few instances)."""
    progress: dict[str, Any] = {}
    for _ in range(300):
        answer = await client.get(f"/api/operations/{operation_id}")
        assert answer.status_code == 200, f"the import's progress could not be read: {answer.text}"
        progress = answer.json()
        assert 0 <= progress["done"] <= progress["total"], f"progress beyond its total: {progress}"
        if progress["state"] != "running":
            return progress
        await asyncio.sleep(0.1)
    raise AssertionError(f"the import was still running after half a minute: {progress}")


async def numbered(client: httpx.AsyncClient, operation_id: str) -> dict[str, Any]:
    """The import's result once the workers have numbered the case of every row it started."""
    result: dict[str, Any] = {}
    for _ in range(300):
        answer = await client.get(f"/api/intake/import/{operation_id}")
        assert answer.status_code == 200, f"the import's result could not be read: {answer.text}"
        result = answer.json()
        if all(row["caseNumber"] for row in result["rows"]):
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"the workers did not register the imported appeals within half a minute: {result}")


async def imported(client: httpx.AsyncClient, name: str, content: bytes, media_type: str) -> dict[str, Any]:
    started = await upload(client, name, content, media_type=media_type)
    assert started.status_code == 202, f"{name} was not imported: {started.status_code} {started.text[:500]}"
    body: dict[str, Any] = started.json()
    assert body["href"] == f"/api/operations/{body['id']}" and body["rows"] == 3, body
    progress = await finished(client, body["id"])
    assert progress["state"] == "succeeded", f"the import of {name} failed: {progress['error']}"
    assert progress["done"] == progress["total"] == 3, f"progress did not reach 3/3: {progress}"
    result = await numbered(client, body["id"])
    result["id"] = body["id"]
    return result


async def test_a_gb18030_csv_and_an_xlsx_start_a_hotline_ticket_per_row_once(console: ConsoleStack) -> None:
    operator = await console.client("operator")
    page = await operator.get("/intake/import")
    assert page.status_code == 200 and 'data-testid="import-form"' in page.text, page.text[:300]
    assert 'href="/intake/import"' in (await operator.get("/intake")).text, "the intake page links the import"

    from_csv = await imported(operator, "12345来电.csv", CSV_CALLS.encode("gb18030"), "text/csv")
    assert (from_csv["total"], from_csv["started"], from_csv["skipped"]) == (3, 3, 0), from_csv
    assert [(row["line"], row["externalId"]) for row in from_csv["rows"]] == [
        (2, "RX-1"),
        (4, "RX-2"),
        (5, "RX-3"),
    ]
    for row in from_csv["rows"]:
        case = console.ledger.view_case(row["caseNumber"], CENTRE)
        assert case.channel == HOTLINE and case.title == row["title"], (
            f"row {row['line']} registered as {case}"
        )
        assert case.process_instance_key == int(row["processInstanceKey"])
        assert row["caseUrl"] == f"/cases/{row['caseNumber']}"
    first = int(from_csv["rows"][0]["processInstanceKey"])
    variables = console.engine.instance(first).variables
    assert variables["appellant"] == {
        "name": "张三",
        "phone": "13800001111",
        "address": "铁东区某小区",
        "confidential": False,
    }, "the GB18030 row was not read as the intake form would have registered it"
    assert variables["location"] == "铁东区幸福路8号"

    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    from_xlsx = await imported(operator, "calls.xlsx", XLSX_CALLS, xlsx_type)
    assert (from_xlsx["started"], from_xlsx["skipped"]) == (3, 0), from_xlsx
    assert len(await hotline_instances(console)) == 6, "each of the six rows starts one hotline ticket"

    again = await imported(operator, "12345来电.csv", CSV_CALLS.encode("gb18030"), "text/csv")
    assert (again["started"], again["skipped"]) == (0, 3), f"a file imported twice started again: {again}"
    assert [row["caseNumber"] for row in again["rows"]] == [row["caseNumber"] for row in from_csv["rows"]], (
        "a skipped row names the case its first import registered"
    )
    assert len(await hotline_instances(console)) == 6, "re-importing the same file started instances"

    audited = [entry for entry in console.store.audit_log(username="operator") if entry.action == "import"]
    assert [(entry.subject, entry.detail) for entry in reversed(audited)] == [
        ("12345来电.csv", "热线来电：共3行，启动3件，跳过0件（已导入过）"),
        ("calls.xlsx", "热线来电：共3行，启动3件，跳过0件（已导入过）"),
        ("12345来电.csv", "热线来电：共3行，启动0件，跳过3件（已导入过）"),
    ], "each import is audited with its counts"

    centre = await console.client("centre")
    assert (await centre.get(f"/api/operations/{from_csv['id']}")).status_code == 404, (
        "another operator read the import's progress"
    )
    assert (await centre.get(f"/api/intake/import/{from_csv['id']}")).status_code == 404, (
        "another operator read the import's result"
    )
    await centre.aclose()
    await operator.aclose()


async def test_a_file_with_a_bad_row_is_refused_whole_naming_row_and_column(console: ConsoleStack) -> None:
    operator = await console.client("operator")
    bad = (
        "外部编号,标题,内容,联系电话\n"
        "B-1,酒吧噪音扰民,楼下酒吧每晚噪音扰民,13800001111\n"
        "B-2,路灯不亮,,12345\n"
        "B-3,垃圾清运不及时,小区垃圾三天没人清运,13800003333\n"
    )
    answer = await upload(operator, "bad.csv", bad.encode("utf-8-sig"))
    assert answer.status_code == 422, (
        f"a file with a bad row was taken: {answer.status_code} {answer.text[:300]}"
    )
    problem = answer.json()
    assert problem["errors"] == [
        "第3行 内容：不能为空（必填）",
        "第3行 联系电话：格式不正确：应为11位手机号或带区号的固定电话",
    ], f"the problems are not named by row and column in the file's order: {problem}"
    assert "未导入任何诉求" in problem["detail"], problem["detail"]
    assert await hotline_instances(console) == [], "a refused file started some of its rows"
    fixed = await imported(
        operator, "fixed.csv", bad.replace(",,12345", ",路灯坏了,13800002222").encode(), "text/csv"
    )
    assert fixed["started"] == 3, "the corrected file, its ids never imported, starts every row"
    await operator.aclose()


async def test_oversized_and_other_files_are_refused_and_start_nothing(console: ConsoleStack) -> None:
    operator = await console.client("operator")
    # Just over the limit the file is read and refused; far over it, the request's length refuses it.
    for extra in (5 * 1024 * 1024, 6 * 1024 * 1024):
        oversized = await upload(operator, "big.csv", CSV_CALLS.encode() + b"x" * extra)
        assert oversized.status_code == 413 and "5 MB" in oversized.json()["detail"], oversized.text[:300]
    for name, content in (
        ("calls.pdf", b"%PDF-1.4 ..."),
        ("calls.xls", b"\xd0\xcf\x11\xe0"),
        ("x.xlsx", b"csv"),
    ):
        answer = await upload(operator, name, content, media_type="application/octet-stream")
        assert answer.status_code == 415, f"{name}: {answer.status_code} {answer.text[:300]}"
    no_channel = await upload(operator, "calls.csv", CSV_CALLS.encode(), channel=ProcessId.DEPUTY_SUGGESTION)
    assert no_channel.status_code == 400, "only hotline calls and online messages are imported"
    del operator.headers["X-CSRF-Token"]
    no_token = await upload(operator, "calls.csv", CSV_CALLS.encode())
    assert no_token.status_code == 403 and "CSRF" in no_token.json()["detail"], no_token.text[:300]
    await operator.aclose()
    assert await hotline_instances(console) == [], "a refused upload started a ticket"


async def test_the_template_is_a_workbook_of_the_channels_columns(console: ConsoleStack) -> None:
    operator = await console.client("operator")
    template = await operator.get(f"/intake/import/template.xlsx?channel={ProcessId.ONLINE_MESSAGE}")
    assert template.status_code == 200 and "attachment" in template.headers["content-disposition"]
    headers = [cell.value for cell in load_workbook(BytesIO(template.content)).worksheets[0][1]]
    assert {"外部编号", "来源", "标题", "内容", "诉求人", "联系电话", "是否保密"} <= set(headers), headers
    assert (await operator.get("/intake/import/template.xlsx?channel=forum-post")).status_code == 404
    await operator.aclose()


async def test_a_unit_user_can_neither_see_nor_use_the_import(console: ConsoleStack) -> None:
    zhujian = await console.client("zhujian")
    for path in ("/intake/import", f"/intake/import/template.xlsx?channel={HOTLINE}"):
        answer = await zhujian.get(path)
        assert answer.status_code == 403, f"a unit's user reached {path}: {answer.status_code}"
    answer = await upload(zhujian, "calls.csv", CSV_CALLS.encode())
    assert answer.status_code == 403, f"a unit's user imported appeals: {answer.status_code}"
    await zhujian.aclose()
    assert await hotline_instances(console) == []
