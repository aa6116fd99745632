"""What a test does to an engine besides looking at it: move its clock, let it settle, do user tasks.

`embedded.EmbeddedDriver` does it in-process (the engine's own `Clock`, commands on its loop);
`remote.RestDriver` through the /v2 REST API of an engine elsewhere; `DetachedDriver` refuses, for a
handle that can only read an engine's database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import timedelta
from typing import Any

from engine.runtime.entities import UserTask


def milliseconds(duration: timedelta | int) -> int:
    return int(duration.total_seconds() * 1000) if isinstance(duration, timedelta) else duration


class Driver(ABC):
    @abstractmethod
    def now_ms(self) -> int:
        """The engine's current time, epoch milliseconds."""

    @abstractmethod
    def increase_time(self, milliseconds: int) -> None: ...

    @abstractmethod
    def set_time(self, epoch_ms: int) -> None:
        """Pin the engine's clock at `epoch_ms`."""

    @abstractmethod
    def reset_time(self) -> None:
        """Back to wall time."""

    @abstractmethod
    async def wait_until_idle(self) -> None: ...

    @abstractmethod
    async def user_tasks(self, process_instance_key: int) -> list[UserTask]:
        """The instance's open user tasks, by key, with those of the processes it called."""

    @abstractmethod
    async def complete_user_task(self, user_task_key: int, variables: dict[str, Any]) -> None: ...

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        pass


class DetachedDriver(Driver):
    """An engine known only by its database: it can be inspected, not driven."""

    def _refuse(self) -> RuntimeError:
        return RuntimeError(
            "this handle only reads the engine's database: attach with rest_url=... (an engine started "
            "with --enable-clock-control) to move its clock or work on its user tasks"
        )

    def now_ms(self) -> int:
        raise self._refuse()

    def increase_time(self, milliseconds: int) -> None:
        raise self._refuse()

    def set_time(self, epoch_ms: int) -> None:
        raise self._refuse()

    def reset_time(self) -> None:
        raise self._refuse()

    async def wait_until_idle(self) -> None:
        raise self._refuse()

    async def user_tasks(self, process_instance_key: int) -> list[UserTask]:
        raise self._refuse()

    async def complete_user_task(self, user_task_key: int, variables: dict[str, Any]) -> None:
        raise self._refuse()
