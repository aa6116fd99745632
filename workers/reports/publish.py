"""A compiled bulletin written out: charts (PNG), an HTML report for reading and printing, and an
XLSX workbook with one sheet per table (a channel's section is a sheet named by its label), in one
folder per period.

The folder is named after the period (and channels), so a bulletin compiled again, or a job
delivered twice, replaces its files instead of adding a second set.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from workers.reports.bulletin import Bulletin
from workers.reports.charts import chart_font, draw_chart
from workers.reports.tables import Kind, Table, channel_tables, knowledge_table, shown, tables

HTML_FILE = "bulletin.html"
WORKBOOK_FILE = "bulletin.xlsx"
_NUMBER_FORMATS = {Kind.RATE: "0.0%", Kind.SCORE: "0.00", Kind.COUNT: "0"}
_TEMPLATES = Environment(
    loader=PackageLoader("workers.reports", "templates"), autoescape=True, undefined=StrictUndefined
)


@dataclass(frozen=True)
class ChartFile:
    file: str
    title: str


@dataclass(frozen=True)
class Published:
    directory: Path
    html: Path
    workbook: Path
    charts: tuple[Path, ...]


def folder_name(bulletin: Bulletin) -> str:
    channels = bulletin.window.channels
    suffix = "" if channels is None else "-" + "-".join(sorted(channels))
    return f"{bulletin.period.kind}-{bulletin.period.label}{suffix}"


def publish(bulletin: Bulletin, out_dir: Path, font: Path, compiled_at: datetime) -> Published:
    # The font first: a missing one fails before any file is written.
    family = chart_font(font)
    directory = out_dir / folder_name(bulletin)
    directory.mkdir(parents=True, exist_ok=True)
    charts = []
    # The charts draw the tables of appeals, which a bulletin of channels only does not have.
    for chart in bulletin.policy.charts if bulletin.counts_appeals else ():
        draw_chart(bulletin, chart, family, directory / f"{chart.name}.png")
        charts.append(ChartFile(f"{chart.name}.png", chart.title))
    tabled = tables(bulletin)
    write_workbook(tabled, directory / WORKBOOK_FILE)
    html = _TEMPLATES.get_template("bulletin.html.j2").render(
        policy=bulletin.policy,
        title=bulletin.title,
        appeals=bulletin.counts_appeals,
        idle_channels=bulletin.idle_channels,
        period=bulletin.period,
        total=bulletin.total,
        ranking=bulletin.ranking,
        notes=bulletin.notes,
        tables={table.name: table for table in tabled},
        channel_tables=channel_tables(bulletin),
        knowledge_table=None if bulletin.knowledge is None else knowledge_table(bulletin.knowledge),
        charts=charts,
        shown=lambda cell, kind: shown(cell, Kind(kind)),
        compiled=f"编制于{compiled_at.astimezone(bulletin.policy.timezone):%Y-%m-%d %H:%M}",
    )
    (directory / HTML_FILE).write_text(html, encoding="utf-8")
    return Published(
        directory, directory / HTML_FILE, directory / WORKBOOK_FILE, tuple(directory / c.file for c in charts)
    )


def write_workbook(tabled: tuple[Table, ...], path: Path) -> None:
    workbook = Workbook()
    assert workbook.active is not None  # a new workbook has its first sheet
    workbook.remove(workbook.active)
    for table in tabled:
        sheet = workbook.create_sheet(table.name)
        sheet.append([column.header for column in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in table.rows:
            sheet.append(list(row))
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            number_format = _NUMBER_FORMATS.get(column.kind)
            if number_format is not None:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
            widest = max((len(str(row[index - 1] or "")) for row in table.rows), default=0)
            sheet.column_dimensions[letter].width = min(60, max(10, 2 * max(widest, len(column.header))))
        sheet.freeze_panes = "B2"
    workbook.save(path)
