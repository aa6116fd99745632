"""Assertions about a process instance that poll until they hold, over an `Inspector` of the engine.

One implementation of the polling and of the failure messages serves every kind of handle: the
inspector says where an instance stands (an `InstanceView`), read from the engine's database
(`embedded.DatabaseInspector`) or through the /v2 REST API (`remote.RestInspector`). An assertion
that does not hold within its timeout fails with `AssertionTimeout`, whose message says what was
expected and what was found.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from engine.store.instance_view import InstanceView

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 10.0
POLL_INTERVAL_S = 0.02
# Failure messages show at most this much of each part (variables, passed elements, ...).
_CLIP = 600


class AssertionTimeout(AssertionError):
    """An assertion did not hold within its timeout."""


class NotInspectable(RuntimeError):
    """The handle cannot observe what the assertion asks about (e.g. no such REST search)."""


@dataclass(frozen=True)
class Observation:
    """One look at a process instance: where it stands, and (when asked) the messages it took."""

    view: InstanceView
    # Names of the messages correlated to the instance, in order; None when not asked for.
    correlated_messages: tuple[str, ...] | None = None


class Inspector(ABC):
    """Reads where a process instance stands. Methods block (they are polled on a worker thread)."""

    @abstractmethod
    def view(self, key: int) -> InstanceView:
        """The instance `key` now: state UNKNOWN when the engine knows no such instance."""

    @abstractmethod
    def correlated_messages(self, key: int) -> list[str]:
        """Names of the messages correlated to the instance's subscriptions, in order."""

    def observe(self, key: int, messages: bool = False) -> Observation:
        return Observation(self.view(key), tuple(self.correlated_messages(key)) if messages else None)

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        pass


def clip(value: object, limit: int = _CLIP) -> str:
    """`repr(value)`, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def describe(observation: Observation) -> str:
    """What was found: the instance's state, where it waits, what it passed, incidents, variables."""
    view = observation.view
    if view.state == "UNKNOWN":
        return "the engine knows no such process instance"
    incidents = [f"{i.error_type} at {i.element_id}: {i.error_message}" for i in view.incidents.values()]
    parts = [
        f"it is {view.state}",
        f"waiting at {clip(view.waiting_at()) if view.waiting_at() else 'nothing'}",
        f"passed {clip(view.passed)}",
        f"incidents {clip(incidents)}",
        f"variables {clip(view.variables)}",
    ]
    if observation.correlated_messages is not None:
        parts.append(f"correlated messages {clip(list(observation.correlated_messages))}")
    return ", ".join(parts)


async def eventually(
    check: Callable[[], Awaitable[T | None]],
    describe: Callable[[], str],
    timeout: float = DEFAULT_TIMEOUT_S,
) -> T:
    """Await `check` until it returns something truthy; on time-out fail with `describe()`: the one
    bounded poll that tests use instead of sleeping.

    `check` may raise `AssertionTimeout` itself to fail at once (when waiting cannot help).
    """
    give_up = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() >= give_up:
            raise AssertionTimeout(describe())
        await asyncio.sleep(POLL_INTERVAL_S)


