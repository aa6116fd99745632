"""Importing appeals from a spreadsheet (批量导入): hotline calls or online messages exported by another
system, one appeal per row under Chinese column headers, read from XLSX or CSV (UTF-8 with or
without BOM, or GB18030 as Chinese offices' Excel saves it).

Each row is checked exactly as the intake form is (console/intake.py `intake_variables`), so
an imported appeal starts its process with the same variables as one typed in. Problems are named
as the clerk sees the file: "第N行 列名：问题", N being the row's number in the sheet (the header
is usually row 1). A row is one record: a cell holding line breaks does not shift the numbers.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from console.intake import CHANNELS, FormField, IntakeChannel, IntakeInvalid, intake_variables, put_at
from workers.ids import ProcessId

MAX_BYTES = 5 * 1024 * 1024
TOO_LARGE = f"文件不能超过 {MAX_BYTES // (1024 * 1024)} MB，请拆分后分批导入。"
MAX_ROWS = 2000
# A workbook is a zip: refuse one that would unpack far beyond what 2000 appeals need.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
# Spreadsheets formatted far below their data hold thousands of empty rows: the data ended long before.
MAX_BLANK_RUN = 1000

IMPORTABLE = (ProcessId.HOTLINE_TICKET, ProcessId.ONLINE_MESSAGE)

EXTERNAL_ID = "外部编号"
EXTERNAL_ID_MAX = 64
# The column of each intake field; the form's own label ("来电号码") is accepted as well.
HEADERS: dict[str, str] = {
    "title": "标题",
    "content": "内容",
    "appellant.name": "诉求人",
    "appellant.phone": "联系电话",
    "appellant.address": "地址",
    "location": "地点",
    "appellant.confidential": "是否保密",
    "source": "来源",
    "fromAbove": "上级交办",
}
ALIASES: dict[str, tuple[str, ...]] = {
    "appellant.name": ("姓名", "来电人", "留言人"),
    "appellant.phone": ("电话", "手机号码"),
    "title": ("诉求标题",),
}
YES = frozenset({"是", "y", "yes", "true", "1", "保密"})
NO = frozenset({"", "否", "n", "no", "false", "0", "不保密"})


class ImportRefused(Exception):
    """The file as a whole cannot be imported (type, size, encoding); the message is for the clerk."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class ImportInvalid(Exception):
    """Rows or headers the clerk must correct; nothing of the file is imported."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Column:
    header: str
    # Where its value goes (an intake field's path); None for the external id, kept by the console.
    path: str | None
    required: bool
    note: str
    field: FormField | None = None

    @property
    def names(self) -> frozenset[str]:
        aliases = ALIASES.get(self.path or "", ())
        return frozenset((self.header, *aliases, *((self.field.label,) if self.field else ())))


@dataclass(frozen=True)
class ImportRow:
    line: int
    external_id: str | None
    title: str
    variables: dict[str, Any]


@dataclass(frozen=True)
class CheckedFile:
    rows: tuple[ImportRow, ...]
    # Headers of columns the import does not read (a 序号, a remark), for the clerk to know.
    ignored: tuple[str, ...]


def columns_of(channel: IntakeChannel) -> tuple[Column, ...]:
    """The import's columns for `channel`: its external id, then its intake fields in the form's order."""
    columns = [
        Column(EXTERNAL_ID, None, False, f"来源系统的编号，用于防止重复导入（不超过{EXTERNAL_ID_MAX}个字符）")
    ]
    for field in channel.fields:
        columns.append(Column(HEADERS[field.path], field.path, field.required, _note(field), field))
    return tuple(columns)


def _note(field: FormField) -> str:
    if field.kind == "flag":
        return f"{field.label}：填“是”或“否”，不填为否"
    if field.kind == "phone":
        return "11位手机号或带区号的固定电话"
    if field.kind == "choice":
        return "可填：" + "、".join(label for _, label in field.choices)
    return f"不超过{field.max_length}个字"


# ----------------------------------------------------------------------------------------- reading


def read_table(filename: str, content: bytes) -> list[tuple[int, list[str]]]:
    """The non-blank rows of the file's first sheet as (row number, cell texts), the header first;
    at most the header and MAX_ROWS + 1 rows (one more than may be imported, to tell it is too many)."""
    if len(content) > MAX_BYTES:
        raise ImportRefused(TOO_LARGE, 413)
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "csv":
        rows = _csv_rows(content)
    elif suffix == "xlsx":
        rows = _xlsx_rows(content)
    elif suffix in ("xls", "et", "wps"):
        raise ImportRefused("不支持旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 后导入。", 415)
    else:
        raise ImportRefused("只能导入 XLSX 或 CSV 文件。", 415)
    table: list[tuple[int, list[str]]] = []
    blank_run = 0
    for number, cells in rows:
        texts = [_text(cell) for cell in cells]
        if not any(texts):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        table.append((number, texts))
        if len(table) > MAX_ROWS + 1:
            break
    return table


def _csv_rows(content: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    text = _decoded(content)
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    except csv.Error as error:
        raise ImportRefused(f"CSV 文件格式有误：{error}") from None


def _decoded(content: bytes) -> str:
    # A UTF-8 BOM is read as one; without it, Chinese text in GB18030 is almost never valid UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused("无法识别 CSV 文件的编码：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV。")


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportRefused("无法读取 XLSX 文件：文件已损坏或不是 Excel 工作簿。", 415) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused("XLSX 文件内容过大，请拆分后分批导入。", 413)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    # openpyxl fails on a malformed workbook with whatever its parsers raise.
    except Exception:
        raise ImportRefused("无法读取 XLSX 文件：文件已损坏或不是 Excel 工作簿。", 415) from None
    try:
        if not workbook.worksheets:
            return
        # A read-only sheet yields its rows from the first, blank ones too: the count is the row number.
        yield from enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def _text(value: Any) -> str:
    """A cell as the clerk reads it: numbers typed into a phone column lose Excel's ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --------------------------------------------------------------------------------------- checking


