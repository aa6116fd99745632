"""`minsheng knowledge load-seed` on both databases: the seed's entries are published by "seed" and
found by search, and loading the file again adds nothing."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from minsheng.cli import main
from minsheng.knowledge_cli import SEED_ACTOR, load_seed
from minsheng.knowledge_eval import SEED
from workers.knowledge.search import KnowledgeSearch
from workers.knowledge.seed import read_seed
from workers.knowledge.store import PUBLISHED, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate
from workers.ledger.models import KnowledgeEntry

REPOSITORY = Path(__file__).resolve().parents[2]
SEGMENTER = KnowledgeSegmenter()
AT = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def ledger_url(database_url: str, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}" if database_url.startswith("sqlite") else database_url


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Engine]:
    migrate(ledger_url)
    engine = open_engine(ledger_url)
    yield engine
    engine.dispose()


def statuses(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(select(KnowledgeEntry.status, func.count()).group_by(KnowledgeEntry.status))
        return {status: count for status, count in rows}


def test_the_seed_is_published_once_however_often_it_is_loaded(ledger: Engine, tmp_path: Path) -> None:
    entries = read_seed(SEED)
    first = load_seed(ledger, SEGMENTER, entries)
    assert (len(first.created), first.skipped) == (len(entries), 0)
    assert statuses(ledger) == {PUBLISHED: len(entries)}, "not every seed entry was published"

    store = KnowledgeStore(ledger, SEGMENTER)
    history = store.history(first.created[0])
    assert [(r.change, r.actor) for r in history] == [
        ("create", SEED_ACTOR),
        ("submit", SEED_ACTOR),
        ("publish", SEED_ACTOR),
    ]
    proposals = KnowledgeSearch(ledger, SEGMENTER).search("身份证丢了补办", at=AT, limit=3)
    assert proposals and proposals[0].question.startswith("身份证丢了怎么补办"), (
        f"the seed's entry on a lost identity card is not proposed first: {[p.question for p in proposals]}"
    )

    again = load_seed(ledger, SEGMENTER, entries)
    assert (again.created, again.skipped) == ([], len(entries)), "loading the seed twice added entries"
    assert statuses(ledger) == {PUBLISHED: len(entries)}

    # A seed that grows by one entry adds just that one.
    grown = tmp_path / "grown.jsonl"
    extra = (
        '{"question": "犬类登记怎么办理", "answer": "' + "养犬人应当为犬只办理登记并按时免疫。" * 5 + '", '
        '"topic": "养犬管理", "unit": "综合执法局", "valid_from": "2026-01-01T00:00:00+08:00"}\n'
    )
    grown.write_text(SEED.read_text(encoding="utf-8") + extra, encoding="utf-8")
    third = load_seed(ledger, SEGMENTER, read_seed(grown))
    assert (len(third.created), third.skipped) == (1, len(entries))


def test_the_command_loads_the_ledger_it_is_configured_with(
    ledger_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MINSHENG_LEDGER_DATABASE_URL", ledger_url)
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", str(REPOSITORY / "config"))
    count = len(read_seed(SEED))

    assert main(["knowledge", "load-seed", "--file", str(SEED)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"published   {count} entries (ZS0000001–ZS{count:07d})",
        "skipped     0 entries already in the ledger",
    ]
    assert main(["knowledge", "load-seed", "--file", str(SEED)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "published   0 entries",
        f"skipped     {count} entries already in the ledger",
    ]


def test_the_command_refuses_a_bad_seed_and_writes_nothing(
    ledger_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MINSHENG_LEDGER_DATABASE_URL", ledger_url)
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", str(REPOSITORY / "config"))
    bad = tmp_path / "entries.jsonl"
    lines = SEED.read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([*lines[:2], lines[2].replace('"unit": "', '"unit": "公安局'), *lines[3:]]))

    assert main(["knowledge", "load-seed", "--file", str(bad)]) == 1
    error = capsys.readouterr().err
    assert f"{bad}, line 3: unit: is not in the unit directory" in error, f"unexpected error: {error}"
    migrate(ledger_url)
    engine = open_engine(ledger_url)
    try:
        assert statuses(engine) == {}, "a bad seed wrote entries"
    finally:
        engine.dispose()
