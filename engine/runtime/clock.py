"""The engine's time source: wall time plus an offset that tests (and operators) can move.

Zeebe's own clock API pins or offsets the broker's clock the same way; everything time-based in the
engine (job deadlines, retry back-off, message time-to-live, timers) reads `now_ms()` from here.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# 9999-12-31T23:59:59.999Z, the last moment Python's dates reach: no deadline, timer or clock
# setting may lie beyond it, or the engine could form no date for it.
LAST_INSTANT_MS = 253_402_300_799_999


class Clock:
    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._offset_ms = 0
        self._pinned_ms: int | None = None
        self._listeners: list[Callable[[], None]] = []

    def now_ms(self) -> int:
        if self._pinned_ms is not None:
            return self._pinned_ms
        return int(self._wall() * 1000) + self._offset_ms

    def increase_time(self, milliseconds: int) -> None:
        if milliseconds < 0:
            raise ValueError(f"the clock only moves forward, got {milliseconds} ms")
        if self._pinned_ms is not None:
            self._pinned_ms += milliseconds
        else:
            self._offset_ms += milliseconds
        self._changed()

    def set_time(self, epoch_ms: int) -> None:
        """Pin the clock at `epoch_ms`; it stands still until moved or reset."""
        self._pinned_ms = epoch_ms
        self._changed()

    def reset(self) -> None:
        self._pinned_ms = None
        self._offset_ms = 0
        self._changed()

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()
