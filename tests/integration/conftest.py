"""The engine as a real subprocess (`python -m engine`), for tests that kill and restart it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.testing.handle import EngineHandle
from engine.testing.subprocess_engine import READY_TIMEOUT_S, EngineSubprocess, free_port

__all__ = ["READY_TIMEOUT_S", "EngineProcess", "free_port"]


class EngineProcess(EngineSubprocess):
    """`python -m engine` on a fixed port and database (no REST API); can be SIGKILLed and started
    again, and hands out test handles that read its database."""

    def __init__(self, database_url: str, log_path: Path, port: int | None = None) -> None:
        super().__init__(
            database_url,
            log_path,
            gateway_address=f"127.0.0.1:{port or free_port()}",
            log_level="INFO",
        )
        self._handles: list[EngineHandle] = []

    def stop(self) -> None:
        """Teardown: the handles first, then SIGTERM, then SIGKILL if it does not end promptly."""
        for handle in self._handles:
            handle.stop()
        self._handles.clear()
        super().stop()

    def handle(self) -> EngineHandle:
        """A test handle that reads this engine's database (its clock stays the engine's own)."""
        handle = EngineHandle.attach(self.address, self.database_url)
        self._handles.append(handle)
        return handle


@pytest.fixture
def engine_process(tmp_path: Path) -> Iterator[Callable[[str], EngineProcess]]:
    """Start `python -m engine` subprocesses on a database URL; all are killed when the test ends."""
    started: list[EngineProcess] = []

    def start(database_url: str) -> EngineProcess:
        process = EngineProcess(database_url, tmp_path / f"engine-{len(started)}.log")
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.stop()
