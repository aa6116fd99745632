"""Bar charts of the bulletin's indicators with Chinese labels (matplotlib).

matplotlib's own fonts have no Chinese glyphs and would draw boxes, so a CJK font file is
required (Debian's fonts-noto-cjk by default); without it the bulletin fails naming the font,
rather than printing unreadable charts. Figures are made without pyplot: no global state, no
display, safe in a worker's threads.
"""

from collections.abc import Sequence
from pathlib import Path

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workers.report_policy import ChartPolicy, IndicatorPolicy
from workers.reports.bulletin import Bulletin, Row


class MissingFontError(RuntimeError):
    pass


def chart_font(path: Path) -> str:
    """The family name of the font at `path`, registered with matplotlib."""
    if not path.is_file():
        raise MissingFontError(
            f"the Chinese font {path} is missing: install Debian's fonts-noto-cjk "
            "(apt-get install fonts-noto-cjk) or set MINSHENG_REPORT_FONT to a font file with Chinese glyphs"
        )
    font_manager.fontManager.addfont(str(path))
    return str(font_manager.FontProperties(fname=path).get_name())


def draw_chart(bulletin: Bulletin, chart: ChartPolicy, family: str, path: Path) -> None:
    rows: Sequence[Row] = bulletin.units if chart.table == "units" else bulletin.categories
    indicators = [bulletin.policy.indicators[name] for name in chart.indicators]
    # Horizontal bars: unit names are long, and a long list grows downwards.
    height = 1.5 + 0.3 * max(len(rows), 1) * len(indicators) ** 0.5
    with rc_context({"font.family": [family], "axes.unicode_minus": False}):
        figure = Figure(figsize=(8, height), layout="constrained")
        axes = figure.subplots()
        axes.set_title(f"{chart.title}（{bulletin.period.title}）")
        if not rows:
            axes.text(0.5, 0.5, "本期无数据", ha="center", va="center", fontsize=14)
            axes.set_axis_off()
        else:
            _bars(axes, rows, chart.indicators, indicators)
        figure.savefig(path, dpi=120)


def _bars(
    axes: Axes, rows: Sequence[Row], keys: Sequence[str], indicators: Sequence[IndicatorPolicy]
) -> None:
    rate = indicators[0].is_rate
    width = 0.8 / len(keys)
    positions = range(len(rows))
    for index, (key, indicator) in enumerate(zip(keys, indicators, strict=True)):
        # A rate without data is drawn as no bar rather than as a zero.
        values = [float(row.values[key] or 0) * (100 if rate else 1) for row in rows]
        offsets = [position + (index - (len(keys) - 1) / 2) * width for position in positions]
        axes.barh(offsets, values, height=width, label=indicator.label)
    axes.set_yticks(list(positions), [row.name for row in rows])
    axes.invert_yaxis()
    axes.set_xlabel("百分比（%）" if rate else "件（次）数")
    if rate:
        axes.set_xlim(0, 100)
    axes.legend(loc="best", fontsize="small")
