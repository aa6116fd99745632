"""First-contact answers (首问首接) in the browser: while the operator types a caller's question on
the intake page, the knowledge base's matching entry is proposed under the form, its answer one
click away; at the front desk the hotline centre closes the 咨询 by citing that entry, and the
ledger records the entry's answer as the reply."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from browser_support import PageFor, choose, follow_menu, move_to, open_task, pick, screenshot, submit_task
from console_support import ConsoleStack
from playwright.async_api import expect

from workers.ids import HotlineTicket
from workers.knowledge.store import EntryText, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.masking import Viewer

QUESTION = "社保卡丢了怎么补办？"
ANSWER = "社会保障卡遗失后，请先挂失，再携带本人身份证到人力资源和社会保障局服务大厅或合作银行网点申请补办。"


def published_entry(console: ConsoleStack) -> str:
    now = datetime.fromtimestamp(console.engine.now_ms() / 1000, UTC)
    store = KnowledgeStore(console.ledger.case_search().engine, KnowledgeSegmenter(), lambda: now)
    number = store.create(
        EntryText(
            question=QUESTION,
            answer=ANSWER,
            topic="社会保障卡",
            unit="人力资源社会保障局",
            valid_from=now - timedelta(days=1),
        ),
        "seed",
    )
    store.submit(number, "seed")
    store.publish(number, "seed")
    return number


async def test_the_operator_sees_the_entry_as_they_type_and_the_front_desk_answers_with_it(
    console: ConsoleStack, page_for: PageFor
) -> None:
    move_to(console.engine, "2026-09-25 10:00")
    number = published_entry(console)

    operator = await page_for("operator")
    await follow_menu(operator, "登记受理")
    form = operator.get_by_test_id("intake-form-hotline-ticket")
    proposals = operator.get_by_test_id("knowledge-proposals-hotline-ticket")
    await expect(proposals, "nothing is proposed before anything is typed").to_be_hidden()
    await form.get_by_label("来电号码").fill("13800002222")
    await form.get_by_label("标题").fill("社保卡丢失")
    await form.get_by_label("诉求内容").press_sequentially("我的社保卡丢了，请问去哪里补办？")
    proposal = proposals.get_by_test_id("intake-proposal")
    await expect(proposal, "the matching entry is proposed as the operator types").to_have_count(1)
    await expect(proposal).to_contain_text(number)
    await expect(proposal).to_contain_text(QUESTION)
    await expect(proposal).to_contain_text("人力资源社会保障局")
    await expect(proposal.get_by_test_id("intake-proposal-snippet")).not_to_be_empty()
    answer = proposal.get_by_test_id("intake-proposal-answer")
    await expect(answer, "the whole answer waits behind 查看答复").to_be_hidden()
    await proposal.get_by_text("查看答复").click()
    await expect(answer).to_have_text(ANSWER)
    await screenshot(operator, "intake-knowledge-proposals")

    await form.get_by_role("button", name="登记并启动流程").click()
    result = operator.get_by_test_id("intake-result")
    await expect(result).to_contain_text("热线来电已登记，编号")
    await expect(proposals, "a registered call's proposals are cleared with its form").to_be_hidden()
    key = int(await result.get_attribute("data-process-instance-key") or 0)
    found = re.search(r"编号 (\S+?)。", await result.inner_text())
    assert key and found, f"the registration named no instance or case: {await result.inner_text()!r}"
    case_number = found.group(1)

    centre = await page_for("centre")
    task = await open_task(centre, console.engine, key, HotlineTicket.INTAKE, case_number)
    await choose(task, "引用知识库答复（仅限咨询）")
    await pick(task, "诉求类别", "咨询")
    await pick(task, "引用的知识库条目", f"{number}｜{QUESTION}")
    await screenshot(centre, "intake-cite-knowledge")
    await submit_task(centre)

    await console.engine.is_completed(key)
    case = console.ledger.view_case(case_number, Viewer(role="supervision"))
    replies = [entry.fields["text"] for entry in case.history if entry.kind == "reply"]
    assert replies == [ANSWER], f"the cited entry's answer should be the reply, the ledger has {replies}"
    assert case.status == "closed"
