"""Reading a spreadsheet of appeals for import (console/case_import.py): CSV in the encodings Chinese
offices save, XLSX, headers in any order, blank rows skipped, and every problem named by row and column."""

from datetime import datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook

from console.case_import import (
    HEADERS,
    IMPORTABLE,
    MAX_ROWS,
    CheckedFile,
    ImportInvalid,
    ImportRefused,
    checked_file,
    read_table,
    template_workbook,
)
from console.intake import CHANNELS
from workers.ids import ProcessId

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
UNITS = (("住房城乡建设委", "市住房和城乡建设委员会"),)
HOTLINE = CHANNELS[ProcessId.HOTLINE_TICKET]
ONLINE = CHANNELS[ProcessId.ONLINE_MESSAGE]

CALLS = (
    "标题,内容,诉求人,联系电话,地址,地点,是否保密,外部编号\n"
    "酒吧噪音扰民,楼下酒吧每晚噪音扰民到凌晨,张三,138-0000-1111,铁东区某小区,铁东区幸福路8号,是,CALL-1\n"
    "路灯不亮,幸福路路灯坏了一周,,13800002222,,,否,CALL-2\n"
)


def imported(text: str, encoding: str = "utf-8", channel: Any = HOTLINE) -> CheckedFile:
    return checked_file(channel, read_table("来电.csv", text.encode(encoding)), UNITS, NOW)


def problems(text: str, channel: Any = HOTLINE) -> list[str]:
    with pytest.raises(ImportInvalid) as raised:
        imported(text, channel=channel)
    return raised.value.problems


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    written = BytesIO()
    workbook.save(written)
    return written.getvalue()


def test_each_row_becomes_the_variables_the_intake_form_would_start() -> None:
    rows = imported(CALLS).rows
    assert [(row.line, row.external_id, row.title) for row in rows] == [
        (2, "CALL-1", "酒吧噪音扰民"),
        (3, "CALL-2", "路灯不亮"),
    ]
    assert rows[0].variables == {
        "appellant": {
            "phone": "13800001111",
            "name": "张三",
            "address": "铁东区某小区",
            "confidential": True,
        },
        "title": "酒吧噪音扰民",
        "content": "楼下酒吧每晚噪音扰民到凌晨",
        "location": "铁东区幸福路8号",
        "receivedAt": "2026-11-26T10:00:00+08:00",
    }
    assert rows[1].variables["appellant"] == {"phone": "13800002222", "confidential": False}


def test_utf8_with_or_without_bom_and_gb18030_read_alike() -> None:
    expected = imported(CALLS).rows
    assert imported("\ufeff" + CALLS).rows == expected, "a UTF-8 BOM must not spoil the first header"
    assert imported(CALLS, "gb18030").rows == expected, "GB18030 (Excel's Chinese CSV) must be read"


def test_headers_in_any_order_with_required_marks_and_form_labels() -> None:
    text = (
        " 联系电话 ,外部编号,内容（必填）,标题*,来电人姓名,序号\n"
        "13800001111,A-1,垃圾清运不及时,垃圾堆积,王五,1\n"
    )
    checked = imported(text)
    (row,) = checked.rows
    assert row.variables["appellant"] == {"phone": "13800001111", "name": "王五", "confidential": False}
    assert row.variables["content"] == "垃圾清运不及时" and row.external_id == "A-1"
    assert checked.ignored == ("序号",), "a column the import does not read is reported, not refused"


def test_blank_rows_are_skipped_and_rows_keep_their_sheet_numbers() -> None:
    text = "标题,内容,联系电话\n\n,,\n噪音,夜间噪音,13800001111\n\n噪音,施工噪音,13800002222\n"
    assert [row.line for row in imported(text).rows] == [4, 6]


def test_a_cell_with_line_breaks_is_one_row() -> None:
    text = '标题,内容,联系电话\n噪音,"第一行\n第二行",13800001111\n坏行,,13800002222\n'
    assert problems(text) == ["第3行 内容：不能为空（必填）"]


def test_confidential_reads_yes_and_no_and_refuses_anything_else() -> None:
    text = "标题,内容,联系电话,是否保密\n一,甲,13800001111,是\n二,乙,13800001111,否\n三,丙,13800001111,\n"
    assert [row.variables["appellant"]["confidential"] for row in imported(text).rows] == [True, False, False]
    assert problems("标题,内容,联系电话,是否保密\n一,甲,13800001111,也许\n") == [
        "第2行 是否保密：应填“是”或“否”"
    ]