def checked_file(
    channel: IntakeChannel,
    table: list[tuple[int, list[str]]],
    units: tuple[tuple[str, str], ...],
    now: datetime,
) -> CheckedFile:
    """Every row of `table` (read_table's) as its process's start variables, or ImportInvalid naming
    every problem of every row."""
    if not table:
        raise ImportInvalid(
            ["文件是空的：第一行应为表头（" + "、".join(c.header for c in columns_of(channel)) + "）"]
        )
    (header_line, headers), *rows = table
    placed, ignored = _placed(channel, header_line, headers)
    if len(rows) > MAX_ROWS:
        raise ImportInvalid([f"文件超过 {MAX_ROWS} 行诉求，一次最多导入 {MAX_ROWS} 行，请拆分后分批导入。"])
    if not rows:
        raise ImportInvalid(["文件中只有表头，没有诉求数据。"])
    problems: list[str] = []
    checked: list[ImportRow] = []
    first_line_of: dict[str, int] = {}
    for line, cells in rows:
        row_problems: list[tuple[int, str]] = []
        body: dict[str, Any] = {}
        external_id = None
        for index, column in placed.items():
            value = cells[index] if index < len(cells) else ""
            if column.path is None:
                external_id = value or None
                if external_id is None:
                    continue
                if len(external_id) > EXTERNAL_ID_MAX:
                    row_problems.append((index, f"不能超过{EXTERNAL_ID_MAX}个字符"))
                elif external_id in first_line_of:
                    row_problems.append((index, f"与第{first_line_of[external_id]}行重复"))
                else:
                    first_line_of[external_id] = line
            elif column.field is not None and column.field.kind == "flag":
                flag = value.casefold()
                if flag in YES or flag in NO:
                    put_at(body, column.path, flag in YES)
                else:
                    row_problems.append((index, "应填“是”或“否”"))
            else:
                put_at(body, column.path, value)
        try:
            variables = intake_variables(channel, body, units, now)
        except IntakeInvalid as invalid:
            # Each field the intake refused has its column: a required one missing was refused above.
            index_of = {column.path: index for index, column in placed.items()}
            row_problems += [
                (index_of[path], _phrase(placed[index_of[path]], problem))
                for path, problem in invalid.problems.items()
            ]
        if row_problems:
            problems += [f"第{line}行 {placed[index].header}：{text}" for index, text in sorted(row_problems)]
        else:
            checked.append(ImportRow(line, external_id, variables["title"], variables))
    if problems:
        raise ImportInvalid(problems)
    return CheckedFile(tuple(checked), ignored)


