"""The context one command is processed in: its state layer, its clock reading, new keys and records,
and the follow-up steps it still has to run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.model.dmn import DecisionRequirements
from engine.model.elements import Process
from engine.runtime.records import Record, ValueType
from engine.runtime.state import Layer

# Zeebe keys carry the partition id in their upper bits; clients decode it, so ours do the same.
PARTITION_ID = 1
_KEY_BASE = PARTITION_ID << 51
MAX_STEPS = 100_000


class Sequence:
    """A monotonically increasing counter (keys, log positions) restored from the store."""

    def __init__(self, last: int) -> None:
        self.last = last

    def next(self) -> int:
        self.last += 1
        return self.last


def key_sequence(last_key: int) -> Sequence:
    return Sequence(max(last_key, _KEY_BASE))


@dataclass
class Effects:
    """What the engine must do once the batch that holds this command is committed."""

    activatable_job_types: set[str] = field(default_factory=set)
    # Root process instances that ended: key -> (completed, variables of the root scope).
    ended_instances: dict[int, tuple[bool, dict[str, Any]]] = field(default_factory=dict)
    # Times at which something becomes due (job deadlines, back-offs, message expiry).
    due_at: set[int] = field(default_factory=set)

    def merge(self, other: Effects) -> None:
        self.activatable_job_types |= other.activatable_job_types
        self.ended_instances.update(other.ended_instances)
        self.due_at |= other.due_at


class Models:
    """Parsed process models and decision requirements by definition key; parsing is pure, so the
    caches survive rollbacks."""

    def __init__(
        self, parse: Callable[[int], Process], parse_decisions: Callable[[int], DecisionRequirements]
    ) -> None:
        self._parse = parse
        self._parse_decisions = parse_decisions
        self._models: dict[int, Process] = {}
        self._decisions: dict[int, DecisionRequirements] = {}

    def get(self, definition_key: int) -> Process:
        model = self._models.get(definition_key)
        if model is None:
            model = self._models[definition_key] = self._parse(definition_key)
        return model

    def add(self, definition_key: int, model: Process) -> None:
        self._models[definition_key] = model

    def decisions(self, drg_key: int) -> DecisionRequirements:
        drg = self._decisions.get(drg_key)
        if drg is None:
            drg = self._decisions[drg_key] = self._parse_decisions(drg_key)
        return drg

    def add_decisions(self, drg_key: int, drg: DecisionRequirements) -> None:
        self._decisions[drg_key] = drg


class Context:
    def __init__(self, layer: Layer, now: int, keys: Sequence, positions: Sequence, models: Models) -> None:
        self.layer = layer
        self.now = now
        self.keys = keys
        self.positions = positions
        self.models = models
        self.records: list[Record] = []
        self.effects = Effects()
        self._agenda: deque[Callable[[], None]] = deque()

    def new_key(self) -> int:
        return self.keys.next()

    def record(
        self,
        value_type: ValueType,
        intent: str,
        key: int,
        value: dict[str, Any],
        process_instance_key: int | None = None,
    ) -> None:
        self.records.append(
            Record(self.positions.next(), key, self.now, value_type, intent, process_instance_key, value)
        )

    def later(self, step: Callable[[], None]) -> None:
        """Run `step` after the current one: follow-ups run in order, never by recursion."""
        self._agenda.append(step)

    def run_agenda(self) -> None:
        steps = 0
        while self._agenda:
            steps += 1
            if steps > MAX_STEPS:
                # A cycle of elements that never wait would hold the engine forever: give up on this
                # command (its changes are dropped) so every other instance keeps moving.
                raise RuntimeError(
                    f"the command did not come to rest within {MAX_STEPS} steps: "
                    "does a loop in the process never wait for anything?"
                )
            self._agenda.popleft()()
