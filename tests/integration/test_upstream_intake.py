"""Taking in upstream items (workers/upstream/intake.py) and answering them
(workers/upstream/answering.py) with the real HTTP/JSON adapter against a fake provincial hotline
system on 127.0.0.1, on a SQLite and a PostgreSQL ledger: every item starts exactly one process or
is quarantined exactly once, however often it is offered and however many fetches run at once; an
item whose start was cut short starts on the next fetch; an answer is posted once."""

import itertools
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from upstream_server import KEY, TOKEN, FakePlatform, order

from workers.ids import ProcessId
from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate
from workers.upstream.answering import post_answer_once
from workers.upstream.http_json import HttpJsonUpstream
from workers.upstream.intake import IntakeCounts, take_in
from workers.upstream.store import CLAIM_LEASE, UpstreamStore
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
        # Run inside the next start, before it returns: another fetch overlapping this one.
        self.during_next: Callable[[], Awaitable[object]] | None = None
        self._keys = itertools.count(2_251_799_813_685_249)

    async def __call__(self, process_id: str, variables: dict[str, Any]) -> int:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the engine went away")
        if self.during_next is not None:
            during, self.during_next = self.during_next, None
            await during()
        self.started.append((process_id, variables))
        return next(self._keys)

    def ids(self) -> list[str]:
        return [variables["upstreamId"] for _, variables in self.started]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 15, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[UpstreamStore]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}" if database_url.startswith("sqlite") else database_url
    migrate(url)
    engine = open_engine(url)
    yield UpstreamStore(engine, clock)
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


async def test_two_fetches_at_once_start_each_item_once(store: UpstreamStore) -> None:
    starts = Starts()
    with FakePlatform([order("HL-001"), order("HL-002")]) as server:
        overlapping: list[IntakeCounts] = []

        async def another_fetch() -> None:
            overlapping.append(await fetch(server, store, starts))

        # The second fetch runs whole while the first is starting HL-001.
        starts.during_next = another_fetch
        first = await fetch(server, store, starts)
        acknowledged = list(server.acknowledged)

    assert sorted(starts.ids()) == ["HL-001", "HL-002"], (
        f"each item should start exactly once however the fetches overlap, started {starts.ids()}"
    )
    assert overlapping == [IntakeCounts(fetched=2, started=1, duplicates=1)], (
        f"the overlapping fetch should leave HL-001 to the fetch starting it and start HL-002: {overlapping}"
    )
    assert first == IntakeCounts(fetched=2, started=1, duplicates=1), (
        f"the first fetch should start HL-001 and find HL-002 started: {first}"
    )
    assert acknowledged.count("HL-001") == 1, (
        f"HL-001 should be acknowledged by the fetch that started it, once: {acknowledged}"
    )


async def test_a_claim_left_by_a_crashed_fetch_is_taken_over_after_the_lease(
    store: UpstreamStore, clock: Clock
) -> None:
    # A fetch that died between claiming HL-001 and starting its process leaves its claim behind.
    store.claim(KEY, "HL-001", "crashed-fetch")
    starts = Starts()
    with FakePlatform([order("HL-001")]) as server:
        clock.now += CLAIM_LEASE - timedelta(seconds=1)
        within = await fetch(server, store, starts)
        assert server.acknowledged == [], "an item another fetch may still be starting is not acknowledged"
        clock.now += timedelta(seconds=2)
        after = await fetch(server, store, starts)
        acknowledged = list(server.acknowledged)

    assert within == IntakeCounts(fetched=1, duplicates=1), (
        f"within the lease the item belongs to the fetch that claimed it: {within}"
    )
    assert after == IntakeCounts(fetched=1, started=1), (
        f"after the lease the next fetch should start it: {after}"
    )
    assert starts.ids() == ["HL-001"] and acknowledged == ["HL-001"], (starts.ids(), acknowledged)


async def test_an_answer_is_posted_once_however_often_its_job_runs(store: UpstreamStore) -> None:
    starts = Starts()
    with FakePlatform([order("HL-001")]) as server:
        await fetch(server, store, starts)
        platform = server.platform(CONFIG)
        async with HttpJsonUpstream(KEY, platform, known_categories(CONFIG), SecretStr(TOKEN)) as upstream:
            at = datetime(2026, 12, 18, 8, 0, tzinfo=UTC)
            first = await post_answer_once(
                upstream, store, "HL-001", "路灯已修复。", "市城市管理局", at, "RX1"
            )
            # The job handed out again after its answer arrived (its completion was lost).
            again = await post_answer_once(
                upstream, store, "HL-001", "路灯已修复。", "市城市管理局", at, "RX1"
            )
            # The appellant was not satisfied: a second, different answer is a new one.
            second = await post_answer_once(upstream, store, "HL-001", "路灯已更换灯杆。", "市城市管理局", at)
        keys = list(server.answer_keys)
        answers = dict(server.answers)

    assert first is not None and first.receipt_id == "R-HL-001", f"the first answer should arrive: {first}"
    assert again is None, "the same answer, its receipt recorded, should not be posted again"
    assert second is not None, "a different answer should be posted"
    assert len(keys) == 2 and keys[0] != keys[1] and None not in keys, (
        f"two answers, each with its own Idempotency-Key, should have been posted: {keys}"
    )
    assert answers["HL-001"]["replyContent"] == "路灯已更换灯杆。", answers
    item = store.item(KEY, "HL-001")
    assert item is not None and item.answer_key == keys[1] and item.case_number == "RX1", item
