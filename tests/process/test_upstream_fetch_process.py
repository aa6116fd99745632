"""upstream-fetch (上级平台交办件定时下载) and the answer back (回复上级平台), on the real diagrams and
workers against a fake provincial hotline system on 127.0.0.1 (tests/upstream_server.py).

The timer start event is scheduled when the diagram is deployed, so this module deploys at a known
moment (`deployed_at`, overridden per test by parametrizing it) and moves the engine's clock, which
is also the workers', from there. Cron is evaluated in UTC: 09:00 and 15:00 in Beijing are 01:00 and
07:00 UTC.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyzeebe import ZeebeClient
from scenario import REPOSITORY, after, dispatch_ticket
from test_online_message_rules import ROAD, draft_and_sign_off, to_reply_draft
from upstream_server import KEY, TOKEN, FakePlatform, order

from engine.testing.assertions import eventually
from engine.testing.handle import EngineHandle
from workers.ids import HotlineTicket, JobType, OnlineMessage, ProcessId, UnitHandling, UpstreamFetch
from workers.ledger.service import Ledger
from workers.upstream.store import TrackedItem, UpstreamStore
from workers.upstream_tasks import DIAGRAM_RETRIES


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def deployed_at() -> datetime:
    """Tuesday 15 December 2026, 18:00 in Beijing: the next fetch is Wednesday's at 09:00."""
    return utc("2026-12-15T10:00:00")


@pytest.fixture
async def deployed(engine: EngineHandle, client: ZeebeClient, deployed_at: datetime) -> None:
    # Every diagram but the bulletins', whose timers would compile bulletins as the clock moves.
    engine.set_time(int(deployed_at.timestamp() * 1000))
    diagrams = [
        path
        for path in sorted((REPOSITORY / "bpmn").glob("*.bpmn"))
        if path.stem != ProcessId.PERIODIC_REPORT
    ]
    await client.deploy_resource(*diagrams, *sorted((REPOSITORY / "forms").glob("*.form")))
    await engine.wait_until_idle()


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform(
        [order("HL-001"), order("HL-002"), order("HL-001"), order("HL-900", subject="")]
    ) as server:
        yield server


