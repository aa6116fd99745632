"""The engine: one ordered stream of commands over the live state, committed in batches.

Commands queue up while a batch is written; the next batch takes all of them (up to a limit), so
under load many commands share one database transaction, as Zeebe's stream processor shares one
log append. A command's answer is released only after its batch is committed, so whatever a client
was told has happened survives a crash. A command that is rejected, or that fails on a bug, is
dropped with its own state layer and leaves the others untouched. A batch the database refuses for
the values it holds (one too long for its column) is never retried as it is: its commands run again
one per batch, and only the one the database refuses alone is rejected.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from engine import feel
from engine.model import parse_bpmn
from engine.model.dmn import DecisionRequirements, parse_dmn
from engine.model.elements import Process
from engine.runtime import commands
from engine.runtime.clock import Clock
from engine.runtime.context import Context, Effects, Models, Sequence, key_sequence
from engine.runtime.entities import INDEXES, DecisionRequirementsDefinition, Kind, ProcessDefinition
from engine.runtime.errors import Rejection, RejectionType
from engine.runtime.records import Record
from engine.runtime.state import Layer
from engine.store.database import DatabaseInUse
from engine.store.repository import RefusedBatch, Repository

log = logging.getLogger(__name__)

T = TypeVar("T")
Command = Callable[[Context], T]

MAX_BATCH = 500
# Beyond this many waiting commands the engine answers RESOURCE_EXHAUSTED, like Zeebe's back-pressure.
MAX_QUEUE = 20_000


@dataclass
class _Batch:
    layer: Layer
    commands: list[tuple[Command[Any], asyncio.Future[Any]]] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    effects: Effects = field(default_factory=Effects)
    outcomes: list[tuple[asyncio.Future[Any], Any, bool]] = field(default_factory=list)
    last_key: int = 0
    last_position: int = 0


class InternalError(Exception):
    """A command failed on a bug in the engine; the state is untouched and the engine keeps serving."""


class Engine:
    def __init__(
        self, repository: Repository, clock: Clock | None = None, max_queue: int = MAX_QUEUE
    ) -> None:
        self.repository = repository
        self.clock = clock or Clock()
        # Waiting commands beyond this are refused (`python -m engine --max-in-flight`): while the
        # database is slow or down, memory stays bounded and clients are told to back off.
        self.max_queue = max_queue
        self.base = Layer(INDEXES)
        # The newest layer: the base, or the last batch while it is being written.
        self._top = self.base
        self.models = Models(self._parse_definition, self._parse_decisions)
        self._keys: Sequence = key_sequence(0)
        self._positions = Sequence(0)
        self._queue: deque[tuple[Command[Any], asyncio.Future[Any]]] = deque()
        # Commands of a batch the database refused, run again one per batch ahead of the queue.
        self._again: deque[tuple[Command[Any], asyncio.Future[Any]]] = deque()
        self._wakeup = asyncio.Event()
        self._due: list[int] = []
        self._due_changed = asyncio.Event()
        self._job_waiters: dict[str, set[asyncio.Event]] = {}
        self._result_waiters: dict[int, list[asyncio.Future[tuple[bool, dict[str, Any]]]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        # Set for good when another engine took the database: from then on nothing is written.
        self.halted = asyncio.Event()
        self._halt_error: InternalError | None = None

    # ------------------------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        loaded = await asyncio.to_thread(self.repository.load)
        for kind, entities in loaded.entities.items():
            for entity in entities:
                self.base.put(kind, entity.key if kind is not Kind.VARIABLES else entity.scope_key, entity)
        self._keys = key_sequence(loaded.last_key)
        self._positions = Sequence(loaded.last_position)
        due = commands.next_due(self._read_context())
        if due is not None:
            heapq.heappush(self._due, due)
        self.clock.on_change(self._clock_moved)
        self._tasks = [
            asyncio.create_task(self._process(), name="engine-processor"),
            asyncio.create_task(self._run_due_work(), name="engine-due-work"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await asyncio.to_thread(self.repository.engine.dispose)

    def _parse_definition(self, definition_key: int) -> Process:
        definition: ProcessDefinition = self.base.get(Kind.PROCESS, definition_key)
        for model in parse_bpmn(definition.resource_name, definition.resource.encode()):
            if model.id == definition.bpmn_process_id:
                return model
        raise LookupError(f"process '{definition.bpmn_process_id}' is missing from its stored resource")

    def _parse_decisions(self, drg_key: int) -> DecisionRequirements:
        definition: DecisionRequirementsDefinition = self.base.get(Kind.DECISION_REQUIREMENTS, drg_key)
        return parse_dmn(definition.resource_name, definition.resource.encode())

    def _read_context(self) -> Context:
        return Context(self.base, self.clock.now_ms(), self._keys, self._positions, self.models)

    def read(self, query: Callable[[Context], T]) -> T:
        """Run a read-only query against the committed state."""
        return query(self._read_context())

    # ------------------------------------------------------------------------------------- commands

    async def execute(self, command: Command[T]) -> T:
        if len(self._queue) >= self.max_queue:
            raise Rejection(
                RejectionType.RESOURCE_EXHAUSTED,
                f"Expected to process the command, but {len(self._queue)} commands are waiting "
                f"(at most {self.max_queue}); retry later",
            )
        return await self._submit(command)

    async def _submit(self, command: Command[T]) -> T:
        if self._halt_error is not None:
            raise self._halt_error
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((command, future))
        self._wakeup.set()
        return await future

    async def _process(self) -> None:
        # The next batch is processed while the previous one is written (on a thread), on top of
        # its layer; writes stay in order, and nothing is answered before its own batch is written.
        writing: asyncio.Task[_Batch | None] | None = None
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            if writing is not None and writing.done():
                refused, writing = writing.result(), None
                if refused is not None:
                    self._run_again(refused)
            while self._queue or self._again:
                batch = self._process_batch(self._top)
                self._top = batch.layer
                if writing is not None:
                    refused, writing = await writing, None
                    if self._halt_error is not None:
                        self._fail(batch.commands)
                        return
                    if refused is not None:
                        # This batch was processed on top of the refused one's changes.
                        self._run_again(refused, batch)
                        continue
                writing = asyncio.create_task(self._commit(batch))

    def _halt(self, error: DatabaseInUse, batch: _Batch) -> None:
        log.critical("%s; this engine writes and answers nothing more", error)
        self._halt_error = InternalError(f"this engine has stopped: {error}")
        self._fail([*batch.commands, *self._again, *self._queue])
        self._again.clear()
        self._queue.clear()
        self.halted.set()

    def _fail(self, commands: list[tuple[Command[Any], asyncio.Future[Any]]]) -> None:
        assert self._halt_error is not None
        for _, future in commands:
            if not future.done():
                future.set_exception(self._halt_error)

    def _run_again(self, refused: _Batch, on_top: _Batch | None = None) -> None:
        """Put back, in their order, the commands of a refused batch (but a lone one, rejected
        already) and those of the batch processed on top of it; both layers are dropped."""
        again = refused.commands if len(refused.commands) > 1 else []
        if on_top is not None:
            again = again + on_top.commands
        self._again.extendleft(reversed(again))
        self._top = self.base

    def _process_batch(self, top: Layer) -> _Batch:
        now = self.clock.now_ms()
        # FEEL's now() and today() read the engine's clock, which tests move, as Zeebe's do.
        moment = datetime.fromtimestamp(now / 1000, UTC)
        with feel.clock(lambda: moment):
            return self._process_commands(top, now)

    def _process_commands(self, top: Layer, now: int) -> _Batch:
        batch = _Batch(top.child())
        source, count = (self._again, 1) if self._again else (self._queue, min(MAX_BATCH, len(self._queue)))
        for _ in range(count):
            command, future = source.popleft()
            batch.commands.append((command, future))
            layer = batch.layer.child()
            ctx = Context(layer, now, self._keys, self._positions, self.models)
            try:
                result = command(ctx)
                ctx.run_agenda()
            except Rejection as rejection:
                batch.outcomes.append((future, rejection, False))
                continue
            except Exception as error:
                log.exception("command failed; its changes were dropped")
                batch.outcomes.append((future, InternalError(f"internal error: {error!r}"), False))
                continue
            layer.merge_into_parent()
            batch.records.extend(ctx.records)
            batch.effects.merge(ctx.effects)
            batch.outcomes.append((future, result, True))
        batch.last_key, batch.last_position = self._keys.last, self._positions.last
        return batch

    async def _commit(self, batch: _Batch) -> _Batch | None:
        """Write the batch and answer its commands; returns it when the database refused it."""
        changes = list(batch.layer.stored_changes())
        if changes or batch.records:
            try:
                await self._write(changes, batch.records, batch.last_key, batch.last_position)
            except DatabaseInUse as error:
                self._halt(error, batch)
                return None
            except RefusedBatch as refusal:
                log.error("the database refused a batch of %d commands: %s", len(batch.commands), refusal)
                if len(batch.commands) == 1:
                    future = batch.commands[0][1]
                    if not future.done():
                        future.set_exception(
                            Rejection(
                                RejectionType.INVALID_ARGUMENT,
                                f"Expected values the database can store, but it refused them: {refusal}",
                            )
                        )
                self._wakeup.set()
                return batch
        batch.layer.merge_into_parent()
        # The batch processed on top of this one now rests on the base directly.
        if self._top is batch.layer:
            self._top = self.base
        elif self._top.parent is batch.layer:
            self._top.parent = self.base
        for future, outcome, succeeded in batch.outcomes:
            if future.done():
                continue
            if succeeded:
                future.set_result(outcome)
            else:
                future.set_exception(outcome)
        self._apply(batch.effects)
        return None

    async def _write(
        self, changes: list[Any], records: list[Record], last_key: int, last_position: int
    ) -> None:
        delay = 0.05
        retried = False
        while True:
            try:
                await asyncio.to_thread(self.repository.write, changes, records, last_key, last_position)
                return
            except DatabaseInUse:
                raise
            except RefusedBatch:
                # After a failed attempt, the collision may be with this very batch, which that
                # attempt committed after all (the database came back between the checks).
                if retried and await self._was_stored(records, last_position):
                    return
                raise
            except Exception:
                # Nothing of this batch was acknowledged yet: keep it and try again once the database
                # is back; meanwhile new commands wait (and back-pressure answers when too many do).
                log.exception("writing a batch failed; retrying in %.2f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
            retried = True
            if await self._was_stored(records, last_position):
                return

    async def _was_stored(self, records: list[Record], last_position: int) -> bool:
        """Whether a batch whose write failed was committed all the same: the connection dropped
        after the commit reached the database but before its answer did. Writing it again would
        only collide with itself."""
        if not records:
            return False
        try:
            stored = await asyncio.to_thread(self.repository.stored_position) >= last_position
        except Exception:
            return False  # the database is still away: the write is retried
        if stored:
            log.warning("the batch was committed before the connection dropped; going on")
        return stored

    def _apply(self, effects: Effects) -> None:
        for job_type in effects.activatable_job_types:
            for waiter in self._job_waiters.get(job_type, ()):
                waiter.set()
        for key, outcome in effects.ended_instances.items():
            for future in self._result_waiters.pop(key, ()):
                if not future.done():
                    future.set_result(outcome)
        if effects.due_at:
            for due in effects.due_at:
                heapq.heappush(self._due, due)
            self._due_changed.set()

    # ------------------------------------------------------------------------------------ long polls

    def job_waiter(self, job_type: str) -> asyncio.Event:
        """An event set whenever jobs of `job_type` may have become activatable."""
        event = asyncio.Event()
        self._job_waiters.setdefault(job_type, set()).add(event)
        return event

    def drop_job_waiter(self, job_type: str, event: asyncio.Event) -> None:
        waiters = self._job_waiters.get(job_type)
        if waiters is not None:
            waiters.discard(event)
            if not waiters:
                del self._job_waiters[job_type]

    async def create_instance_with_result(
        self, create: Callable[[Context], int]
    ) -> tuple[int, asyncio.Future[tuple[bool, dict[str, Any]]]]:
        """Create an instance and a future for its end, registered before the instance can end."""
        assert self._loop is not None
        future: asyncio.Future[tuple[bool, dict[str, Any]]] = self._loop.create_future()

        def command(ctx: Context) -> int:
            key = create(ctx)
            self._result_waiters.setdefault(key, []).append(future)
            return key

        try:
            key = await self.execute(command)
        except BaseException:
            future.cancel()
            raise
        return key, future

    def forget_result(self, key: int, future: asyncio.Future[Any]) -> None:
        waiters = self._result_waiters.get(key)
        if waiters is not None and future in waiters:
            waiters.remove(future)
            if not waiters:
                del self._result_waiters[key]

    # -------------------------------------------------------------------------------------- due work

    def _clock_moved(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._due_changed.set)

    async def _run_due_work(self) -> None:
        while True:
            self._due_changed.clear()
            now = self.clock.now_ms()
            if self._due and self._due[0] <= now:
                while self._due and self._due[0] <= now:
                    heapq.heappop(self._due)
                # Past the back-pressure limit: a refusal here would end the timers for good.
                try:
                    upcoming = await self._submit(self._due_work)
                except (Rejection, InternalError):
                    # Nothing of it was stored: it is due still, and runs again once more falls due.
                    log.exception("the due timers and job timeouts could not be processed")
                    continue
                if upcoming is not None:
                    heapq.heappush(self._due, upcoming)
                continue
            timeout = (self._due[0] - now) / 1000 if self._due else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._due_changed.wait(), timeout)

    @staticmethod
    def _due_work(ctx: Context) -> int | None:
        commands.run_due_work(ctx)
        return commands.next_due(ctx)
