"""The knowledge base in the browser: a unit's user searches it, opens the entry found, and submits
a new one for their unit, which starts its review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from browser_support import PageFor, screenshot
from console_support import ConsoleStack
from playwright.async_api import expect

from workers.knowledge.store import EntryText, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter

HOUSING = "住房城乡建设委"


async def test_a_unit_searches_opens_an_entry_and_submits_a_new_one(
    console: ConsoleStack, page_for: PageFor
) -> None:
    now = datetime.fromtimestamp(console.engine.now_ms() / 1000, UTC)
    store = KnowledgeStore(console.ledger.case_search().engine, KnowledgeSegmenter(), lambda: now)
    number = store.create(
        EntryText(
            question="物业维修基金怎么申请使用？",
            answer="住宅共用部位需要维修的，经业主表决同意后向住房城乡建设委申请使用住宅专项维修资金。",
            topic="物业维修基金",
            unit=HOUSING,
            valid_from=now - timedelta(days=1),
            policy_basis="《住宅专项维修资金管理办法》",
        ),
        "seed",
    )
    store.submit(number, "seed")
    store.publish(number, "seed")

    page = await page_for("zhujian")
    await page.get_by_role("link", name="知识库").click()
    await page.get_by_test_id("knowledge-query").fill("维修基金怎么用")
    await page.get_by_test_id("knowledge-search-submit").click()
    proposal = page.get_by_test_id("knowledge-proposal")
    await expect(proposal).to_have_count(1)
    await proposal.get_by_test_id("knowledge-proposal-link").click()
    await expect(page.get_by_test_id("knowledge-entry-number")).to_contain_text(number)
    await expect(page.get_by_test_id("knowledge-entry-status")).to_have_text("已发布")
    await expect(page.get_by_text("《住宅专项维修资金管理办法》", exact=True)).to_be_visible()

    await page.goto("/knowledge")
    await page.get_by_test_id("knowledge-new").click()
    await expect(page.get_by_test_id("knowledge-unit")).to_have_value(HOUSING)
    await page.get_by_test_id("knowledge-question").fill("老旧小区加装电梯有补贴吗？")
    await page.get_by_test_id("knowledge-topic").fill("加装电梯")
    await page.get_by_test_id("knowledge-answer").fill("符合条件的老旧小区加装电梯，按每台二十万元给予补贴。")
    await page.get_by_test_id("knowledge-policy-basis").fill("《老旧小区加装电梯实施意见》")
    await page.get_by_test_id("knowledge-submit").click()
    await expect(page.get_by_test_id("knowledge-submitted")).to_be_visible()
    await expect(page.get_by_test_id("knowledge-entry-question")).to_have_text("老旧小区加装电梯有补贴吗？")
    await expect(page.get_by_test_id("knowledge-history-row").first).to_contain_text("zhujian")
    await screenshot(page, "knowledge-entry-submitted")
