"""knowledge-entry (知识库) [seed 002 五; seed 003 §三.2(3)]: an entry's two-level review and
publication, and its yearly review, as scenarios on the real diagram and workers, moving the
engine's clock. Every step must leave its trace in the entry's version history.

The yearly review's timing is the jurisdiction's (config/knowledge.toml [review]: 30 days before the
validity ends). The entry below is valid through 30 June 2027, i.e. until 1 July 2027 00:00 in
Shanghai, so its review falls due on 1 June 2027 00:00.
"""

from __future__ import annotations

from typing import Any

from pyzeebe import ZeebeClient
from scenario import after, instant, local, start

from engine.testing.handle import EngineHandle
from workers.ids import KnowledgeEntry, ProcessId
from workers.knowledge.store import EXPIRED, PUBLISHED, WITHDRAWN, EntryText, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.service import Ledger

UNIT = "住房公积金管理中心"
SUBMITTER = "公积金中心张三"
LEADER = "公积金中心李副主任"
CENTRE = "热线中心王五"
SEGMENTER = KnowledgeSegmenter()
ENTRY = EntryText(
    question="住房公积金怎么提取？",
    answer="职工购买、建造、翻建、大修自住住房的，可以提取住房公积金。",
    topic="住房公积金",
    unit=UNIT,
    valid_from=local("2026-11-01 00:00"),
    valid_until=local("2027-07-01 00:00"),
)
REVISED_ANSWER = "职工购买、建造、翻建、大修自住住房，或偿还购房贷款本息的，可以提取住房公积金。"


async def submit_entry(engine: EngineHandle, client: ZeebeClient, store: KnowledgeStore) -> tuple[str, int]:
    """A new draft, submitted for review on Monday 2 November 2026; its number and process key."""
    number = store.create(ENTRY, actor=SUBMITTER)
    variables = {"entryNumber": number, "unit": UNIT, "submittedBy": SUBMITTER}
    key = await start(
        engine,
        client,
        ProcessId.KNOWLEDGE_ENTRY,
        local("2026-11-02 09:00"),
        variables,
        KnowledgeEntry.LEADER_REVIEW,
    )
    return number, key


async def review(
    engine: EngineHandle, key: int, step: str, reviewer: str, approved: bool = True
) -> tuple[str, ...]:
    """The review task at `step` decided by `reviewer`; its candidate groups."""
    decision = {"reviewDecision": "approved" if approved else "rejected", "reviewer": reviewer}
    task = await engine.complete_user_task(
        key, step, {**decision, "reviewOpinion": "" if approved else "请写明依据"}
    )
    return task.candidate_groups


async def revise(engine: EngineHandle, key: int, step: str, **changes: Any) -> dict[str, Any]:
    """Form knowledge-revision at `step`, prefilled as the process holds it, with `changes`; the
    variables it was prefilled with."""
    task = await engine.user_task_at(key, step)
    shown = engine.instance(key).variables
    form = {name: shown[name] for name in ("question", "answer", "policyBasis", "validFrom", "validUntil")}
    form |= {"revisionDecision": "resubmit", "submittedBy": SUBMITTER, **changes}
    await engine.driver.complete_user_task(task.key, form)
    return {**shown, "candidate_groups": task.candidate_groups}


async def publish(engine: EngineHandle, key: int) -> None:
    """Both reviews approve; the process waits for the yearly review."""
    await review(engine, key, KnowledgeEntry.LEADER_REVIEW, LEADER)
    await review(engine, key, KnowledgeEntry.CENTRE_REVIEW, CENTRE)
    await engine.is_waiting_at(key, KnowledgeEntry.REVIEW_TIMER)


def changes(store: KnowledgeStore, number: str) -> list[tuple[str, str]]:
    return [(revision.change, revision.actor) for revision in store.history(number)]


