"""hotline-ticket's first-contact answers (首问首接) [seed 003 §三.1]: classification proposes the
published knowledge base entries that match the appeal, and the front desk closes a 咨询 by citing
one; the ledger records the entry's answer as the reply and the citation as a direct answer, which
the bulletin's direct-answer rate counts. Real diagram, real workers, the engine's clock."""

from __future__ import annotations

from pyzeebe import ZeebeClient
from scenario import activities, case_of, history, local, move_to, receive_ticket

from engine.testing.handle import EngineHandle
from workers.ids import HotlineTicket, UnitHandling
from workers.knowledge.store import EntryText, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.service import Ledger

SEGMENTER = KnowledgeSegmenter()
SOCIAL_SECURITY_CARD = EntryText(
    question="社保卡丢了怎么补办？",
    answer="社会保障卡遗失后，请先拨打服务电话或到银行网点挂失，再携带本人身份证到人力资源和社会保障局"
    "服务大厅或合作银行网点申请补办，一般十个工作日内领取新卡。",
    topic="社会保障卡",
    unit="人力资源社会保障局",
    valid_from=local("2026-09-01 00:00"),
)
HOUSING_FUND = EntryText(
    question="住房公积金怎么提取？",
    answer="职工购买、建造、翻建、大修自住住房的，可以提取住房公积金。",
    topic="住房公积金",
    unit="住房公积金管理中心",
    valid_from=local("2026-09-01 00:00"),
)
LOST_CARD = {
    "title": "社保卡丢失",
    "content": "我的社保卡不小心丢了，请问去哪里补办，需要带什么？",
    "appellant": {"name": "李四", "phone": "13800002222"},
}


def published(store: KnowledgeStore, entry: EntryText) -> str:
    number = store.create(entry, actor="人社局张三")
    store.submit(number, actor="人社局张三")
    store.publish(number, actor="热线中心")
    return number


async def test_classification_proposes_the_matching_entry_and_the_front_desk_closes_the_call_citing_it(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    move_to(engine, local("2026-09-20 09:00"))
    store = workers.knowledge_store(SEGMENTER)
    card = published(store, SOCIAL_SECURITY_CARD)
    published(store, HOUSING_FUND)

    key = await receive_ticket(engine, client, LOST_CARD)
    variables = engine.instance(key).variables
    proposals = variables["knowledgeProposals"]
    assert proposals and proposals[0]["number"] == card, (
        f"the entry on replacing a lost social security card should be proposed first, got {proposals}"
    )
    assert proposals[0]["question"] == SOCIAL_SECURITY_CARD.question
    assert proposals[0]["unit"] == SOCIAL_SECURITY_CARD.unit
    assert proposals[0]["snippet"], "a proposal shows a snippet of its answer"
    assert len(proposals) <= 3, f"the front desk is shown at most three proposals, got {len(proposals)}"
    assert variables["knowledgeOptions"][0] == {
        "label": f"{card}｜{SOCIAL_SECURITY_CARD.question}",
        "value": card,
    }

    await engine.complete_user_task(
        key, HotlineTicket.INTAKE, {"intakeAction": "knowledge", "knowledgeEntry": card, "category": "咨询"}
    )
    view = await engine.is_completed(key)
    assert HotlineTicket.RECORD_DIRECT_REPLY in view.passed, (
        "a cited answer closes the call at the front desk"
    )
    assert HotlineTicket.DISPATCH_TICKET not in view.passed, (
        "a call answered from the knowledge base is not dispatched"
    )
    case = case_of(workers, engine, key)
    assert [(r["unit"], r["text"]) for r in history(case, "reply")] == [
        ("12345热线服务中心", SOCIAL_SECURITY_CARD.answer)
    ], "without words of the operator's own, the entry's answer is the reply"
    [answered] = activities(case, "direct-answer")
    assert answered["data"] == {"intakeAction": "knowledge", "knowledgeEntry": card}, (
        f"the direct answer should record the cited entry, got {answered['data']}"
    )
    assert case.status == "closed"


async def test_an_operator_citing_an_entry_may_answer_in_words_of_their_own(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    move_to(engine, local("2026-09-20 09:00"))
    card = published(workers.knowledge_store(SEGMENTER), SOCIAL_SECURITY_CARD)
    key = await receive_ticket(engine, client, LOST_CARD)
    own = "您可带身份证到就近的合作银行网点补办社保卡，十个工作日内领卡。"
    await engine.complete_user_task(
        key,
        HotlineTicket.INTAKE,
        {"intakeAction": "knowledge", "knowledgeEntry": card, "ownAnswer": own, "category": "咨询"},
    )
    await engine.is_completed(key)
    case = case_of(workers, engine, key)
    assert [r["text"] for r in history(case, "reply")] == [own], "the operator's own words are the reply"
    assert [a["data"]["knowledgeEntry"] for a in activities(case, "direct-answer")] == [card]


async def test_a_direct_answer_without_the_knowledge_base_is_recorded_as_one_too(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await receive_ticket(engine, client, LOST_CARD)
    assert engine.instance(key).variables["knowledgeProposals"] == [], (
        "an empty knowledge base proposes nothing"
    )
    await engine.complete_user_task(
        key,
        HotlineTicket.INTAKE,
        {"intakeAction": "answer", "directAnswer": "请到银行网点补办。", "category": "咨询"},
    )
    await engine.is_completed(key)
    [answered] = activities(case_of(workers, engine, key), "direct-answer")
    assert answered["data"] == {"intakeAction": "answer", "knowledgeEntry": None}


async def test_only_a_consultation_is_closed_by_citing_an_entry(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    move_to(engine, local("2026-09-20 09:00"))
    card = published(workers.knowledge_store(SEGMENTER), SOCIAL_SECURITY_CARD)
    key = await receive_ticket(engine, client, LOST_CARD)
    variables = engine.instance(key).variables
    await engine.complete_user_task(
        key,
        HotlineTicket.INTAKE,
        {
            "intakeAction": "knowledge",
            "knowledgeEntry": card,
            "category": "求助",
            "leadUnit": variables["leadUnit"],
        },
    )
    # Nothing is answered or dispatched on a choice the circular does not allow: the operator decides again.
    await engine.user_task_at(key, HotlineTicket.INTAKE)
    case = case_of(workers, engine, key)
    assert history(case, "reply") == [], "a 求助 was answered by citing the knowledge base"
    assert activities(case, "direct-answer") == []
    await engine.complete_user_task(
        key,
        HotlineTicket.INTAKE,
        {"intakeAction": "dispatch", "category": "求助", "leadUnit": variables["leadUnit"]},
    )
    await engine.user_task_at(key, UnitHandling.SIGN_FOR)
