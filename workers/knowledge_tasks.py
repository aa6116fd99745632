"""The knowledge base's steps of `bpmn/knowledge-entry.bpmn` (知识库) [seed 002 五; seed 003 §三.2(3)]:
thin handlers over `KnowledgeStore`, which keeps every change in the entry's version history with
who made it and when.

- `minsheng.knowledge.submit`, `.approve`, `.reject`, `.publish`, `.expire`, `.withdraw`: the change
  of that name to entry `entryNumber` by `actor`. Submitting also returns the entry's text for the forms that
  follow: `question`, `answer`, `topic`, `policyBasis`, `validFrom` and `validUntil` (local dates,
  `validUntil` the last day the entry is valid, null when open-ended) and `entryVersion`.
- `minsheng.knowledge.revise`: the entry's new wording and validity from form knowledge-revision
  (the same variables), by `submittedBy`; the entry is a draft again, to be submitted.
- `minsheng.knowledge.review-at`: when the owning unit reviews the just published entry
  (`reviewAt`) and when it expires unreviewed (`reviewDueAt`), as config/knowledge.toml says.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pyzeebe import ZeebeTaskRouter

from workers.ids import JobType
from workers.knowledge.policy import KnowledgePolicy, ReviewRule
from workers.knowledge.store import EntryText, KnowledgeStore
from workers.services.deadlines import iso
from workers.settings import TaskOptions
from workers.tasks import job_handler

_DAY = timedelta(days=1)


def review_dates(
    valid_until: datetime | None, published_at: datetime, rule: ReviewRule
) -> tuple[datetime, datetime]:
    """When the owning unit is asked to review an entry published at `published_at`, and when the
    entry expires if the review is not done by then (its validity's end)."""
    ahead = timedelta(days=rule.days_before_valid_until)
    if valid_until is None:
        review_at = published_at + timedelta(days=rule.days_after_publication)
        return review_at, review_at + ahead
    # An entry published close to its end is reviewed at once.
    return max(valid_until - ahead, published_at), valid_until


def shown_dates(text: EntryText, zone: ZoneInfo) -> dict[str, Any]:
    """The validity as the forms' date fields show it: the first and the last day it holds."""
    until = text.valid_until
    return {
        "validFrom": text.valid_from.astimezone(zone).date().isoformat(),
        # Valid until midnight means valid through the day before.
        "validUntil": None
        if until is None
        else (until.astimezone(zone) - timedelta(microseconds=1)).date().isoformat(),
    }


def _day(value: object, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} 须为日期（YYYY-MM-DD），收到 {value!r}") from None


def revised_text(current: EntryText, form: dict[str, Any], zone: ZoneInfo) -> EntryText:
    """The entry's text as form knowledge-revision changed it; the topic and owning unit stay."""
    until = form.get("validUntil")
    return EntryText(
        question=str(form["question"]),
        answer=str(form["answer"]),
        topic=current.topic,
        unit=current.unit,
        valid_from=datetime.combine(_day(form["validFrom"], "validFrom"), time(), zone),
        # Valid through the last day given: until the midnight that ends it.
        valid_until=None if not until else datetime.combine(_day(until, "validUntil") + _DAY, time(), zone),
        policy_basis=form.get("policyBasis") or None,
    )


def create_router(
    store: KnowledgeStore,
    policy: KnowledgePolicy,
    zone: ZoneInfo,
    options: TaskOptions,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ZeebeTaskRouter:
    """Dates are shown and read in `zone`, the deadlines' time zone; `clock` is the worker's."""
    router = ZeebeTaskRouter()

    def once(number: str, change: str, apply: Callable[[str, str], None], actor: str) -> None:
        """`apply` (entry number, actor) unless the entry's latest revision is this change already:
        a job delivered again after its change was written (its completion lost) writes nothing."""
        if store.history(number)[-1].change != change:
            apply(number, actor)

    def change(job_type: str, name: str, apply: Callable[[str, str], None]) -> None:
        @job_handler(router, job_type, options)
        async def handler(entryNumber: str, actor: str) -> dict[str, Any]:
            # In a thread, as the ledger's writes are: a database call must not stall the event loop.
            await asyncio.to_thread(once, entryNumber, name, apply, actor)
            return {}

    change(JobType.KNOWLEDGE_APPROVE, "approve", store.approve)
    change(JobType.KNOWLEDGE_REJECT, "reject", store.reject)
    change(JobType.KNOWLEDGE_PUBLISH, "publish", store.publish)
    change(JobType.KNOWLEDGE_EXPIRE, "expire", store.expire)
    change(JobType.KNOWLEDGE_WITHDRAW, "withdraw", store.withdraw)

    @job_handler(router, JobType.KNOWLEDGE_SUBMIT, options)
    async def submit(entryNumber: str, actor: str) -> dict[str, Any]:
        def write() -> dict[str, Any]:
            once(entryNumber, "submit", store.submit, actor)
            text = store.text(entryNumber)
            return {
                "question": text.question,
                "answer": text.answer,
                "topic": text.topic,
                "policyBasis": text.policy_basis,
                **shown_dates(text, zone),
                "entryVersion": store.status(entryNumber)[1],
            }

        return await asyncio.to_thread(write)

    @job_handler(
        router,
        JobType.KNOWLEDGE_REVISE,
        options,
        ["entryNumber", "submittedBy", "question", "answer", "policyBasis", "validFrom", "validUntil"],
    )
    async def revise(entryNumber: str, submittedBy: str, **form: Any) -> dict[str, Any]:
        def write() -> dict[str, Any]:
            store.revise(entryNumber, revised_text(store.text(entryNumber), form, zone), submittedBy)
            return {}

        return await asyncio.to_thread(write)

    @job_handler(router, JobType.KNOWLEDGE_REVIEW_AT, options)
    async def review_at(entryNumber: str) -> dict[str, Any]:
        text = await asyncio.to_thread(store.text, entryNumber)
        review, due = review_dates(text.valid_until, clock(), policy.review)
        return {"reviewAt": iso(review.astimezone(zone)), "reviewDueAt": iso(due.astimezone(zone))}

    return router
