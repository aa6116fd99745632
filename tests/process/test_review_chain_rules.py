"""review-chain (逐级审签), the shared call activity: the reviewers of a configured chain sign off
one after another; a rejection ends the review; a review not signed off within its limit is
reported to supervision [seed 000 三]."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from pyzeebe import ZeebeClient
from scenario import SUPERVISION, Steps, after, configured_chain, instant, local, move_to

from engine.testing.handle import EngineHandle
from workers.ids import ProcessId, ReviewChain
from workers.ledger.events import CaseRegistration
from workers.ledger.service import Ledger

_job_keys = count(1)


def open_case(ledger: Ledger) -> str:
    registration = CaseRegistration(
        channel=ProcessId.ONLINE_MESSAGE, title="小区道路破损", content="路面塌陷"
    )
    return ledger.register(-next(_job_keys), registration)


async def start_review(client: ZeebeClient, case_number: str, **variables: Any) -> int:
    started = await client.run_process(
        ProcessId.REVIEW_CHAIN,
        {
            "caseNumber": case_number,
            "channel": ProcessId.ONLINE_MESSAGE,
            "reviewChain": "government-reply",
            "draftText": "经核查，该路段已列入维修计划，将于本月内修复。",
            **variables,
        },
    )
    return started.process_instance_key


async def test_a_government_reply_is_signed_off_level_by_level_in_the_configured_order(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await start_review(client, open_case(workers), reviewLimitKey="答复审签")
    chain = configured_chain("government-reply")
    assert [reviewer["group"] for reviewer in chain] == [
        "deputy-secretary-general",
        "secretary-general",
        "vice-mayor",
        "mayor",
    ], "the shipped chain: 分管副秘书长 → 秘书长 → 分管副市长 → 市长 [seed 000 三]"
    reviews = Steps(engine, key)
    groups: list[tuple[str, ...]] = []
    for step in range(len(chain)):
        edited = {"reviewedText": "经核查，该路段已列入维修计划，将于10月20日前修复。"} if step == 1 else {}
        groups.append(await reviews.complete(reviewDecision="approved", reviewOpinion="同意", **edited))
    assert groups == [(reviewer["group"],) for reviewer in chain], "the chain of the config, in order"
    view = await engine.is_completed(key)
    assert view.variables["reviewApproved"] is True
    assert view.variables["reviewedText"] == "经核查，该路段已列入维修计划，将于10月20日前修复。", (
        "a reviewer's edit is what the later reviewers and the caller get"
    )
    assert [opinion["title"] for opinion in view.variables["reviewOpinions"]] == [
        "分管副秘书长",
        "秘书长",
        "分管副市长",
        "市长",
    ]
    assert {opinion["decision"] for opinion in view.variables["reviewOpinions"]} == {"approved"}
    assert ReviewChain.NOTIFY_REVIEW_OVERDUE not in view.passed


async def test_a_rejection_ends_the_review_and_returns_the_draft_with_the_opinion(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await start_review(client, open_case(workers), reviewLimitKey="答复审签")
    reviews = Steps(engine, key)
    first = await reviews.complete(reviewDecision="approved", reviewOpinion="同意")
    assert first == ("deputy-secretary-general",)
    second = await reviews.complete(reviewDecision="rejected", reviewOpinion="答复未说明修复时间，请补充")
    assert second == ("secretary-general",)
    view = await engine.is_completed(key)
    assert view.variables["reviewApproved"] is False
    assert view.variables["reviewOpinions"] == [
        {"title": "分管副秘书长", "decision": "approved", "opinion": "同意"},
        {"title": "秘书长", "decision": "rejected", "opinion": "答复未说明修复时间，请补充"},
    ]
    assert len(reviews.done) == 2, "the vice mayor and the mayor never see it"
    assert not await engine.user_tasks(key)


async def test_a_review_not_signed_off_within_three_working_days_is_reported_to_supervision(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    # Sent for review on Tuesday 29 September 2026: 30 September, then (National Day holiday
    # 1-7 October) 8 and 9 October are the three working days; the limit ends 9 October 24:00.
    move_to(engine, local("2026-09-29 10:00"))
    case_number = open_case(workers)
    key = await start_review(client, case_number, reviewLimitKey="答复审签")
    task = await engine.user_task_at(key, ReviewChain.REVIEW_STEPS)
    view = engine.instance(key)
    assert view.variables["reviewDueAt"] == "2026-10-10T00:00:00+08:00"
    due = instant("2026-10-10T00:00:00+08:00")
    assert instant(task.due_date) == due, "the reviewer's task shows the limit"

    await after(engine, local("2026-10-09 23:59"))
    assert ReviewChain.NOTIFY_REVIEW_OVERDUE not in engine.instance(key).passed
    assert not [post for post in workers.inbox(SUPERVISION) if "审签超时" in post.subject]

    engine.increase_time(timedelta(minutes=2))
    await engine.wait_until_idle()
    await engine.has_passed(key, ReviewChain.NOTIFY_REVIEW_OVERDUE)
    posts = [post for post in workers.inbox(SUPERVISION) if "审签超时" in post.subject]
    assert len(posts) == 1 and posts[0].case_number == case_number
    assert "逐级审签未在答复审签时限内完成" in posts[0].body

    # The timer does not interrupt: the review goes on where it stood.
    assert (await engine.user_task_at(key, ReviewChain.REVIEW_STEPS)).key == task.key
    reviews = Steps(engine, key)
    for _ in range(4):
        await reviews.complete(reviewDecision="approved")
    view = await engine.is_completed(key)
    assert view.variables["reviewApproved"] is True


async def test_a_review_signed_off_in_time_cancels_its_deadline(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    move_to(engine, local("2026-09-29 10:00"))
    key = await start_review(client, open_case(workers), reviewLimitKey="答复审签")
    reviews = Steps(engine, key)
    for _ in range(4):
        await reviews.complete(reviewDecision="approved")
    view = await engine.is_completed(key)
    assert view.terminated.count(ReviewChain.REVIEW_DUE_TIMER) == 1, "the terminate end ends the watch"
    await after(engine, local("2026-10-12 09:00"))
    assert ReviewChain.NOTIFY_REVIEW_OVERDUE not in engine.instance(key).passed
    assert not [post for post in workers.inbox(SUPERVISION) if "审签超时" in post.subject]


async def test_without_a_limit_key_the_review_has_no_deadline(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await start_review(client, open_case(workers))
    task = await engine.user_task_at(key, ReviewChain.REVIEW_STEPS)
    assert task.due_date is None
    reviews = Steps(engine, key)
    for _ in range(4):
        await reviews.complete(reviewDecision="approved")
    view = await engine.is_completed(key)
    assert ReviewChain.COMPUTE_REVIEW_DEADLINE not in view.passed
    assert ReviewChain.REVIEW_DUE_TIMER not in view.passed + view.terminated


async def test_a_chain_of_the_handling_unit_names_the_units_own_groups(
    engine: EngineHandle, client: ZeebeClient, workers: Ledger
) -> None:
    key = await start_review(client, open_case(workers), reviewChain="deputy-reply", unit="住房城乡建设委")
    reviews = Steps(engine, key)
    assert await reviews.complete(reviewDecision="approved") == ("住房城乡建设委办公室",)
    assert await reviews.complete(reviewDecision="approved") == ("住房城乡建设委领导",)
    view = await engine.is_completed(key)
    assert [opinion["title"] for opinion in view.variables["reviewOpinions"]] == [
        "承办单位办公室",
        "承办单位领导",
    ]


pytestmark = pytest.mark.usefixtures("workers")