@pytest.fixture
def policy_dir(platform: FakePlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped policy with the provincial hotline enabled at the fake platform, its token set."""
    config = tmp_path / "config"
    shutil.copytree(REPOSITORY / "config", config)
    upstream = config / "upstream.toml"
    shipped = 'enabled = false\nbase_url = "https://hotline.example.gov.cn/api/v1"'
    text = upstream.read_text()
    assert shipped in text, (
        "config/upstream.toml's provincial hotline is no longer where this test expects it"
    )
    upstream.write_text(text.replace(shipped, f'enabled = true\nbase_url = "{platform.url}"'))
    monkeypatch.setenv("MINSHENG_UPSTREAM_SECRETS", json.dumps({KEY: TOKEN}))
    return config


async def instances(engine: EngineHandle, process_id: str) -> list[int]:
    """The keys of `process_id`'s instances, oldest first."""
    assert engine.rest_url is not None
    async with httpx.AsyncClient(base_url=engine.rest_url) as rest:
        response = await rest.post(
            "/v2/process-instances/search",
            json={"filter": {"processDefinitionId": process_id}, "page": {"limit": 100}},
        )
    response.raise_for_status()
    return sorted(int(item["processInstanceKey"]) for item in response.json()["items"])


async def fetches_reach(platform: FakePlatform, count: int) -> None:
    async def check() -> bool:
        return platform.fetches >= count

    await eventually(
        check, lambda: f"the platform was fetched from {platform.fetches} times, expected {count}"
    )


@pytest.mark.usefixtures("workers")
async def test_the_nine_oclock_fetch_starts_a_ticket_per_new_item_and_acknowledges_it(
    engine: EngineHandle, platform: FakePlatform, workers: Ledger
) -> None:
    await after(engine, utc("2026-12-16T00:59:59"))
    assert platform.fetches == 0, "nothing should be fetched before 09:00 Beijing time"
    await after(engine, utc("2026-12-16T01:00:01"))
    [fetch] = await instances(engine, ProcessId.UPSTREAM_FETCH)
    view = await engine.is_completed(fetch, timeout=30)
    assert view.variables["platforms"] == [KEY], f"Wednesday is a working day: {view.variables['platforms']}"

    store = workers.upstream_store()
    tickets = {}
    for number in ("HL-001", "HL-002"):
        item = store.item(KEY, number)
        assert item is not None and item.process_instance_key is not None, (
            f"{number} should have started: {item}"
        )
        tickets[number] = engine.instance(item.process_instance_key).variables
    assert {number: (v["upstreamPlatform"], v["upstreamId"]) for number, v in tickets.items()} == {
        "HL-001": (KEY, "HL-001"),
        "HL-002": (KEY, "HL-002"),
    }, "each ticket should carry the platform and the item it came from"
    assert len(await instances(engine, ProcessId.HOTLINE_TICKET)) == 2, (
        "HL-001, offered twice, should start once"
    )
    assert sorted(platform.acknowledged) == ["HL-001", "HL-002"], f"acknowledged {platform.acknowledged}"
    [kept] = store.quarantined(limit=10)
    assert kept.upstream_id == "HL-900", f"the order without a title should be quarantined, not {kept}"

    # 15:00 Beijing: fetched again; only the quarantined order is still offered, nothing starts.
    await after(engine, utc("2026-12-16T07:00:01"))
    await fetches_reach(platform, 2)
    assert len(await instances(engine, ProcessId.UPSTREAM_FETCH)) == 2, "the 15:00 fetch should have run"
    assert len(await instances(engine, ProcessId.HOTLINE_TICKET)) == 2, "nothing new should start at 15:00"
    assert len(store.quarantined(limit=10)) == 1, "the quarantined order should not be kept twice"


@pytest.mark.parametrize(
    ("deployed_at", "day_off"),
    [
        (utc("2026-12-18T10:00:00"), "2026-12-19T01:00:01"),  # Saturday
        (utc("2026-09-30T10:00:00"), "2026-10-01T01:00:01"),  # National Day
    ],
)
@pytest.mark.usefixtures("workers")
async def test_nothing_is_fetched_on_a_day_off(
    engine: EngineHandle, platform: FakePlatform, day_off: str
) -> None:
    await after(engine, utc(day_off))
    [fetch] = await instances(engine, ProcessId.UPSTREAM_FETCH)
    view = await engine.is_completed(fetch, timeout=30)
    assert view.variables["platforms"] == [], f"no platform should be fetched from on {day_off[:10]}"
    assert platform.fetches == 0, f"the platform was fetched from {platform.fetches} times on a day off"


async def failures_reported(caplog: pytest.LogCaptureFixture, count: int) -> None:
    """The worker has reported `count` failed fetch jobs to the engine (job_log logs a job's end once
    pyzeebe has told the engine): moving the clock before that could time the job out instead."""

    def reported() -> int:
        return sum(record.getMessage().startswith(JobType.UPSTREAM_FETCH) for record in caplog.records)

    async def check() -> bool:
        return reported() >= count

    await eventually(check, lambda: f"{reported()} failed fetches were reported, expected {count}")


@pytest.mark.usefixtures("workers")
async def test_a_platform_that_is_down_is_retried_with_backoff_then_raises_an_incident(
    engine: EngineHandle, platform: FakePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="workers.jobs")
    platform.mode = "503"
    moment = utc("2026-12-16T01:00:01")
    await after(engine, moment)
    await failures_reported(caplog, 2)  # each attempt logs its failure and its end
    # 60 s after the first failure, doubled after each further one (config/upstream.toml [retry]).
    for attempt, back_off in enumerate((60, 120, 240, 480), start=2):
        await after(engine, moment + timedelta(seconds=back_off - 5))
        assert platform.fetches == attempt - 1, f"attempt {attempt} came before its {back_off} s backoff"
        moment += timedelta(seconds=back_off)
        await after(engine, moment)
        await fetches_reach(platform, attempt)
        await failures_reported(caplog, 2 * attempt)
    [fetch] = await instances(engine, ProcessId.UPSTREAM_FETCH)
    view = await engine.has_incident(fetch, element_id=UpstreamFetch.FETCH)
    [incident] = view.incidents.values()
    assert KEY in incident.error_message and "系统维护中" in incident.error_message, (
        f"the incident should name the platform and its message: {incident.error_message}"
    )
    await after(engine, moment + timedelta(hours=1))
    assert platform.fetches == DIAGRAM_RETRIES, f"{DIAGRAM_RETRIES} attempts, then none: {platform.fetches}"


@pytest.mark.usefixtures("workers")
async def test_a_refusing_platform_raises_an_incident_at_once(
    engine: EngineHandle, platform: FakePlatform
) -> None:
    platform.mode = "401"
    await after(engine, utc("2026-12-16T01:00:01"))
    [fetch] = await instances(engine, ProcessId.UPSTREAM_FETCH)
    view = await engine.has_incident(fetch, element_id=UpstreamFetch.FETCH)
    [incident] = view.incidents.values()
    assert KEY in incident.error_message and "令牌无效" in incident.error_message, (
        f"the incident should name the platform and its refusal: {incident.error_message}"
    )
    await after(engine, utc("2026-12-16T02:00:00"))
    assert platform.fetches == 1, (
        f"a refused fetch should not be retried, it was tried {platform.fetches} times"
    )


async def answer(engine: EngineHandle, key: int, text: str) -> dict[str, Any]:
    """The ticket dispatched, signed for and answered by the unit; its variables at the callback."""
    await engine.is_waiting_at(key, HotlineTicket.INTAKE)
    await dispatch_ticket(engine, key)
    await engine.complete_user_task(
        key,
        UnitHandling.SIGN_FOR,
        {"signAction": "accept", "readingLeader": "王局长", "readingOpinion": "请办理"},
    )
    await engine.complete_user_task(
        key,
        UnitHandling.HANDLING_REPLY,
        {
            "handlingAction": "reply",
            "replyText": text,
            "replySigner": "王局长",
            "signatureManner": "handwritten",
        },
    )
    await engine.user_task_at(key, HotlineTicket.CALLBACK)
    return engine.instance(key).variables


# In September, so that the ticket's 20 working days stay within the years the calendar covers.
@pytest.mark.parametrize("deployed_at", [utc("2026-09-15T10:00:00")])
@pytest.mark.usefixtures("workers")
async def test_the_answer_to_an_upstream_ticket_is_posted_back_and_its_receipt_recorded(
    engine: EngineHandle, platform: FakePlatform, workers: Ledger
) -> None:
    await after(engine, utc("2026-09-16T01:00:01"))
    store = workers.upstream_store()
    item = await eventually(
        lambda: _started(store, "HL-001"), lambda: f"HL-001 should have started: {store.item(KEY, 'HL-001')}"
    )
    assert item.process_instance_key is not None
    text = "已安排维修人员更换路灯，12月18日前修复。"
    variables = await answer(engine, item.process_instance_key, text)

    await engine.has_passed(item.process_instance_key, HotlineTicket.POST_UPSTREAM_ANSWER)
    posted = platform.answers.get("HL-001")
    assert posted is not None, f"the answer should be posted to the platform, it has {platform.answers}"
    assert (posted["replyContent"], posted["handlingUnit"]) == (text, variables["leadUnit"]), (
        f"the platform should get the reply and the unit that gave it: {posted}"
    )
    answered = store.item(KEY, "HL-001")
    assert answered is not None and answered.receipt_id == "R-HL-001", (
        f"the receipt should be recorded: {answered}"
    )
    assert answered.answered_at is not None and answered.answer_error is None
    assert answered.case_number == variables["caseNumber"], "the item should name its case"


async def _started(store: UpstreamStore, number: str) -> TrackedItem | None:
    item = store.item(KEY, number)
    return item if item is not None and item.started else None


@pytest.mark.parametrize("deployed_at", [utc("2026-09-29T10:00:00")])
@pytest.mark.usefixtures("workers")
async def test_an_upstream_message_is_answered_upward_with_its_supervision_report(
    engine: EngineHandle, client: ZeebeClient, platform: FakePlatform, workers: Ledger
) -> None:
    platform.items.clear()  # the timer's fetches find nothing; the message is started below
    store = workers.upstream_store()
    # Claimed and started as a fetch from an online-message platform would (the fake speaks only
    # the provincial hotline's dialect, which takes answers alike).
    store.claim(KEY, "LY-001", "test-fetch")
    key = await to_reply_draft(
        engine,
        client,
        {**ROAD, "source": "网上留言", "fromAbove": True, "upstreamPlatform": KEY, "upstreamId": "LY-001"},
    )
    store.mark_started(KEY, "LY-001", key)
    await draft_and_sign_off(engine, key)
    await engine.complete_user_task(
        key, OnlineMessage.UPWARD_REPORT, {"reportNumber": "2026年第18期", "reportText": "办理情况报告……"}
    )
    await engine.user_task_at(key, OnlineMessage.CALLBACK)

    assert OnlineMessage.POST_UPSTREAM_ANSWER in engine.instance(key).passed, (
        "the answer should be posted upward"
    )
    posted = platform.answers.get("LY-001")
    assert posted is not None, f"the platform should have the answer, it has {platform.answers}"
    assert (posted["replyContent"], posted["handlingUnit"]) == ("办理情况报告……", "市人民政府"), (
        f"a message from above is answered with its supervision report, in the government's name: {posted}"
    )
    answered = store.item(KEY, "LY-001")
    assert answered is not None and answered.receipt_id == "R-LY-001", (
        f"the receipt should be recorded: {answered}"
    )
