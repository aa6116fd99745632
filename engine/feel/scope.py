"""Name scopes and per-evaluation state shared by compiled closures."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# A context variable, not a global: an engine sets the time of the command it processes, and
# several engines (tests) may run in one process.
_clock: ContextVar[Callable[[], datetime] | None] = ContextVar("feel_clock", default=None)


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Make ``now()`` and ``today()`` read ``clock()`` (``None`` restores the system clock) in the
    current context.

    The engine moves time in its tests; an explicit ``now=`` passed to an evaluation wins over this.
    """
    _clock.set(clock)


@contextmanager
def clock(moment: Callable[[], datetime]) -> Iterator[None]:
    """``now()`` and ``today()`` read ``moment()`` within the block."""
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


def current_time() -> datetime:
    chosen = _clock.get()
    if chosen is not None:
        return chosen()
    return datetime.now(UTC)


class Run:
    """State of one evaluation: the warnings it collected and the instant ``now()`` answers."""

    __slots__ = ("_now", "warnings")

    def __init__(self, now: datetime | None = None) -> None:
        self.warnings: list[str] = []
        self._now = now

    def scratch(self) -> Run:
        """A run for a side evaluation whose warnings are thrown away; it shares the clock reading."""
        return Run(self._now)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    @property
    def now(self) -> datetime:
        # Read once per evaluation so that now() is the same instant everywhere in one expression.
        if self._now is None:
            self._now = current_time()
        return self._now


class Scope:
    """Names visible at one point: a mapping of values, then the enclosing scope."""

    __slots__ = ("parent", "run", "values")

    def __init__(self, values: Mapping[str, Any], parent: Scope | None, run: Run) -> None:
        self.values = values
        self.parent = parent
        self.run = run

    def child(self, values: Mapping[str, Any]) -> Scope:
        return Scope(values, self, self.run)
