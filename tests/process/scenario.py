"""Helpers the process scenarios share: instants from due dates, and the steps of a sequential
multi-instance user task (领导批示, 审核签发) completed one after another."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from engine.testing.handle import EngineHandle
from workers.ids import ReviewChain


def instant(text: str | None) -> datetime:
    """A date-time as an instant: the embedded engine writes due dates with the offset they were
    given, Camunda's /v2 in UTC."""
    assert text is not None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Steps:
    """Completes the steps of a sequential multi-instance user task one after another: each call
    waits (polling, with a limit) for a step not completed before."""

    def __init__(self, engine: EngineHandle, key: int, element_id: str = ReviewChain.REVIEW_STEPS) -> None:
        self.engine, self.key, self.element_id = engine, key, element_id
        self.done: set[int] = set()

    async def complete(self, **variables: Any) -> tuple[str, ...]:
        """Complete the next step with `variables`; its candidate groups."""
        for _ in range(100):
            task = await self.engine.user_task_at(self.key, self.element_id)
            if task.key not in self.done:
                break
            await asyncio.sleep(0.02)
        assert task.key not in self.done, f"the next step of {self.element_id} was never created"
        self.done.add(task.key)
        await self.engine.driver.complete_user_task(task.key, variables)
        return task.candidate_groups
