"""Importing a spreadsheet of calls in the browser: a file with a wrong row is refused whole with
each problem named; the corrected file starts one ticket per row, the page follows the import's
progress and links each case once the workers numbered it."""

from __future__ import annotations

import re
from pathlib import Path

from browser_support import PageErrors, PageFor, follow_menu, screenshot
from console_support import ConsoleStack
from playwright.async_api import expect

HEADER = "外部编号,标题,内容,诉求人,联系电话,地址,地点,是否保密\n"
ROWS = (
    "WEB-1,酒吧噪音扰民,楼下酒吧每晚噪音扰民到凌晨,张三,13800001111,铁东区某小区,铁东区幸福路8号,否\n"
    "WEB-2,路灯不亮,幸福路路灯坏了一周,李四,13800002222,,幸福路,是\n"
)
WRONG = "WEB-3,垃圾清运不及时,,王五,1234,,,否\n"


async def test_an_operator_imports_calls_and_follows_the_progress(
    console: ConsoleStack, page_for: PageFor, page_errors: PageErrors, tmp_path: Path
) -> None:
    operator = await page_for("operator")
    await follow_menu(operator, "登记受理")
    await operator.get_by_test_id("intake-import-link").click()

    wrong = tmp_path / "来电（有误）.csv"
    wrong.write_bytes((HEADER + ROWS + WRONG).encode("gb18030"))
    page_errors.expect("422")
    await operator.get_by_test_id("import-file").set_input_files(wrong)
    await operator.get_by_test_id("import-submit").click()
    problems = operator.get_by_test_id("import-error")
    await expect(problems.first).to_contain_text("第4行")
    await expect(operator.get_by_test_id("import-errors")).to_contain_text("内容")

    right = tmp_path / "来电.csv"
    right.write_bytes((HEADER + ROWS).encode("gb18030"))
    await operator.get_by_test_id("import-file").set_input_files(right)
    await operator.get_by_test_id("import-submit").click()
    await expect(operator.get_by_test_id("operation")).to_have_attribute("data-state", "succeeded")
    links = operator.get_by_test_id("import-case-link")
    await expect(links).to_have_count(2, timeout=20_000)
    await expect(links).to_have_text([re.compile(r"RX\d{4}-\d{6}")] * 2)
    await screenshot(operator, "import")
