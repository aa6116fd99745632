"""The knowledge base on both databases: version history of every change, and Chinese full-text
search that proposes only published entries valid at the time, best match first."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workers.knowledge.search import KnowledgeSearch
from workers.knowledge.store import DRAFT, PUBLISHED, WITHDRAWN, EntryText, KnowledgeError, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
SEGMENTER = KnowledgeSegmenter()

ENTRIES = [
    EntryText(
        question="住房公积金怎么提取？",
        answer="职工购买、建造、翻建、大修自住住房，或偿还购房贷款本息、租房自住的，可以提取住房公积金。"
        "携带身份证和相关证明材料到公积金管理中心服务窗口或通过网上营业厅办理。",
        topic="住房公积金",
        unit="住房公积金管理中心",
        valid_from=NOW - timedelta(days=30),
        policy_basis="《住房公积金管理条例》第二十四条",
    ),
    EntryText(
        question="社保卡丢了怎么补办？",
        answer="社会保障卡遗失后，请先拨打服务电话或到银行网点办理挂失，再携带本人身份证到人力资源和社会保障局"
        "服务大厅或合作银行网点申请补办，一般十个工作日内领取新卡。",
        topic="社会保障卡",
        unit="人力资源和社会保障局",
        valid_from=NOW - timedelta(days=30),
    ),
    EntryText(
        question="居住证如何办理？",
        answer="在本市居住半年以上，有合法稳定就业、稳定住所或连续就读条件之一的，可到居住地派出所申领居住证。",
        topic="居住证",
        unit="公安局",
        valid_from=NOW - timedelta(days=30),
    ),
    EntryText(
        question="夜间施工噪音扰民向哪里投诉？",
        answer="夜间二十二时至次日六时施工产生噪音扰民的，可拨打12345热线投诉，由综合执法局依法查处。",
        topic="噪音投诉",
        unit="综合执法局",
        valid_from=NOW - timedelta(days=30),
    ),
    EntryText(
        question="物业维修基金怎么申请使用？",
        answer="住宅共用部位、共用设施设备需要维修的，由业主委员会或物业服务企业提出方案，经业主表决同意后"
        "向住房城乡建设委申请使用住宅专项维修资金。",
        topic="物业维修基金",
        unit="住房城乡建设委",
        valid_from=NOW - timedelta(days=30),
        valid_until=NOW + timedelta(days=365),
    ),
]


@pytest.fixture
def ledger_url(database_url: str, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}" if database_url.startswith("sqlite") else database_url


@pytest.fixture
def stores(ledger_url: str) -> Iterator[tuple[KnowledgeStore, KnowledgeSearch]]:
    migrate(ledger_url)
    engine = open_engine(ledger_url)
    yield KnowledgeStore(engine, SEGMENTER, clock=lambda: NOW), KnowledgeSearch(engine, SEGMENTER)
    engine.dispose()


def publish_all(store: KnowledgeStore) -> list[str]:
    numbers = []
    for entry in ENTRIES:
        number = store.create(entry, actor="张三")
        store.submit(number, actor="张三")
        store.publish(number, actor="热线中心")
        numbers.append(number)
    return numbers


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("我想把公积金取出来用", 0),
        ("社保卡丢失了如何补办", 1),
        ("外地人办居住证需要什么条件", 2),
        ("晚上工地施工太吵了", 3),
        ("小区电梯坏了能用维修基金吗", 4),
    ],
)
def test_the_best_match_comes_first(
    stores: tuple[KnowledgeStore, KnowledgeSearch], question: str, expected: int
) -> None:
    store, search = stores
    numbers = publish_all(store)
    proposals = search.search(question, at=NOW)
    assert proposals, f"nothing proposed for {question}"
    assert proposals[0].number == numbers[expected]
    assert proposals[0].unit == ENTRIES[expected].unit
    assert proposals[0].score > 0
    assert [p.score for p in proposals] == sorted((p.score for p in proposals), reverse=True)


def test_only_published_entries_valid_at_the_time_are_proposed(
    stores: tuple[KnowledgeStore, KnowledgeSearch],
) -> None:
    store, search = stores
    numbers = publish_all(store)
    draft = store.create(ENTRIES[0], actor="李四")
    found = [p.number for p in search.search("公积金提取", at=NOW)]
    assert numbers[0] in found and draft not in found

    store.withdraw(numbers[0], actor="热线中心")
    assert numbers[0] not in [p.number for p in search.search("公积金提取", at=NOW)]

    assert search.search("维修基金", at=NOW)[0].number == numbers[4]
    later = NOW + timedelta(days=400)  # past the entry's validity
    assert numbers[4] not in [p.number for p in search.search("维修基金", at=later)]
    before = NOW - timedelta(days=31)  # before it took effect
    assert search.search("居住证", at=before) == []


def test_a_revision_is_searched_by_its_new_words_and_the_history_keeps_each_version(
    stores: tuple[KnowledgeStore, KnowledgeSearch],
) -> None:
    store, search = stores
    number = store.create(ENTRIES[2], actor="张三")
    store.submit(number, actor="张三")
    store.publish(number, actor="热线中心")
    revised = EntryText(
        question="居住证到期了怎么签注？",
        answer="居住证每年签注一次，逾期未签注的，居住证使用功能中止；可到派出所或自助机办理签注。",
        topic="居住证",
        unit="公安局",
        valid_from=NOW - timedelta(days=1),
        policy_basis="《居住证暂行条例》第十四条",
    )
    store.revise(number, revised, actor="王五")
    assert store.status(number) == (DRAFT, 4)
    assert search.search("居住证签注", at=NOW) == [], "a revised entry waits for review again"
    store.submit(number, actor="王五")
    store.publish(number, actor="热线中心")
    assert store.status(number) == (PUBLISHED, 6)
    proposals = search.search("居住证签注", at=NOW)
    assert [p.number for p in proposals] == [number]
    assert "签注" in proposals[0].snippet
    assert search.search("稳定就业", at=NOW) == [], "the old answer's words are gone from the index"

    history = store.history(number)
    assert [(r.version, r.change, r.status, r.actor) for r in history] == [
        (1, "create", DRAFT, "张三"),
        (2, "submit", "in-review", "张三"),
        (3, "publish", PUBLISHED, "热线中心"),
        (4, "revise", DRAFT, "王五"),
        (5, "submit", "in-review", "王五"),
        (6, "publish", PUBLISHED, "热线中心"),
    ]
    assert history[0].question == ENTRIES[2].question
    assert history[3].question == revised.question
    assert history[3].policy_basis == revised.policy_basis
    assert history[3].changed_at == NOW


def test_changes_the_status_does_not_allow_are_refused(
    stores: tuple[KnowledgeStore, KnowledgeSearch],
) -> None:
    store, _ = stores
    number = store.create(ENTRIES[1], actor="张三")
    with pytest.raises(KnowledgeError, match="不能执行"):
        store.publish(number, actor="热线中心")  # not reviewed
    store.withdraw(number, actor="张三")
    with pytest.raises(KnowledgeError, match="不能执行"):
        store.submit(number, actor="张三")
    assert store.status(number) == (WITHDRAWN, 2)
    with pytest.raises(KnowledgeError, match="没有编号"):
        store.withdraw("ZS9999999", actor="张三")
