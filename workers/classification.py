"""Classification of appeals: acceptance, category and how sure, the time limit that category has,
the first responsible unit and co-units, leader instruction, the open case it repeats, and the
published knowledge base entries that may answer it at the front desk (首问首接)."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pyzeebe import ZeebeTaskRouter

from workers.classification_policy import ClassificationPolicy, category_limits
from workers.ids import JobType
from workers.knowledge.search import KnowledgeSearch, Proposal
from workers.policy import HotlinePolicy
from workers.services.appeal import Appeal, AppealClassifier
from workers.services.repeats import OpenCases
from workers.settings import TaskOptions
from workers.tasks import job_handler


def _utc_now() -> datetime:
    return datetime.now(UTC)


# The front desk reads the first few proposals; more would crowd its form.
PROPOSALS = 3


def proposal_variables(proposals: list[Proposal]) -> dict[str, Any]:
    """`knowledgeProposals` to show and `knowledgeOptions` for the intake form's select (valuesKey)."""
    return {
        "knowledgeProposals": [
            {"number": p.number, "question": p.question, "snippet": p.snippet, "unit": p.unit}
            for p in proposals
        ],
        "knowledgeOptions": [{"label": f"{p.number}｜{p.question}", "value": p.number} for p in proposals],
    }


def appellant_phone(appellant: object) -> str | None:
    """The phone that identifies an appellant: given as the appellant itself or as its `phone`."""
    if isinstance(appellant, dict):
        appellant = appellant.get("phone")
    return str(appellant) if isinstance(appellant, str | int) and str(appellant) else None


def create_router(
    policy: HotlinePolicy,
    rules: ClassificationPolicy,
    options: TaskOptions,
    open_cases: OpenCases,
    knowledge: KnowledgeSearch,
    clock: Callable[[], datetime] = _utc_now,
) -> ZeebeTaskRouter:
    """`clock` is the worker's, not the engine's: on Camunda 8 there is no other to read. A failed
    knowledge base search fails the job (retried like a ledger read); finding nothing is fine."""
    limits = category_limits(policy, rules)
    classifier = AppealClassifier(rules)
    router = ZeebeTaskRouter()

    @job_handler(router, JobType.CLASSIFY_TICKET, options)
    async def classify_ticket(
        title: str | None = None,
        content: str | None = None,
        channel: str | None = None,
        appellant: Any = None,
        caseNumber: str | None = None,
    ) -> dict[str, Any]:
        now = clock()
        appeal = Appeal(
            title=title,
            content=content,
            received_at=now,
            channel=channel,
            phone=appellant_phone(appellant),
            case_id=caseNumber,
        )
        result = classifier.classify(appeal, open_cases)
        text = "\n".join(part for part in (title, content) if part)
        # A database read: in a thread, so as not to stall the worker's event loop.
        proposals = await asyncio.to_thread(knowledge.search, text, now, PROPOSALS)
        return {
            "category": result.category,
            "categoryConfidence": result.category_confidence,
            "needsManualClassification": result.needs_manual_classification,
            "limitWorkingDays": limits[result.category],
            "accepted": result.accepted,
            "notAcceptedReason": result.not_accepted_reason,
            "notAcceptedNotice": result.not_accepted_notice,
            "leadUnit": result.lead_unit,
            "coUnits": list(result.co_units),
            "needsLeaderInstruction": result.needs_leader_instruction,
            "repeatOf": result.repeat_of,
            **proposal_variables(proposals),
        }

    return router
