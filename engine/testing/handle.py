"""The test handle: an engine for a test, its clock, and assertions that poll until they hold.

In the spirit of Temporal's `WorkflowEnvironment` and Camunda Process Test, three ways to get one:

- `EngineHandle.start_embedded(url)` runs Minsheng's engine in this process, on a thread of its own
  with free ports (gRPC gateway at `address`, the /v2 REST API with clock control at `rest_url`) and
  its own database. The test talks to it over the network as workers do (`client()` is a pyzeebe
  client), moves its clock directly, and asserts on the record log read from the database.
- `EngineHandle.connect(gateway_address, rest_url)` reaches an engine running elsewhere (another
  process, or a Camunda 8 cluster with clock control enabled) only over the network: the clock is
  pinned with `PUT /v2/clock`, assertions and user tasks go through the REST searches (see
  `engine.testing.remote` for what REST cannot tell).
- `EngineHandle.attach(address, database_url)` inspects an engine elsewhere through its database
  (add `rest_url` to also move its clock and work on its user tasks over REST).

All three share the assertions of `engine.testing.assertions`: each polls until it holds, or fails
after its timeout with an `AssertionTimeout` that says what was expected and what was found. Moving
the clock fires due timers: a test never sleeps for a timer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from engine.app import RunningEngine
from engine.runtime.clock import Clock
from engine.runtime.context import Context
from engine.runtime.entities import UserTask
from engine.testing.assertions import (
    DEFAULT_TIMEOUT_S,
    POLL_INTERVAL_S,
    AssertionTimeout,
    Inspector,
    InstanceAssertions,
    NotInspectable,
    describe,
)
from engine.testing.driver import DetachedDriver, Driver, milliseconds
from engine.testing.embedded import DatabaseInspector, EmbeddedDriver, EmbeddedEngine

if TYPE_CHECKING:
    from pyzeebe import ZeebeClient

__all__ = ["DEFAULT_TIMEOUT_S", "AssertionTimeout", "EngineHandle", "NotInspectable"]

T = TypeVar("T")


class EngineHandle(InstanceAssertions):
    def __init__(
        self,
        address: str,
        inspector: Inspector,
        driver: Driver,
        *,
        database_url: str | None = None,
        rest_url: str | None = None,
        embedded: EmbeddedEngine | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.address = address
        self.inspector = inspector
        self.driver = driver
        self.database_url = database_url
        self._rest_url = rest_url
        self._lazy_rest = False
        self.clock = clock
        self._embedded = embedded
        self._client: ZeebeClient | None = None
        self._channel: Any = None
        self._channel_loop: asyncio.AbstractEventLoop | None = None
        self._closing: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------------------------ lifecycle

    @classmethod
    def start_embedded(cls, database_url: str, host: str = "127.0.0.1", *, rest: bool = True) -> EngineHandle:
        """An engine in this process, on free ports, with its own database (`database_url`).

        With `rest`, `rest_url` serves the /v2 REST API with clock control enabled; the server is
        started the first time `rest_url` is read.
        """
        clock = Clock()
        embedded = EmbeddedEngine.start(database_url, clock, host)
        try:
            inspector = DatabaseInspector(database_url)
        except BaseException:
            embedded.stop()
            raise
        handle = cls(
            f"{host}:{embedded.running.port}",
            inspector,
            EmbeddedDriver(embedded, clock),
            database_url=database_url,
            embedded=embedded,
            clock=clock,
        )
        handle._lazy_rest = rest
        return handle

    @classmethod
    def connect(cls, gateway_address: str, rest_url: str) -> EngineHandle:
        """An engine elsewhere, reached over gRPC (`gateway_address`) and its /v2 REST API."""
        from engine.testing.remote import RestApi, RestDriver, RestInspector, rest_client

        api = RestApi(rest_client(rest_url))
        return cls(gateway_address, RestInspector(api), RestDriver(api), rest_url=rest_url)

    @classmethod
    def attach(cls, address: str, database_url: str, rest_url: str | None = None) -> EngineHandle:
        """Inspect an engine that runs elsewhere through its database; its clock and user tasks are
        reachable only when its REST API (`rest_url`, clock control enabled) is given."""
        driver: Driver = DetachedDriver()
        if rest_url is not None:
            from engine.testing.remote import RestApi, RestDriver, rest_client

            driver = RestDriver(RestApi(rest_client(rest_url)))
        return cls(
            address, DatabaseInspector(database_url), driver, database_url=database_url, rest_url=rest_url
        )

    @property
    def rest_url(self) -> str | None:
        """Base URL of the engine's /v2 REST API (`http://host:port`; the API is under /v2)."""
        if self._rest_url is None and self._lazy_rest and self._embedded is not None:
            self._rest_url = f"http://{self._embedded.host}:{self._embedded.rest_port()}"
        return self._rest_url

    @property
    def running(self) -> RunningEngine:
        return self._in_process().running

    def _in_process(self) -> EmbeddedEngine:
        if self._embedded is None:
            raise RuntimeError(
                "only an embedded engine is reachable in-process (EngineHandle.start_embedded)"
            )
        return self._embedded

    def client(self) -> ZeebeClient:
        """A pyzeebe client of the engine's gateway, made on first use (in the test's event loop) and
        closed by `aclose()` or `stop()`."""
        if self._client is None:
            from pyzeebe import ZeebeClient, create_insecure_channel

            self._channel = create_insecure_channel(self.address)
            self._channel_loop = asyncio.get_running_loop()
            self._client = ZeebeClient(self._channel)
        return self._client

    async def aclose(self) -> None:
        """Close the pyzeebe client's channel, then stop (from a test's event loop)."""
        channel, self._channel, self._client = self._channel, None, None
        if channel is not None:
            await channel.close()
        await asyncio.to_thread(self.stop)

    async def __aenter__(self) -> EngineHandle:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def stop(self) -> None:
        """Stop an embedded engine, and release connections (the engine of `connect` keeps running)."""
        self._close_channel()
        if self._embedded is not None:
            self._embedded.stop()
            self._embedded = None
        self.driver.close()
        self.inspector.close()

    def _close_channel(self) -> None:
        """Close the pyzeebe channel in the loop it was made in, if that can be done from here;
        otherwise it is left to be collected (prefer `aclose()` from async code)."""
        channel, loop = self._channel, self._channel_loop
        self._channel = self._client = self._channel_loop = None
        if channel is None or loop is None or loop.is_closed():
            return
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is loop:  # stopped from within the test's loop: close in the background
            self._closing = loop.create_task(channel.close())
        elif current is None and not loop.is_running():
            loop.run_until_complete(channel.close())

    # ------------------------------------------------------------------------- commands and queries

    async def execute(self, command: Callable[[Context], T]) -> T:
        """Run an engine command on the embedded engine's own loop, and wait for its answer."""
        return await self._in_process().execute(command)

    async def read(self, query: Callable[[Context], T]) -> T:
        return await self.execute(query)

    # ----------------------------------------------------------------------------------- user tasks

    async def user_tasks(self, process_instance_key: int) -> list[UserTask]:
        """The instance's open user tasks, by key, with those of the processes it called."""
        return await self.driver.user_tasks(process_instance_key)

    async def user_task_at(
        self, process_instance_key: int, element_id: str, timeout: float = DEFAULT_TIMEOUT_S
    ) -> UserTask:
        """The open user task of an instance at `element_id`, once there is one."""
        give_up = time.monotonic() + timeout
        while True:
            tasks = await self.user_tasks(process_instance_key)
            found = [task for task in tasks if task.element_id == element_id]
            if found:
                return found[0]
            if time.monotonic() >= give_up:
                observation = await asyncio.to_thread(self.inspector.observe, process_instance_key)
                open_tasks = [task.element_id for task in tasks]
                raise AssertionTimeout(
                    f"process instance {process_instance_key}: expected a user task at '{element_id}' "
                    f"within {timeout:g} s, but its open user tasks are at {open_tasks or 'nothing'}; "
                    f"{describe(observation)}"
                )
            await asyncio.sleep(POLL_INTERVAL_S)

    async def complete_user_task(
        self, process_instance_key: int, element_id: str, variables: dict[str, Any] | None = None
    ) -> UserTask:
        """Wait for the instance's user task at `element_id` and complete it with `variables`."""
        task = await self.user_task_at(process_instance_key, element_id)
        await self.driver.complete_user_task(task.key, variables or {})
        return task

    # ---------------------------------------------------------------------------------------- clock

    def increase_time(self, duration: timedelta | int) -> None:
        """Move the engine's clock forward by a timedelta or a number of milliseconds."""
        self.driver.increase_time(milliseconds(duration))

    def set_time(self, epoch_ms: int) -> None:
        """Pin the engine's clock at `epoch_ms`."""
        self.driver.set_time(epoch_ms)

    def reset_time(self) -> None:
        """Back to wall time."""
        self.driver.reset_time()

    def now_ms(self) -> int:
        return self.driver.now_ms()

    async def wait_until_idle(self) -> None:
        """Let the engine do what is due at its current time.

        Embedded: due timers have fired and what they set off is committed when this returns.
        Connected: best effort, see `remote.RestDriver.wait_until_idle`.
        """
        await self.driver.wait_until_idle()
