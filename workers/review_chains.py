"""Review and instruction chains (逐级审签、领导批示): `minsheng.review-chain` reads who signs off,
in order, from `config/review_chains.toml`, for a diagram's sequential multi-instance review task.

The chain is named by the variable `reviewChain` or, when no variable gives it, by the task header
of that name (a diagram whose task always reads one chain fixes it there; a called process such as
`review-chain` gets it from its caller as a variable). The optional variable `unit` replaces
`{unit}` in the chain's groups. The job returns `reviewers`: a list of `{"group": ..., "title": ...}`
in order. An unknown chain, or a chain with `{unit}` and no unit, fails the job with a message
naming it (and the known chains), which becomes the incident's message once the retries run out.
"""

# No `from __future__ import annotations`: pyzeebe finds the job parameter by comparing its
# annotation with the `Job` class itself.
from typing import Any

from pyzeebe import Job, ZeebeTaskRouter

from workers.ids import JobType, TaskHeader
from workers.review_chain_policy import ReviewChainError, ReviewChainPolicy
from workers.settings import TaskOptions
from workers.tasks import job_handler

CHAIN_VARIABLE = "reviewChain"
UNIT_VARIABLE = "unit"


def create_router(policy: ReviewChainPolicy, options: TaskOptions) -> ZeebeTaskRouter:
    router = ZeebeTaskRouter()

    @job_handler(router, JobType.REVIEW_CHAIN, options, [CHAIN_VARIABLE, UNIT_VARIABLE])
    async def review_chain(job: Job, **variables: Any) -> dict[str, Any]:
        name = variables.get(CHAIN_VARIABLE) or job.custom_headers.get(TaskHeader.REVIEW_CHAIN)
        if not name:
            raise ReviewChainError(
                f"which review chain? set the variable or task header {TaskHeader.REVIEW_CHAIN}"
            )
        unit = variables.get(UNIT_VARIABLE)
        if not isinstance(name, str) or not (unit is None or isinstance(unit, str)):
            raise ReviewChainError(f"variables {CHAIN_VARIABLE} and {UNIT_VARIABLE} must be strings")
        reviewers = policy.reviewers(name, unit)
        return {"reviewers": [{"group": reviewer.group, "title": reviewer.title} for reviewer in reviewers]}

    return router