def test_every_problem_of_every_row_is_named_by_row_and_column() -> None:
    text = (
        "外部编号,标题,内容,联系电话\n"
        "X-1,噪音,夜间噪音,12345\n"
        "X-2,,,13800001111\n"
        "X-1,施工,施工噪音,13800001111\n"
    )
    assert problems(text) == [
        "第2行 联系电话：格式不正确：应为11位手机号或带区号的固定电话",
        "第3行 标题：不能为空（必填）",
        "第3行 内容：不能为空（必填）",
        "第4行 外部编号：与第2行重复",
    ]


def test_a_missing_required_column_or_a_repeated_one_is_a_header_problem() -> None:
    assert problems("标题,诉求人\n噪音,张三\n") == [
        "第1行 表头：缺少必填列“联系电话”“内容”（表头应在第一行）"
    ]
    assert problems("标题,内容,联系电话,电话\n噪音,夜间,13800001111,13800001111\n") == [
        "第1行 表头：“联系电话”列出现了不止一次"
    ]
    assert problems("标题,内容,联系电话\n") == ["文件中只有表头，没有诉求数据。"]


def test_an_online_message_reads_its_source_from_the_list() -> None:
    text = "来源,标题,内容,诉求人,上级交办\n市长信箱,道路破损,路面坑洼,李四,是\n"
    (row,) = imported(text, channel=ONLINE).rows
    assert row.variables["source"] == "市长信箱" and row.variables["fromAbove"] is True
    assert problems("来源,标题,内容,诉求人\n信访,道路破损,路面坑洼,李四\n", channel=ONLINE) == [
        "第2行 来源：取值无效，可填：网上留言、省长热线、市长信箱、区长信箱"
    ]


def test_more_rows_than_an_import_takes_are_refused() -> None:
    header, row = "标题,内容,联系电话\n", "噪音,夜间噪音,13800001111\n"
    assert len(imported(header + row * MAX_ROWS).rows) == MAX_ROWS
    assert problems(header + row * (MAX_ROWS + 1)) == [
        f"文件超过 {MAX_ROWS} 行诉求，一次最多导入 {MAX_ROWS} 行，请拆分后分批导入。"
    ]


def test_xlsx_rows_with_numbers_typed_into_the_phone_column() -> None:
    content = xlsx(
        [
            ["外部编号", "联系电话", "标题", "内容", "是否保密"],
            [1001, 13800001111, "噪音", "夜间噪音", "是"],
            [None, None, None, None, None],
            [1002.0, 13800002222.0, "施工", "施工噪音", None],
        ]
    )
    rows = checked_file(HOTLINE, read_table("calls.XLSX", content), UNITS, NOW).rows
    assert [(row.line, row.external_id, row.variables["appellant"]["phone"]) for row in rows] == [
        (2, "1001", "13800001111"),
        (4, "1002", "13800002222"),
    ]


def test_other_files_and_oversized_ones_are_refused() -> None:
    for name, content, status in (
        ("calls.xls", b"\xd0\xcf\x11\xe0", 415),
        ("calls.pdf", b"%PDF-1.4", 415),
        ("calls.xlsx", b"not a zip", 415),
        ("calls.csv", b"x" * (5 * 1024 * 1024 + 1), 413),
        ("calls.csv", b"\xff\xfe\xfa\x00", 400),
    ):
        with pytest.raises(ImportRefused) as raised:
            read_table(name, content)
        assert raised.value.status == status, f"{name}: {raised.value} ({raised.value.status})"


@pytest.mark.parametrize("channel_id", IMPORTABLE)
def test_the_template_has_every_column_and_reads_back(channel_id: str) -> None:
    channel = CHANNELS[channel_id]
    assert all(field.path in HEADERS for field in channel.fields), "every intake field needs an import column"
    content = template_workbook(channel)
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[0] == "外部编号" and {HEADERS[field.path] for field in channel.fields} <= set(headers)
    with pytest.raises(ImportInvalid) as raised:
        checked_file(channel, read_table("template.xlsx", content), UNITS, NOW)
    only_headers = ["文件中只有表头，没有诉求数据。"]
    assert raised.value.problems == only_headers, "the empty template's headers are all read as its own"
