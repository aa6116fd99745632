"""The intake page's knowledge base proposals (首问首接): what the operator has typed so far finds
the published entries, at most three, for the users who register appeals only; and the page carries
the place the proposals are shown in and the script that fetches them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from console_support import ConsoleStack

from workers.knowledge.store import EntryText, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter

SEGMENTER = KnowledgeSegmenter()
CARD_ANSWER = (
    "社会保障卡遗失后，请先挂失，再携带本人身份证到人力资源和社会保障局服务大厅或合作银行网点申请补办。"
)


def seed(console: ConsoleStack) -> tuple[str, str]:
    """A published entry on a lost social security card, and a draft on the same question."""
    now = datetime.fromtimestamp(console.engine.now_ms() / 1000, UTC)
    store = KnowledgeStore(console.ledger.case_search().engine, SEGMENTER, lambda: now)
    entry = EntryText(
        question="社保卡丢了怎么补办？",
        answer=CARD_ANSWER,
        topic="社会保障卡",
        unit="人力资源社会保障局",
        valid_from=now - timedelta(days=1),
    )
    number = store.create(entry, "seed")
    store.submit(number, "seed")
    store.publish(number, "热线中心")
    return number, store.create(entry, "seed")


async def test_the_operator_gets_the_matching_published_entries_as_they_type(console: ConsoleStack) -> None:
    published, draft = seed(console)
    operator = await console.client("operator")
    answer = await operator.get("/intake/knowledge", params={"q": "社保卡丢失\n我的社保卡丢了去哪里补办"})
    assert answer.status_code == 200, answer.text
    proposals = answer.json()
    assert [p["number"] for p in proposals] == [published], (
        f"only the published entry should be proposed, not the draft {draft}: {proposals}"
    )
    [proposal] = proposals
    assert (proposal["question"], proposal["unit"], proposal["answer"]) == (
        "社保卡丢了怎么补办？",
        "人力资源社会保障局",
        CARD_ANSWER,
    )
    assert proposal["snippet"], "a proposal shows a snippet of its answer"


async def test_an_empty_query_proposes_nothing(console: ConsoleStack) -> None:
    seed(console)
    operator = await console.client("operator")
    for query in ({}, {"q": ""}, {"q": "   "}):
        answer = await operator.get("/intake/knowledge", params=query)
        assert (answer.status_code, answer.json()) == (200, []), f"{query} answered {answer.text}"


async def test_at_most_three_entries_are_proposed(console: ConsoleStack) -> None:
    now = datetime.fromtimestamp(console.engine.now_ms() / 1000, UTC)
    store = KnowledgeStore(console.ledger.case_search().engine, SEGMENTER, lambda: now)
    for place in ("银行网点", "服务大厅", "街道社保所", "政务服务中心", "网上营业厅"):
        number = store.create(
            EntryText(
                question=f"社保卡能在{place}补办吗？",
                answer=f"社保卡可以在{place}补办。",
                topic="社会保障卡",
                unit="人力资源社会保障局",
                valid_from=now - timedelta(days=1),
            ),
            "seed",
        )
        store.submit(number, "seed")
        store.publish(number, "热线中心")
    operator = await console.client("operator")
    proposals = (await operator.get("/intake/knowledge", params={"q": "社保卡补办"})).json()
    assert len(proposals) == 3, f"the front desk is shown three proposals, got {len(proposals)}"


async def test_signing_in_and_the_intake_permission_are_required(console: ConsoleStack) -> None:
    seed(console)
    async with httpx.AsyncClient(base_url=console.url) as anonymous:
        answer = await anonymous.get(
            "/intake/knowledge", params={"q": "社保卡"}, headers={"Accept": "application/json"}
        )
        assert answer.status_code in (303, 401), f"an anonymous request answered {answer.status_code}"
    unit_user = await console.client("zhifa")
    answer = await unit_user.get("/intake/knowledge", params={"q": "社保卡"})
    assert answer.status_code == 403, f"a unit's user, who registers nothing, got {answer.status_code}"


async def test_the_intake_page_has_a_place_for_the_proposals(console: ConsoleStack) -> None:
    operator = await console.client("operator")
    page = (await operator.get("/intake")).text
    assert 'data-proposals="proposals-hotline-ticket"' in page
    assert 'data-testid="knowledge-proposals-hotline-ticket"' in page
    assert '<script type="module" src="/static/js/intake.js">' in page
