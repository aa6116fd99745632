"""Taking in upstream items (workers/upstream/intake.py) with the real HTTP/JSON adapter against a
fake provincial hotline system on 127.0.0.1, on a SQLite and a PostgreSQL ledger: every item starts
exactly one process or is quarantined exactly once, however often it is offered, and an item whose
start was cut short starts on the next fetch."""

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from upstream_server import KEY, TOKEN, FakePlatform, order

from workers.ids import ProcessId
from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate
from workers.upstream.http_json import HttpJsonUpstream
from workers.upstream.intake import IntakeCounts, take_in
from workers.upstream.store import UpstreamStore
from workers.upstream_policy import known_categories

CONFIG = Path(__file__).resolve().parents[2] / "config"
MALFORMED: list[object] = [
    order("HL-900", subject=""),
    order("HL-901", orderType="灌水类"),
    {"assignedAt": "2026-12-15 11:00:00", "subject": "无编号", "orderType": "建议类"},
    "not an object",
]


class Starts:
    """A starter that records what it started; `fail_next` makes the next start fail as a crash of
    the engine connection would."""

    def __init__(self) -> None:
        self.started: list[tuple[str, dict[str, Any]]] = []
        self.fail_next = False
        self._keys = itertools.count(2_251_799_813_685_249)

    async def __call__(self, process_id: str, variables: dict[str, Any]) -> int:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the engine went away")
        self.started.append((process_id, variables))
        return next(self._keys)

    def ids(self) -> list[str]:
        return [variables["upstreamId"] for _, variables in self.started]


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[UpstreamStore]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}" if database_url.startswith("sqlite") else database_url
    migrate(url)
    engine = open_engine(url)
    yield UpstreamStore(engine)
    engine.dispose()


async def fetch(server: FakePlatform, store: UpstreamStore, starts: Starts) -> IntakeCounts:
    platform = server.platform(CONFIG)
    async with HttpJsonUpstream(KEY, platform, known_categories(CONFIG), SecretStr(TOKEN)) as upstream:
        return await take_in(upstream, platform.process, store, starts)


async def test_each_item_starts_once_and_each_malformed_one_is_quarantined_once(store: UpstreamStore) -> None:
    items = [order("HL-001"), order("HL-002"), order("HL-001"), *MALFORMED]
    starts = Starts()
    with FakePlatform(items) as server:
        first = await fetch(server, store, starts)
        # The platform offers HL-003 new, and the malformed ones again (they were not acknowledged).
        server.items.append(order("HL-003"))
        # A platform that forgot an acknowledgement offers the item again.
        server.taken.discard("HL-002")
        second = await fetch(server, store, starts)
        acknowledged = list(server.acknowledged)

    assert first == IntakeCounts(fetched=7, started=2, duplicates=1, quarantined=4), (
        f"the first fetch should start HL-001 and HL-002, skip HL-001's repeat and quarantine 4, got {first}"
    )
    assert second == IntakeCounts(fetched=6, started=1, duplicates=5, quarantined=0), (
        f"the second fetch should start only HL-003; HL-002 and the malformed ones are known, got {second}"
    )
    assert starts.ids() == ["HL-001", "HL-002", "HL-003"], (
        f"each item should start once, started {starts.ids()}"
    )
    assert sorted(acknowledged) == ["HL-001", "HL-002", "HL-002", "HL-003"], (
        f"every started item should be acknowledged (HL-002 again when offered again), got {acknowledged}"
    )
    kept = store.quarantined(limit=10)
    assert sorted(str(item.upstream_id) for item in kept) == ["HL-900", "HL-901", "None", "None"], (
        f"each malformed item should be quarantined once, got {[item.upstream_id for item in kept]}"
    )
    no_subject = next(item for item in kept if item.upstream_id == "HL-900")
    assert no_subject.reasons == ("title: must not be blank",), (
        f"the reasons should say why: {no_subject.reasons}"
    )
    assert no_subject.raw["orderNo"] == "HL-900", "the quarantine should keep what the platform sent"


async def test_started_items_carry_the_console_intakes_variables_and_their_origin(
    store: UpstreamStore,
) -> None:
    starts = Starts()
    with FakePlatform([order("HL-001")]) as server:
        await fetch(server, store, starts)

    [(process_id, variables)] = starts.started
    assert process_id == ProcessId.HOTLINE_TICKET, (
        f"a provincial hotline order should start a ticket, not {process_id}"
    )
    assert variables == {
        "title": "小区路灯不亮（HL-001）",
        "content": "幸福小区三号楼前的路灯已经坏了两周。",
        "receivedAt": "2026-12-15T09:30:00+08:00",
        "appellant": {"name": "王女士", "phone": "13800000000", "address": "幸福小区3号楼"},
        "upstreamPlatform": KEY,
        "upstreamId": "HL-001",
    }, f"the start variables should be those the console's intake gives, plus the origin: {variables}"
    tracked = store.item(KEY, "HL-001")
    assert tracked is not None and tracked.started and tracked.acknowledged, (
        f"HL-001 should be marked: {tracked}"
    )
    assert tracked.process_instance_key == 2_251_799_813_685_249, "the instance key should be recorded"


async def test_an_item_whose_start_was_cut_short_starts_on_the_next_fetch_once(store: UpstreamStore) -> None:
    starts = Starts()
    with FakePlatform([order("HL-001"), order("HL-002")]) as server:
        starts.fail_next = True
        with pytest.raises(ConnectionError):
            await fetch(server, store, starts)
        claimed = store.item(KEY, "HL-001")
        assert claimed is not None and not claimed.started, (
            f"HL-001 should be claimed but not started: {claimed}"
        )
        assert server.acknowledged == [], "nothing should be acknowledged before its process started"
        again = await fetch(server, store, starts)
        third = await fetch(server, store, starts)
        acknowledged = list(server.acknowledged)

    assert starts.ids() == ["HL-001", "HL-002"], (
        f"each item should start exactly once, started {starts.ids()}"
    )
    assert again.started == 2, f"the next fetch should start both, got {again}"
    assert third == IntakeCounts(), (
        f"once acknowledged the platform offers nothing and nothing starts: {third}"
    )
    assert acknowledged == ["HL-001", "HL-002"], f"each should be acknowledged once, got {acknowledged}"


async def test_a_resolved_quarantine_entry_is_kept_apart_from_a_new_offer(store: UpstreamStore) -> None:
    starts = Starts()
    with FakePlatform([order("HL-900", subject="")]) as server:
        await fetch(server, store, starts)
        [entry] = store.quarantined(limit=10)
        resolved = store.resolve_quarantined(entry.id, actor="张三")
        # Still not fixed upstream: offered again, it is a new case for a person.
        await fetch(server, store, starts)

    assert resolved.resolved_by == "张三" and resolved.resolved_at is not None, (
        f"should be resolved: {resolved}"
    )
    entries = store.quarantined(limit=10)
    assert [entry.resolved_by for entry in entries] == [None, "张三"], (
        f"the new offer should be listed unresolved first, then the resolved one: {entries}"
    )
    assert store.quarantined_count(unresolved_only=True) == 1, "one entry should be unresolved"
