"""The charts' Chinese font: found and registered, or refused by name before any file is written."""

from pathlib import Path

import pytest

from workers.reports.charts import MissingFontError, chart_font
from workers.settings import Settings


def test_the_default_font_has_a_family_name() -> None:
    assert "CJK" in chart_font(Settings().report_font)


def test_a_missing_font_is_named_with_the_package_that_brings_it(tmp_path: Path) -> None:
    missing = tmp_path / "NotoSansCJK-Regular.ttc"
    with pytest.raises(MissingFontError, match=rf"the Chinese font {missing} is missing: .*fonts-noto-cjk"):
        chart_font(missing)
