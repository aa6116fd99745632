"""The test handle: an engine for a test, its clock, and assertions that poll until they hold.

In the spirit of Temporal's `WorkflowEnvironment`: `EngineHandle.start_embedded()` runs Minsheng's
engine on a thread of its own (its own event loop, a real gRPC port), so the test talks to it over
gRPC exactly as workers do, and moves its clock directly. Assertions read the record log from the
engine's database, so they also work against an engine in another process (`EngineHandle.attach`).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from engine.app import RunningEngine, start_engine
from engine.runtime import commands
from engine.runtime.clock import Clock
from engine.runtime.context import Context
from engine.runtime.entities import Kind, UserTask
from engine.store.database import open_database
from engine.store.instance_view import InstanceView, instance_view
from engine.store.repository import Repository

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 10.0
_POLL_INTERVAL_S = 0.02


class AssertionTimeout(AssertionError):
    pass


class EngineHandle:
    def __init__(self, address: str, database_url: str, clock: Clock | None = None) -> None:
        self.address = address
        self.database_url = database_url
        self.clock = clock
        self._reader = Repository(open_database(database_url, writer=False))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._running: RunningEngine | None = None

    # ------------------------------------------------------------------------------------ lifecycle

    @classmethod
    def start_embedded(cls, database_url: str, host: str = "127.0.0.1") -> EngineHandle:
        clock = Clock()
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="embedded-engine", daemon=True)
        thread.start()
        running = asyncio.run_coroutine_threadsafe(
            start_engine(database_url, f"{host}:0", clock), loop
        ).result()
        handle = cls(f"{host}:{running.port}", database_url, clock)
        handle._loop, handle._thread, handle._running = loop, thread, running
        return handle

    @classmethod
    def attach(cls, address: str, database_url: str) -> EngineHandle:
        """Inspect an engine that runs elsewhere (its clock cannot be moved from here)."""
        return cls(address, database_url)

    @property
    def running(self) -> RunningEngine:
        assert self._running is not None, "only an embedded engine is reachable in-process"
        return self._running

    def stop(self) -> None:
        if self._running is not None and self._loop is not None:
            asyncio.run_coroutine_threadsafe(self._running.stop(grace=0), self._loop).result()
            self._loop.call_soon_threadsafe(self._loop.stop)
            assert self._thread is not None
            self._thread.join(timeout=10)
            self._loop.close()
            self._running = None
        self._reader.engine.dispose()

    # ------------------------------------------------------------------------- commands and queries

    async def execute(self, command: Callable[[Context], T]) -> T:
        """Run an engine command on the embedded engine's own loop, and wait for its answer."""
        assert self._loop is not None, "commands need an embedded engine"
        running = self.running
        return await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(running.engine.execute(command), self._loop)
        )

    async def read(self, query: Callable[[Context], T]) -> T:
        return await self.execute(query)

    async def user_tasks(self, process_instance_key: int) -> list[UserTask]:
        def query(ctx: Context) -> list[UserTask]:
            return sorted(
                (
                    task
                    for task in ctx.layer.all(Kind.USER_TASK)
                    if task.process_instance_key == process_instance_key
                ),
                key=lambda task: task.key,
            )

        return await self.read(query)

    async def user_task_at(
        self, process_instance_key: int, element_id: str, timeout: float = DEFAULT_TIMEOUT_S
    ) -> UserTask:
        """The open user task of an instance at `element_id`, once there is one."""
        found: list[UserTask] = []
        give_up = time.monotonic() + timeout
        while not found:
            found = [
                task for task in await self.user_tasks(process_instance_key) if task.element_id == element_id
            ]
            if not found and time.monotonic() >= give_up:
                view = self.instance(process_instance_key)
                raise AssertionTimeout(
                    f"process instance {process_instance_key}: expected a user task at '{element_id}' within "
                    f"{timeout:g} s, but it is {view.state}, waiting at {view.waiting_at() or 'nothing'}"
                )
            if not found:
                await asyncio.sleep(_POLL_INTERVAL_S)
        return found[0]

    async def complete_user_task(
        self, process_instance_key: int, element_id: str, variables: dict[str, Any] | None = None
    ) -> UserTask:
        task = await self.user_task_at(process_instance_key, element_id)
        await self.execute(lambda ctx: commands.complete_user_task(ctx, task.key, variables or {}))
        return task

    # ---------------------------------------------------------------------------------------- clock

    def _clock(self) -> Clock:
        if self.clock is None:
            raise RuntimeError("this engine's clock is not reachable from the test (attached engine)")
        return self.clock

    def increase_time(self, duration: timedelta | int) -> None:
        """Move the engine's clock forward by a timedelta or a number of milliseconds."""
        ms = int(duration.total_seconds() * 1000) if isinstance(duration, timedelta) else duration
        self._clock().increase_time(ms)

    def set_time(self, epoch_ms: int) -> None:
        self._clock().set_time(epoch_ms)

    def now_ms(self) -> int:
        return self._clock().now_ms()

    async def wait_until_idle(self) -> None:
        """Fire everything due at the engine's current time and wait until that work is committed.

        Commands run in order, so once this returns, timers due now have fired and what they set off
        (jobs, user tasks, next timers) is in place.
        """
        await self.execute(commands.run_due_work)

    # ----------------------------------------------------------------------------------- inspection

    def instance(self, process_instance_key: int) -> InstanceView:
        return instance_view(process_instance_key, self._reader.records_of(process_instance_key))

    async def wait_until(
        self,
        check: Callable[[], T | None],
        describe: Callable[[], str],
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> T:
        """Poll `check` until it returns something truthy; on time-out fail with `describe()`."""
        give_up = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() >= give_up:
                raise AssertionTimeout(describe())
            await asyncio.sleep(_POLL_INTERVAL_S)

    async def _until_view(
        self, key: int, holds: Callable[[InstanceView], Any], expectation: str, timeout: float
    ) -> InstanceView:
        last: list[InstanceView] = []

        def check() -> InstanceView | None:
            view = self.instance(key)
            last[:] = [view]
            return view if holds(view) else None

        def describe() -> str:
            view = last[0] if last else self.instance(key)
            incidents = [
                f"{i.error_type} at {i.element_id}: {i.error_message}" for i in view.incidents.values()
            ]
            return (
                f"process instance {key} ({view.bpmn_process_id or 'unknown process'}): "
                f"expected {expectation} within {timeout:g} s, but it is {view.state}, "
                f"waiting at {view.waiting_at() or 'nothing'}, passed {view.passed}, "
                f"incidents {incidents}, variables {view.variables}"
            )

        return await self.wait_until(check, describe, timeout)

    async def has_passed(self, key: int, element_id: str, timeout: float = DEFAULT_TIMEOUT_S) -> InstanceView:
        return await self._until_view(
            key, lambda v: element_id in v.passed, f"to pass '{element_id}'", timeout
        )

    async def is_waiting_at(
        self, key: int, element_id: str, timeout: float = DEFAULT_TIMEOUT_S
    ) -> InstanceView:
        return await self._until_view(
            key, lambda v: element_id in v.waiting_at(), f"to wait at '{element_id}'", timeout
        )

    async def has_variable(
        self, key: int, name: str, value: Any, timeout: float = DEFAULT_TIMEOUT_S
    ) -> InstanceView:
        return await self._until_view(
            key,
            lambda v: name in v.variables and v.variables[name] == value,
            f"variable '{name}' = {value!r}",
            timeout,
        )

    async def has_incident(
        self, key: int, error_type: str | None = None, timeout: float = DEFAULT_TIMEOUT_S
    ) -> InstanceView:
        return await self._until_view(
            key,
            lambda v: any(error_type in (None, i.error_type) for i in v.incidents.values()),
            f"an open incident{f' of type {error_type}' if error_type else ''}",
            timeout,
        )

    async def is_completed(self, key: int, timeout: float = DEFAULT_TIMEOUT_S) -> InstanceView:
        return await self._until_view(key, lambda v: v.state == "COMPLETED", "to be completed", timeout)

    async def is_terminated(self, key: int, timeout: float = DEFAULT_TIMEOUT_S) -> InstanceView:
        return await self._until_view(key, lambda v: v.state == "TERMINATED", "to be terminated", timeout)