async def test_a_rejected_entry_is_revised_and_published_after_both_reviews(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    store = workers.knowledge_store(SEGMENTER)
    number, key = await submit_entry(engine, client, store)
    groups = await review(engine, key, KnowledgeEntry.LEADER_REVIEW, LEADER, approved=False)
    assert groups == (f"{UNIT}领导",), (
        f"the owning unit's leader reviews first, but the task went to {groups}"
    )

    shown = await revise(engine, key, KnowledgeEntry.REVISE_ENTRY, answer=REVISED_ANSWER)
    assert shown["candidate_groups"] == (UNIT,), "a rejected entry goes back to its owning unit"
    assert (shown["question"], shown["validFrom"], shown["validUntil"]) == (
        ENTRY.question,
        "2026-11-01",
        "2027-06-30",
    ), "the revision form shows the entry as it stands, valid through the day before its end"
    await publish(engine, key)

    assert store.status(number) == (PUBLISHED, 7), "published as the seventh version"
    assert store.text(number).answer == REVISED_ANSWER, "the published answer is the revised one"
    assert changes(store, number) == [
        ("create", SUBMITTER),
        ("submit", SUBMITTER),
        ("reject", LEADER),
        ("revise", SUBMITTER),
        ("submit", SUBMITTER),
        ("approve", LEADER),
        ("publish", CENTRE),
    ], f"every step is in the history with who made it: {changes(store, number)}"


async def test_the_hotline_centre_can_send_an_entry_back_and_the_unit_withdraw_it(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    store = workers.knowledge_store(SEGMENTER)
    number, key = await submit_entry(engine, client, store)
    await review(engine, key, KnowledgeEntry.LEADER_REVIEW, LEADER)
    groups = await review(engine, key, KnowledgeEntry.CENTRE_REVIEW, CENTRE, approved=False)
    assert groups == ("hotline-centre",), f"the hotline centre reviews second, but the task went to {groups}"

    await revise(engine, key, KnowledgeEntry.REVISE_ENTRY, revisionDecision="withdraw")
    await engine.is_completed(key)
    assert store.status(number)[0] == WITHDRAWN, "the unit withdrew the entry the centre sent back"
    assert [change for change, _ in changes(store, number)] == [
        "create",
        "submit",
        "approve",
        "reject",
        "withdraw",
    ], f"the centre's rejection is in the history: {changes(store, number)}"
    assert changes(store, number)[3] == ("reject", CENTRE), "the rejection names the centre's reviewer"


async def test_the_yearly_review_renews_an_entry_through_both_reviews(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    store = workers.knowledge_store(SEGMENTER)
    number, key = await submit_entry(engine, client, store)
    await publish(engine, key)
    variables = engine.instance(key).variables
    assert instant(variables["reviewAt"]) == local("2027-06-01 00:00"), "review 30 days before the end"
    assert instant(variables["reviewDueAt"]) == local("2027-07-01 00:00"), "due when the validity ends"

    await after(engine, local("2027-05-31 23:00"))
    assert KnowledgeEntry.ANNUAL_REVIEW not in [task.element_id for task in await engine.user_tasks(key)], (
        "the yearly review must not be asked for before its time"
    )
    await after(engine, local("2027-06-01 00:00"))
    shown = await revise(engine, key, KnowledgeEntry.ANNUAL_REVIEW, validUntil="2028-06-30")
    assert shown["candidate_groups"] == (UNIT,), "the owning unit reviews its entry"
    await publish(engine, key)

    assert store.status(number)[0] == PUBLISHED, "renewed and published again"
    assert store.text(number).valid_until == local("2028-07-01 00:00"), "valid through 30 June 2028"
    assert instant(engine.instance(key).variables["reviewAt"]) == local("2028-06-01 00:00"), (
        "the next yearly review is a month before the new end"
    )
    await after(engine, local("2027-07-01 00:05"))
    assert store.status(number)[0] == PUBLISHED, "a renewed entry does not expire at its old end"
    assert [change for change, _ in changes(store, number)][-4:] == ["revise", "submit", "approve", "publish"]


async def test_an_entry_not_reviewed_by_the_end_of_its_validity_expires(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    store = workers.knowledge_store(SEGMENTER)
    number, key = await submit_entry(engine, client, store)
    await publish(engine, key)
    await after(engine, local("2027-06-01 00:00"))
    await engine.user_task_at(key, KnowledgeEntry.ANNUAL_REVIEW)
    await after(engine, local("2027-06-30 23:59"))
    assert store.status(number)[0] == PUBLISHED, "valid through 30 June 2027"

    await after(engine, local("2027-07-01 00:00"))
    await engine.has_passed(key, KnowledgeEntry.EXPIRE_ENTRY)
    assert store.status(number)[0] == EXPIRED, "unreviewed at the end of its validity, the entry expires"
    assert changes(store, number)[-1] == ("expire", "system"), "the expiry is in the history"
    assert store.history(number)[-1].changed_at == local("2027-07-01 00:00"), (
        "expired when the validity ended"
    )

    # The review is still open: the unit can withdraw the expired entry for good (or renew it).
    await revise(engine, key, KnowledgeEntry.ANNUAL_REVIEW, revisionDecision="withdraw")
    await engine.is_completed(key)
    assert store.status(number)[0] == WITHDRAWN, "the unit withdrew the expired entry at its late review"
