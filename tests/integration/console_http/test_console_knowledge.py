"""The knowledge base page (知识库): search, the list by status, unit and topic a page at a time, one
entry with its version history, and the submission of an entry, which saves a draft and starts the
`knowledge-entry` process; a unit's user sees and submits only what is theirs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from console_support import ConsoleStack

from workers.ids import ProcessId
from workers.knowledge.store import DRAFT, IN_REVIEW, EntryText, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter

HOUSING = "住房城乡建设委"
ENFORCEMENT = "综合执法局"
SEGMENTER = KnowledgeSegmenter()
HOUSING_DRAFT = "老旧小区加装电梯补贴标准是多少"
ENFORCEMENT_DRAFT = "占道经营如何处罚"


def now(console: ConsoleStack) -> datetime:
    """The engine's clock, which the console's is."""
    return datetime.fromtimestamp(console.engine.now_ms() / 1000, UTC)


def store_of(console: ConsoleStack) -> KnowledgeStore:
    return KnowledgeStore(console.ledger.case_search().engine, SEGMENTER, lambda: now(console))


def text(console: ConsoleStack, question: str, answer: str, topic: str, unit: str) -> EntryText:
    return EntryText(
        question=question,
        answer=answer,
        topic=topic,
        unit=unit,
        valid_from=now(console) - timedelta(days=1),
        policy_basis="《物业管理条例》",
    )


def published(console: ConsoleStack, entry: EntryText) -> str:
    store = store_of(console)
    number = store.create(entry, "seed")
    store.submit(number, "seed")
    store.publish(number, "reviewer-zhang")
    return number


def seed(console: ConsoleStack) -> dict[str, str]:
    """Published entries of two units, and a draft of each."""
    store = store_of(console)
    return {
        "fund": published(
            console,
            text(
                console,
                "物业维修基金怎么申请使用？",
                "住宅共用部位需要维修的，经业主表决同意后向住房城乡建设委申请使用住宅专项维修资金。",
                "物业维修基金",
                HOUSING,
            ),
        ),
        "noise": published(
            console,
            text(
                console,
                "夜间施工噪音扰民向哪里投诉？",
                "夜间二十二时至次日六时施工产生噪音扰民的，可拨打12345热线投诉，由综合执法局依法查处。",
                "噪音投诉",
                ENFORCEMENT,
            ),
        ),
        "housing_draft": store.create(
            text(console, HOUSING_DRAFT, "按每台电梯补贴二十万元执行。", "加装电梯", HOUSING), "zhujian"
        ),
        "enforcement_draft": store.create(
            text(console, ENFORCEMENT_DRAFT, "责令改正，可处以罚款。", "占道经营", ENFORCEMENT), "zhifa"
        ),
    }


def listed(page: httpx.Response) -> list[str]:
    return [
        part.split('"', 1)[0]
        for part in page.text.split('data-testid="knowledge-row" data-entry-number="')[1:]
    ]


def proposed(page: httpx.Response) -> list[str]:
    return [
        part.split('"', 1)[0]
        for part in page.text.split('data-testid="knowledge-proposal" data-entry-number="')[1:]
    ]


def new_entry(**changes: str) -> dict[str, str]:
    form = {
        "question": "公共租赁住房怎么申请？",
        "answer": "符合条件的家庭可向街道提出申请，经审核、公示后轮候配租。",
        "topic": "公共租赁住房",
        "unit": HOUSING,
        "policy_basis": "《公共租赁住房管理办法》",
        "valid_from": "2026-01-01",
        "valid_until": "",
    }
    return form | changes


async def knowledge_instances(console: ConsoleStack) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=f"{console.engine.rest_url}/v2") as engine:
        answer = await engine.post(
            "/process-instances/search",
            json={"filter": {"processDefinitionId": ProcessId.KNOWLEDGE_ENTRY}},
        )
        answer.raise_for_status()
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


async def test_the_operator_searches_filters_and_reads_an_entry_with_its_history(
    console: ConsoleStack,
) -> None:
    numbers = seed(console)
    operator = await console.client("operator")
    home = await operator.get("/")
    assert 'href="/knowledge"' in home.text, "the operator's menu has no 知识库"

    found = await operator.get("/knowledge", params={"q": "维修基金怎么用"})
    assert found.status_code == 200, found.text[:300]
    assert proposed(found) == [numbers["fund"]], f"searching 维修基金 proposed {proposed(found)}"
    nothing = await operator.get("/knowledge", params={"q": "电梯补贴"})
    assert proposed(nothing) == [], "search proposed a draft, which only published entries may be"

    everything = await operator.get("/knowledge")
    assert set(listed(everything)) == set(numbers.values()), "the hotline sees every entry in the list"
    drafts = await operator.get("/knowledge", params={"status": DRAFT})
    assert set(listed(drafts)) == {numbers["housing_draft"], numbers["enforcement_draft"]}
    by_unit = await operator.get("/knowledge", params={"unit": ENFORCEMENT, "topic": "噪音投诉"})
    assert listed(by_unit) == [numbers["noise"]], f"filtering by unit and topic listed {listed(by_unit)}"

    entry = await operator.get(f"/knowledge/{numbers['fund']}")
    assert entry.status_code == 200, entry.text[:300]
    for shown in (
        "物业维修基金怎么申请使用",
        "《物业管理条例》",
        "已发布",
        "reviewer-zhang",
        "审核通过并发布",
    ):
        assert shown in entry.text, f"the entry's page does not show {shown}"
    assert entry.text.count('data-testid="knowledge-history-row"') == 3, "create, submit, publish expected"
    unknown = await operator.get("/knowledge/ZS9999999")
    assert unknown.status_code == 404
    refused = await operator.get("/knowledge/new")
    assert refused.status_code == 403, "an operator searches the knowledge base but does not submit to it"
    await operator.aclose()


async def test_the_list_is_paged_in_the_database(console: ConsoleStack) -> None:
    store = store_of(console)
    for index in range(23):
        store.create(text(console, f"第{index}个问题", "答复", "分页", HOUSING), "seed")
    centre = await console.client("centre")
    first = await centre.get("/knowledge", params={"topic": "分页"})
    assert len(listed(first)) == 20 and 'data-total="23"' in first.text, "the first page holds 20 of 23"
    assert "page=2" in first.text, "the first page links to the second"
    second = await centre.get("/knowledge", params={"topic": "分页", "page": 2})
    assert len(listed(second)) == 3, f"the second page holds the last 3, not {len(listed(second))}"
    assert not set(listed(first)) & set(listed(second)), "an entry is on both pages"
    await centre.aclose()


async def test_a_unit_sees_every_published_entry_but_only_its_own_drafts(console: ConsoleStack) -> None:
    numbers = seed(console)
    zhifa = await console.client("zhifa")
    shown = set(listed(await zhifa.get("/knowledge")))
    assert shown == {numbers["fund"], numbers["noise"], numbers["enforcement_draft"]}, (
        f"综合执法局 sees {shown}: every published entry and its own draft, not the housing draft"
    )
    for query in ({"status": DRAFT}, {"unit": HOUSING}, {"topic": "加装电梯"}, {"q": "电梯补贴"}):
        page = await zhifa.get("/knowledge", params=query)
        assert numbers["housing_draft"] not in page.text and HOUSING_DRAFT not in page.text, (
            f"filtering by {query} showed 综合执法局 the housing commission's draft"
        )
    hidden = await zhifa.get(f"/knowledge/{numbers['housing_draft']}")
    assert hidden.status_code == 404 and HOUSING_DRAFT not in hidden.text
    own = await zhifa.get(f"/knowledge/{numbers['enforcement_draft']}")
    assert own.status_code == 200 and ENFORCEMENT_DRAFT in own.text
    other_published = await zhifa.get(f"/knowledge/{numbers['fund']}")
    assert other_published.status_code == 200
    await zhifa.aclose()


async def test_a_unit_submits_for_itself_and_the_review_process_starts(console: ConsoleStack) -> None:
    zhujian = await console.client("zhujian")
    form = await zhujian.get("/knowledge/new")
    assert form.status_code == 200 and f'value="{HOUSING}" readonly' in form.text, "the unit is fixed"

    submitted = await zhujian.post("/knowledge/new", data=new_entry())
    assert submitted.status_code == 303, submitted.text[:500]
    location = submitted.headers["location"]
    number = location.split("/")[-1].split("?")[0]
    assert number.startswith("ZS"), f"submitting answered {location}"
    status, _ = store_of(console).status(number)
    assert status in (DRAFT, IN_REVIEW), f"the new entry is {status}"

    instances = await knowledge_instances(console)
    assert len(instances) == 1, f"{len(instances)} knowledge-entry processes started, not one"
    variables = console.engine.instance(int(instances[0]["processInstanceKey"])).variables
    assert (variables["entryNumber"], variables["unit"], variables["submittedBy"]) == (
        number,
        HOUSING,
        "zhujian",
    ), f"the process started with {variables}"

    page = await zhujian.get(location)
    assert "公共租赁住房怎么申请" in page.text and "已交所属单位审核" in page.text
    assert "zhujian" in page.text, "the history names who submitted"
    await zhujian.aclose()


async def test_a_unit_cannot_submit_for_another_unit(console: ConsoleStack) -> None:
    zhifa = await console.client("zhifa")
    refused = await zhifa.post("/knowledge/new", data=new_entry(unit=HOUSING))
    assert refused.status_code == 403, (
        f"综合执法局 submitted for the housing commission: {refused.status_code}"
    )
    no_token = await zhifa.post(
        "/knowledge/new", data=new_entry(unit=ENFORCEMENT), headers={"X-CSRF-Token": ""}
    )
    assert no_token.status_code == 403, "a submission without the CSRF token was taken"
    await zhifa.aclose()
    operator = await console.client("operator")
    not_allowed = await operator.post("/knowledge/new", data=new_entry())
    assert not_allowed.status_code == 403
    await operator.aclose()
    assert await knowledge_instances(console) == [], "a refused submission started a process"
    everything = await (await console.client("centre")).get("/knowledge")
    assert listed(everything) == [], "a refused submission saved an entry"


async def test_the_centre_submits_for_any_unit_and_is_told_what_is_wrong(console: ConsoleStack) -> None:
    centre = await console.client("centre")
    backwards = await centre.post(
        "/knowledge/new", data=new_entry(valid_from="2026-03-01", valid_until="2026-02-01")
    )
    assert backwards.status_code == 422 and "截止日期不能早于生效日期" in backwards.text
    assert "公共租赁住房怎么申请" in backwards.text, "the form lost what was typed"
    unknown_unit = await centre.post("/knowledge/new", data=new_entry(unit="不存在的局"))
    assert unknown_unit.status_code == 422 and "请选择所属单位" in unknown_unit.text
    blank = await centre.post("/knowledge/new", data=new_entry(answer="  "))
    assert blank.status_code == 422 and "请填写问题和答复" in blank.text

    submitted = await centre.post(
        "/knowledge/new", data=new_entry(unit=ENFORCEMENT, valid_until="2026-12-31")
    )
    assert submitted.status_code == 303, submitted.text[:500]
    page = await centre.get(submitted.headers["location"])
    assert ENFORCEMENT in page.text and "2027-01-01 00:00" in page.text, (
        "valid until 2026-12-31 means until the start of the next day, local time"
    )
    await centre.aclose()
