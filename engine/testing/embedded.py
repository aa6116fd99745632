"""An engine in the test's own process, and inspection through an engine's database.

`EmbeddedEngine` runs Minsheng's engine on a thread of its own (its own event loop, a real gRPC port
and, optionally, the /v2 REST API), so a test talks to it over the network exactly as workers and a
console do, while it moves the engine's `Clock` and runs commands on its loop directly.
`DatabaseInspector` rebuilds an instance from its records in the log: it works for any engine whose
database the test can read, in this process or another.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from engine.api import Services, create_app, start_rest_server
from engine.app import RunningEngine, start_engine
from engine.runtime import commands
from engine.runtime.clock import Clock
from engine.runtime.context import Context
from engine.runtime.entities import Kind, UserTask
from engine.runtime.records import Record
from engine.store.database import open_database
from engine.store.instance_view import InstanceView, instance_view
from engine.store.repository import Repository
from engine.testing.assertions import Inspector, Observation
from engine.testing.driver import Driver

T = TypeVar("T")

# Value types whose CORRELATED records name a message taken by a process instance.
_CORRELATIONS = {"MESSAGE_SUBSCRIPTION", "MESSAGE_START_EVENT_SUBSCRIPTION"}


def correlated_messages(records: list[Record]) -> list[str]:
    return [
        str(record.value.get("messageName") or record.value.get("name"))
        for record in records
        if record.intent == "CORRELATED" and record.value_type.value in _CORRELATIONS
    ]


class DatabaseInspector(Inspector):
    """Instances as the record log in the engine's database tells them (read-only connections)."""

    def __init__(self, database_url: str) -> None:
        self.repository = Repository(open_database(database_url, writer=False))

    def view(self, key: int) -> InstanceView:
        return instance_view(key, self.repository.records_of(key))

    def correlated_messages(self, key: int) -> list[str]:
        return correlated_messages(self.repository.records_of(key))

    def observe(self, key: int, messages: bool = False) -> Observation:
        records = self.repository.records_of(key)
        names = tuple(correlated_messages(records)) if messages else None
        return Observation(instance_view(key, records), names)

    def close(self) -> None:
        self.repository.engine.dispose()


class EmbeddedEngine:
    """The engine running on its own thread and event loop, in this process."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        thread: threading.Thread,
        running: RunningEngine,
        database_url: str,
        host: str,
    ) -> None:
        self.loop = loop
        self.thread = thread
        self.running = running
        self.database_url = database_url
        self.host = host
        self._rest_lock = threading.Lock()

    @classmethod
    def start(cls, database_url: str, clock: Clock, host: str = "127.0.0.1") -> EmbeddedEngine:
        """Start the engine and its gateway on a free port."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="embedded-engine", daemon=True)
        thread.start()
        try:
            running = asyncio.run_coroutine_threadsafe(
                start_engine(database_url, f"{host}:0", clock), loop
            ).result()
        except BaseException:
            cls._stop_loop(loop, thread)
            raise
        return cls(loop, thread, running, database_url, host)

    def rest_port(self) -> int:
        """The port of the /v2 REST API (clock control enabled), started on first call.

        Wired as `engine.app.start_engine` does; started on demand because stopping uvicorn costs
        about 0.2 s, which most tests need not pay.
        """
        with self._rest_lock:
            if self.running.rest is None:
                asyncio.run_coroutine_threadsafe(self._start_rest(), self.loop).result()
            port = self.running.rest_port
            assert port is not None
            return port

    async def _start_rest(self) -> None:
        running = self.running
        reader = open_database(self.database_url, writer=False)
        services = Services.create(
            running.engine, reader, clock_control=True, gateway_host=self.host, gateway_port=running.port
        )
        try:
            running.rest = await start_rest_server(create_app(services), f"{self.host}:0")
        except BaseException:
            reader.dispose()
            raise
        running.reader = reader

    async def execute(self, command: Callable[[Context], T]) -> T:
        """Run an engine command on the engine's own loop, and wait for its answer."""
        future = asyncio.run_coroutine_threadsafe(self.running.engine.execute(command), self.loop)
        return await asyncio.wrap_future(future)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.running.stop(grace=0), self.loop).result()
        self._stop_loop(self.loop, self.thread)

    @staticmethod
    def _stop_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


class EmbeddedDriver(Driver):
    def __init__(self, engine: EmbeddedEngine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def increase_time(self, milliseconds: int) -> None:
        self.clock.increase_time(milliseconds)

    def set_time(self, epoch_ms: int) -> None:
        self.clock.set_time(epoch_ms)

    def reset_time(self) -> None:
        self.clock.reset()

    async def wait_until_idle(self) -> None:
        """Fire everything due at the engine's current time and wait until that work is committed.

        Commands run in order, so once this returns, timers due now have fired and what they set off
        (jobs, user tasks, next timers) is in place.
        """
        await self.engine.execute(commands.run_due_work)

    async def user_tasks(self, process_instance_key: int) -> list[UserTask]:
        def within(ctx: Context, instance_key: int) -> bool:
            # Up the chain of callers: a task of a called process belongs to its callers too.
            key: int | None = instance_key
            while key is not None and key != process_instance_key:
                instance = ctx.layer.get(Kind.ELEMENT, key)
                caller = None if instance is None else ctx.layer.get(Kind.ELEMENT, instance.caller_key)
                key = None if caller is None else caller.process_instance_key
            return key == process_instance_key

        def query(ctx: Context) -> list[UserTask]:
            return sorted(
                (task for task in ctx.layer.all(Kind.USER_TASK) if within(ctx, task.process_instance_key)),
                key=lambda task: task.key,
            )

        return await self.engine.execute(query)

    async def complete_user_task(self, user_task_key: int, variables: dict[str, Any]) -> None:
        await self.engine.execute(lambda ctx: commands.complete_user_task(ctx, user_task_key, variables))
