"""Long-running work a page starts and follows (generating a bulletin, importing cases): the work
runs in the console's event loop, in steps, and a page polls `GET /api/operations/{id}` for its
progress (static/js/operations.js).

Operations live in the console's memory only: they are minutes long, and one lost to a restart is
started again. Ids are unguessable, and an operation is shown only to the user who started it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fastapi import Request

from console.auth import console_of

log = logging.getLogger(__name__)

# Finished operations are kept this long for a page to read their outcome.
KEPT = timedelta(hours=1)
# Operations one user may have running at once: each holds a thread and the database for a while.
RUNNING_PER_USER = 3


class State(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class Link:
    label: str
    href: str


class OperationRefused(Exception):
    """An operation that may not start now; the message is for the user."""


@dataclass
class Operation:
    id: str
    owner: str
    title: str
    # Steps in all, and steps finished.
    total: int
    started_at: datetime
    # Work on the same thing (one period's bulletin) runs once at a time.
    subject: str | None = None
    done: int = 0
    step: str = ""
    state: State = State.RUNNING
    links: tuple[Link, ...] = ()
    error: str | None = None
    finished_at: datetime | None = None

    @asynccontextmanager
    async def step_of(self, label: str) -> AsyncIterator[None]:
        """A step of the work: named while it runs, counted done when it ends."""
        self.step = label
        yield
        self.done += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "state": str(self.state),
            "done": self.done,
            "total": self.total,
            "step": self.step,
            "links": [{"label": link.label, "href": link.href} for link in self.links],
            "error": self.error,
        }


Work = Callable[[Operation], Awaitable[tuple[Link, ...]]]


@dataclass
class Operations:
    clock: Callable[[], datetime]
    _operations: dict[str, Operation] = field(default_factory=dict)
    # The running tasks: the event loop keeps only weak references to them.
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def start(self, owner: str, title: str, total: int, work: Work, subject: str | None = None) -> Operation:
        """Run `work` in the background as `owner`'s operation; it returns the links to its result."""
        self._forget_finished()
        running = [op for op in self._operations.values() if op.state is State.RUNNING]
        if subject is not None and any(op.subject == subject for op in running):
            raise OperationRefused(f"“{title}”正在进行中，请稍候再试")
        if sum(op.owner == owner for op in running) >= RUNNING_PER_USER:
            raise OperationRefused(f"您已有{RUNNING_PER_USER}项操作正在进行，请等待完成后再试")
        operation = Operation(secrets.token_urlsafe(24), owner, title, total, self.clock(), subject)
        self._operations[operation.id] = operation
        task = asyncio.create_task(self._run(operation, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return operation

    def of(self, operation_id: str, owner: str) -> Operation | None:
        """The operation `operation_id` if `owner` started it; None for another's as for none."""
        operation = self._operations.get(operation_id)
        return operation if operation is not None and operation.owner == owner else None

    async def _run(self, operation: Operation, work: Work) -> None:
        try:
            operation.links = await work(operation)
            operation.done = operation.total
            operation.state = State.SUCCEEDED
        except Exception as error:
            log.exception("operation %s (%s) failed", operation.title, operation.id)
            operation.error = f"{operation.step or operation.title}失败：{error}"
            operation.state = State.FAILED
        operation.finished_at = self.clock()

    def _forget_finished(self) -> None:
        horizon = self.clock() - KEPT
        for key, operation in list(self._operations.items()):
            if operation.finished_at is not None and operation.finished_at < horizon:
                del self._operations[key]


def operations_of(request: Request) -> Operations:
    """The console's operations, made with its first one."""
    state = request.app.state
    if not hasattr(state, "operations"):
        state.operations = Operations(console_of(request).clock)
    operations: Operations = state.operations
    return operations