class InstanceAssertions:
    """The polling assertions; a subclass provides `inspector`."""

    inspector: Inspector

    def instance(self, process_instance_key: int) -> InstanceView:
        """Where the instance stands now (read at once, no waiting)."""
        return self.inspector.view(process_instance_key)

    async def poll(
        self,
        check: Callable[[], Awaitable[T | None]],
        describe: Callable[[], str],
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> T:
        """Await `check` until it returns something truthy; on time-out fail with `describe()`."""
        return await eventually(check, describe, timeout)

    async def wait_until(
        self,
        check: Callable[[], T | None],
        describe: Callable[[], str],
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> T:
        """Poll `check` until it returns something truthy; on time-out fail with `describe()`."""

        async def run() -> T | None:
            return check()

        return await self.poll(run, describe, timeout)

    async def until_instance(
        self,
        key: int,
        expectation: str,
        holds: Callable[[Observation], bool],
        timeout: float = DEFAULT_TIMEOUT_S,
        *,
        found: Callable[[Observation], str] | None = None,
        hopeless: Callable[[Observation], bool] | None = None,
        messages: bool = False,
    ) -> InstanceView:
        """Observe instance `key` until `holds`; the failure message names `expectation` and, first,
        `found(...)` (what the assertion looked at), then the instance's whole state. `hopeless` ends
        the wait early when the observation shows that waiting longer cannot help."""
        last: list[Observation] = []

        def failure(observation: Observation, why: str) -> AssertionTimeout:
            view = observation.view
            specific = f"{found(observation)}; " if found is not None and view.state != "UNKNOWN" else ""
            process = view.bpmn_process_id or "unknown process"
            return AssertionTimeout(
                f"process instance {key} ({process}): expected {expectation} {why}, "
                f"but {specific}{describe(observation)}"
            )

        async def check() -> InstanceView | None:
            observation = await asyncio.to_thread(self.inspector.observe, key, messages)
            last[:] = [observation]
            if holds(observation):
                return observation.view
            if hopeless is not None and hopeless(observation):
                raise failure(observation, "(waiting longer cannot help)")
            return None

        def on_timeout() -> str:
            observation = last[0] if last else self.inspector.observe(key, messages)
            return str(failure(observation, f"within {timeout:g} s").args[0])

        return await self.poll(check, on_timeout, timeout)

    # ----------------------------------------------------------------------------------- assertions

    async def is_completed(self, key: int, timeout: float = DEFAULT_TIMEOUT_S) -> InstanceView:
        return await self.until_instance(
            key, "it to be completed", lambda o: o.view.state == "COMPLETED", timeout
        )

    async def is_terminated(self, key: int, timeout: float = DEFAULT_TIMEOUT_S) -> InstanceView:
        return await self.until_instance(
            key, "it to be terminated", lambda o: o.view.state == "TERMINATED", timeout
        )

    async def is_active(self, key: int, timeout: float = DEFAULT_TIMEOUT_S) -> InstanceView:
        """The instance exists and has not ended (an ended instance fails at once)."""
        return await self.until_instance(
            key,
            "it to be active",
            lambda o: o.view.state == "ACTIVE",
            timeout,
            hopeless=lambda o: o.view.state in ("COMPLETED", "TERMINATED"),
        )

    async def has_passed(
        self, key: int, element_id: str, times: int | None = None, *, timeout: float = DEFAULT_TIMEOUT_S
    ) -> InstanceView:
        """`element_id` completed at least once, or exactly `times` times when given.

        Completions only add up, so once there are more than `times` the assertion fails at once.
        """

        def count(o: Observation) -> int:
            return o.view.passed.count(element_id)

        expectation = (
            f"'{element_id}' to complete {_times(times)}"
            if times is not None
            else (f"to pass '{element_id}'")
        )
        return await self.until_instance(
            key,
            expectation,
            (lambda o: count(o) == times) if times is not None else (lambda o: count(o) > 0),
            timeout,
            found=lambda o: f"'{element_id}' completed {_times(count(o))}",
            hopeless=(lambda o: count(o) > times) if times is not None else None,
        )

    async def is_waiting_at(
        self, key: int, element_id: str, timeout: float = DEFAULT_TIMEOUT_S
    ) -> InstanceView:
        return await self.until_instance(
            key,
            f"it to wait at '{element_id}'",
            lambda o: element_id in o.view.waiting_at(),
            timeout,
            hopeless=lambda o: o.view.state in ("COMPLETED", "TERMINATED"),
        )

    async def has_variable(
        self, key: int, name: str, value: Any, timeout: float = DEFAULT_TIMEOUT_S
    ) -> InstanceView:
        """The instance's own (root scope) variable `name` equals `value`."""

        def found(o: Observation) -> str:
            if name not in o.view.variables:
                return f"it has no variable '{name}'"
            return f"'{name}' = {clip(o.view.variables[name])}"

        return await self.until_instance(
            key,
            f"variable '{name}' = {clip(value)}",
            lambda o: name in o.view.variables and o.view.variables[name] == value,
            timeout,
            found=found,
        )

    async def has_incident(
        self,
        key: int,
        error_type: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        *,
        element_id: str | None = None,
    ) -> InstanceView:
        """An open incident, of `error_type` and at `element_id` when given."""
        what = "an open incident" + (f" of type {error_type}" if error_type else "")
        what += f" at '{element_id}'" if element_id else ""
        return await self.until_instance(
            key,
            what,
            lambda o: any(
                error_type in (None, i.error_type) and element_id in (None, i.element_id)
                for i in o.view.incidents.values()
            ),
            timeout,
        )

    async def has_correlated_message(
        self, key: int, message_name: str, timeout: float = DEFAULT_TIMEOUT_S
    ) -> InstanceView:
        """A message named `message_name` was correlated to one of the instance's subscriptions.

        Read from MESSAGE_SUBSCRIPTION CORRELATED records, so it needs the engine's database (an
        embedded or attached handle); through REST it needs Camunda's
        `/v2/correlated-message-subscriptions/search`, which Minsheng's engine does not serve.
        """

        def names(o: Observation) -> tuple[str, ...]:
            return o.correlated_messages or ()

        return await self.until_instance(
            key,
            f"message '{message_name}' to be correlated",
            lambda o: message_name in names(o),
            timeout,
            messages=True,
        )


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"
