"""Classification of appeals: which category, how sure, and the time limit that category has."""

from typing import Any

from pyzeebe import ZeebeTaskRouter

from workers.ids import JobType
from workers.policy import HotlinePolicy
from workers.services.classify import classify
from workers.services.keywords import appeal_text
from workers.settings import TaskOptions
from workers.tasks import job_handler


def create_router(policy: HotlinePolicy, options: TaskOptions) -> ZeebeTaskRouter:
    router = ZeebeTaskRouter()

    @job_handler(router, JobType.CLASSIFY_TICKET, options)
    async def classify_ticket(title: str | None = None, content: str | None = None) -> dict[str, Any]:
        result = classify(policy, appeal_text(title, content))
        return {
            "category": result.category,
            "categoryConfidence": result.confidence,
            "limitWorkingDays": result.limit_working_days,
        }

    return router