def _placed(
    channel: IntakeChannel, line: int, headers: list[str]
) -> tuple[dict[int, Column], tuple[str, ...]]:
    """The file's columns by position, and the headers of those it does not import."""
    by_name = {_normal(name): column for column in columns_of(channel) for name in column.names}
    placed: dict[int, Column] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for index, header in enumerate(headers):
        column = by_name.get(_normal(header))
        if column is None:
            if header:
                ignored.append(header)
        elif column in placed.values():
            problems.append(f"第{line}行 表头：“{column.header}”列出现了不止一次")
        else:
            placed[index] = column
    missing = [
        column.header for column in columns_of(channel) if column.required and column not in placed.values()
    ]
    if missing:
        problems.append(f"第{line}行 表头：缺少必填列“{'”“'.join(missing)}”（表头应在第一行）")
    if problems:
        raise ImportInvalid(problems)
    return placed, tuple(ignored)


def _normal(header: str) -> str:
    """A header as written by hand: spaces, a required mark ("标题*", "标题（必填）") do not matter."""
    text = "".join(header.split()).replace("（", "(").replace("）", ")").rstrip("*＊")
    return text.removesuffix("(必填)")


def _phrase(column: Column, problem: str) -> str:
    """The intake's problem ("为必填项", "的取值无效", written to follow a field's label) after a colon."""
    if problem == "为必填项":
        return "不能为空（必填）"
    if problem.startswith("的") and column.field is not None and column.field.kind == "choice":
        return f"取值无效，{_note(column.field)}"
    return problem.removeprefix("的")


# --------------------------------------------------------------------------------------- template


def template_workbook(channel: IntakeChannel) -> bytes:
    """An empty workbook for `channel`'s import: the header row, and a sheet explaining each column."""
    columns = columns_of(channel)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None, "a new workbook has a sheet"
    sheet.title = f"{channel.label}导入"
    sheet.append([column.header for column in columns])
    sheet.freeze_panes = "A2"
    for number, column in enumerate(columns, start=1):
        letter = get_column_letter(number)
        sheet[f"{letter}1"].font = Font(bold=True, color="C0392B" if column.required else None)
        wide = column.field is not None and column.field.kind == "long"
        sheet.column_dimensions[letter].width = 60 if wide else 18
        # Typed as text, a phone number or an id keeps its leading zeros and all its digits.
        sheet.column_dimensions[letter].number_format = "@"
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "说明"])
    for column in columns:
        notes.append([column.header, "必填" if column.required else "选填", column.note])
    notes.append([])
    notes.append(
        ["说明", "", f"每行一件诉求，表头在第一行，各列顺序不限；空行将被跳过；一次最多导入{MAX_ROWS}行。"]
    )
    notes.append(["", "", "有任何一行填写有误时整批不导入，请按提示改正后重新导入。"])
    notes.append(["", "", "填写了外部编号的诉求再次导入时不会重复登记。"])
    for letter, width in (("A", 14), ("B", 10), ("C", 70)):
        notes.column_dimensions[letter].width = width
    for cell in notes[1]:
        cell.font = Font(bold=True)
    written = io.BytesIO()
    workbook.save(written)
    return written.getvalue()


def importable(channel_id: str) -> IntakeChannel | None:
    return CHANNELS[channel_id] if channel_id in IMPORTABLE else None
