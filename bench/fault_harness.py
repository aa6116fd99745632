"""Faults under load, with figures: `kill -9` of the engine, and restarts of its PostgreSQL server.

    python bench/fault_harness.py kill-engine [--database sqlite|postgresql|URL] [--kills 20]
    python bench/fault_harness.py restart-postgres [--restarts 5]

The process: start -> service task (job type `fault-work`) -> message catch event (`fault-go`,
correlation key `=ref`) -> end. The load: --producers clients create instances
(CreateProcessInstance, variables {"ref": ...}) at --rate per second in all; once a create is
answered, the same client publishes the instance's message (PublishMessage, message id = ref, TTL
one hour), retrying until it is answered (ALREADY_EXISTS on a retry means an earlier attempt was
stored, so it counts as acknowledged). The workers: --workers subprocesses, each an unmodified
pyzeebe `ZeebeWorker` (max_connection_retries=-1) that appends to a journal of its own every job
it starts and every CompleteJob the gateway answered.

kill-engine SIGKILLs the engine (`python -m engine`, a subprocess) --kills times while the stream
runs, each time once the stream has moved since the last restart plus a random pause, and starts
it again on the same database. restart-postgres runs the engine on a throwaway PostgreSQL server
of its own (Debian's binaries, initdb under /tmp, run as the `postgres` user, another port; the
machine's shared server is never touched) and restarts that server --restarts times, alternating
`pg_ctl restart -m fast` and `-m immediate` (a crash: connections drop mid-transaction); the
engine and the workers are not restarted.

When the faults are done the stream goes on for --settle seconds, stops, and the harness waits
until every acknowledged instance has completed (or --drain-timeout passes). Then, from the
engine's record log and the workers' journals:

- instances lost: acknowledged creates whose instance never completed (must be 0);
- duplicate completions: jobs with more than one JOB COMPLETED record, jobs whose completion more
  than one worker was told succeeded, and acknowledged instances whose job did not complete
  exactly once (must be 0); acknowledged completions missing from the log are counted apart (0);
- messages lost: acknowledged publishes that were never correlated (must be 0).

It prints the machine, the figures, and exits with status 1 when any of them is not 0.
`tests/integration/test_faults.py` runs the same code with 3 kills and 2 database restarts in CI;
`docs/faults.md` has the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy
from pyzeebe import Job, ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.errors import MessageAlreadyExistsError, PyZeebeError
from sqlalchemy.engine import make_url

from engine.testing.subprocess_engine import EngineStartError, EngineSubprocess, free_port

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

PROCESS_ID = "fault-stream"
JOB_TYPE = "fault-work"
MESSAGE = "fault-go"
DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="fault" targetNamespace="https://minsheng/bench">
  <bpmn:message id="go" name="{MESSAGE}"><bpmn:extensionElements>
    <zeebe:subscription correlationKey="=ref"/></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="{PROCESS_ID}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="work"><bpmn:extensionElements>
      <zeebe:taskDefinition type="{JOB_TYPE}"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:intermediateCatchEvent id="wait-go"><bpmn:messageEventDefinition messageRef="go"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="wait-go"/>
    <bpmn:sequenceFlow id="f3" sourceRef="wait-go" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
MESSAGE_TTL_MS = 3_600_000
RETRY_PAUSE_S = 0.1


# ------------------------------------------------------------------------------------ subprocesses


# Linux: the child asks for SIGKILL when the harness dies without cleaning up, then becomes the real
# command (the request survives exec). Done in the child rather than in a preexec_fn, which may
# deadlock when the harness has threads (gRPC's, an embedded engine's). The signal comes when the
# spawning *thread* ends, so children are spawned from the main thread only.
_TRAMPOLINE = """
import ctypes, os, signal, sys
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
if os.getppid() != int(sys.argv[1]):
    os._exit(1)
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""


def spawn(args: list[str], log_path: Path, cwd: Path = ROOT) -> subprocess.Popen[bytes]:
    """`python ARGS` in `cwd`, its output appended to `log_path`."""
    command = [sys.executable, *args]
    if sys.platform == "linux":
        command = [sys.executable, "-c", _TRAMPOLINE, str(os.getpid()), *args]
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def stop_process(process: subprocess.Popen[bytes], grace_s: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# A busy 2-core machine has been seen to take 30 s to start the engine.
START_TIMEOUT_S = 120


class EngineProcess(EngineSubprocess):
    """The engine subprocess, started (`launch`) through the trampoline above and with extra options.

    A start that finds the database still owned (the killed engine's PostgreSQL session not yet
    gone) exits at once; it is tried again until the timeout.
    """

    def __init__(self, database_url: str, log_path: Path, extra_args: tuple[str, ...] = ()) -> None:
        super().__init__(database_url, log_path, log_level="INFO")
        self.extra_args = extra_args

    def command(self) -> list[str]:
        return [*super().command(), *self.extra_args]

    def _spawn(self) -> None:
        assert not self.alive, "the engine is already running"
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"---- start #{self.starts}\n".encode())
        self.process = spawn(self.command()[1:], self.log_path, self.engine_root)

    def _retry_or_raise(self, give_up: float) -> None:
        if self.alive:
            self.kill()
        if time.monotonic() >= give_up:
            raise EngineStartError(f"the engine did not start in time:\n{self.log()[-4000:]}")

    def launch(self, timeout_s: float = START_TIMEOUT_S) -> float:
        """Start and wait until the gateway reports SERVING; returns the seconds that took."""
        began = time.monotonic()
        while True:
            self._spawn()
            try:
                self.wait_until_ready(max(0.0, began + timeout_s - time.monotonic()))
                return time.monotonic() - began
            except EngineStartError:
                self._retry_or_raise(began + timeout_s)
            time.sleep(0.2)

    async def launch_async(self, timeout_s: float = START_TIMEOUT_S) -> float:
        """`launch` for an event loop on the main thread: spawns there, waits on another thread."""
        began = time.monotonic()
        while True:
            self._spawn()
            try:
                await asyncio.to_thread(self.wait_until_ready, max(0.0, began + timeout_s - time.monotonic()))
                return time.monotonic() - began
            except EngineStartError:
                self._retry_or_raise(began + timeout_s)
            await asyncio.sleep(0.2)


class WorkerProcess:
    """A pyzeebe worker in a subprocess of its own (this file's `worker` command), with a journal."""

    def __init__(
        self,
        address: str,
        directory: Path,
        name: str,
        job_timeout_ms: int,
        hold: bool = False,
        job_type: str = JOB_TYPE,
    ) -> None:
        self.name = name
        self.journal = directory / f"{name}.journal"
        self.log_path = directory / f"{name}.log"
        self.process = spawn(
            [
                *(str(Path(__file__).resolve()), "worker", "--address", address),
                *("--journal", str(self.journal), "--name", name, "--job-type", job_type),
                *("--job-timeout-ms", str(job_timeout_ms), *(["--hold"] if hold else [])),
            ],
            self.log_path,
        )

    def entries(self, event: str) -> list[int]:
        """Job keys of the journal's lines for `event` (`worked` or `completed`), in order."""
        if not self.journal.exists():
            return []
        return [
            int(parts[1])
            for parts in (line.split() for line in self.journal.read_text().splitlines())
            if len(parts) >= 2 and parts[0] == event
        ]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_process(self.process)


def run_worker(
    address: str, journal: Path, name: str, job_type: str, job_timeout_ms: int, hold: bool
) -> None:
    """The worker subprocess. `hold` keeps the one job it activates without ever answering."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Appends of one short line each are atomic, and a SIGKILL does not lose what the kernel has.
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def note(*fields: object) -> None:
        os.write(fd, (" ".join(map(str, fields)) + "\n").encode())

    async def main() -> None:
        channel = create_insecure_channel(address)
        worker = ZeebeWorker(channel, name=name, poll_retry_delay=0.05, max_connection_retries=-1)  # type: ignore[arg-type]
        complete_job = worker.zeebe_adapter.complete_job

        async def journaled_complete_job(job_key: int, variables: dict[str, Any]) -> Any:
            # Written only once the gateway answered: what this worker was told it completed.
            answer = await complete_job(job_key=job_key, variables=variables)
            note("completed", job_key)
            return answer

        worker.zeebe_adapter.complete_job = journaled_complete_job  # type: ignore[method-assign,assignment]

        async def started(job: Job) -> Job:
            note("worked", job.key, job.process_instance_key)
            return job

        async def work() -> dict[str, Any]:
            if hold:
                await asyncio.Event().wait()
            return {"workedBy": name}

        task = worker.task(
            task_type=job_type,
            timeout_ms=job_timeout_ms,
            # A holding worker takes one job and then stops polling, so it cannot win the job back
            # when it times out.
            max_jobs_to_activate=1 if hold else 32,
            max_running_jobs=1 if hold else 64,
            before=[started],
        )
        task(work)  # type: ignore[arg-type]

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        working = asyncio.create_task(worker.work())
        note("started", os.getpid())
        await stop.wait()
        await worker.stop()
        working.cancel()
        await asyncio.gather(working, return_exceptions=True)
        await channel.close()

    asyncio.run(main())


# ------------------------------------------------------------------------------ a throwaway server


class ThrowawayPostgres:
    """A PostgreSQL server of the harness's own, from Debian's binaries, so it may be restarted.

    Never the machine's shared server: a data directory under /tmp and a port of its own.
    PostgreSQL refuses to run as root, so as root the commands run as the `postgres` user.
    """

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
        if not found:
            raise RuntimeError("no PostgreSQL binaries in /usr/lib/postgresql (apt-get install postgresql)")
        self.bin = found[-1].parent
        self.home = Path(tempfile.mkdtemp(prefix="minsheng-pg-"))
        self.data = self.home / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.restarts = 0

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)

    def start(self) -> ThrowawayPostgres:
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres")
        self._run("initdb", "-D", str(self.data), "--auth=trust", "--username=postgres", "--no-sync")
        self._ctl("start")
        return self

    def restart(self, mode: str = "fast") -> float:
        """Restart the server (`fast`: sessions are ended cleanly; `immediate`: a crash)."""
        began = time.monotonic()
        self._ctl("restart", "-m", mode)
        self.restarts += 1
        return time.monotonic() - began

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.data / "server.log"),
            "-o",
            options,
            "-w",
            action,
            *extra,
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.home, ignore_errors=True)


# ------------------------------------------------------------------------------------------- load


@dataclass
class Stream:
    """What the clients were told: acknowledged instances and messages, and what failed."""

    acknowledged: dict[int, str] = field(default_factory=dict)  # instance key -> ref
    published: set[str] = field(default_factory=set)  # message ids (= refs) acknowledged
    refused_creates: Counter[str] = field(default_factory=Counter)  # error name -> count
    refused_publishes: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0

    @property
    def refused(self) -> int:
        return sum(self.refused_creates.values()) + sum(self.refused_publishes.values())


async def deploy(address: str, directory: Path) -> None:
    path = directory / f"{PROCESS_ID}.bpmn"
    path.write_text(DIAGRAM)
    channel = create_insecure_channel(address)
    try:
        give_up = time.monotonic() + 60
        while True:
            try:
                await ZeebeClient(channel, max_connection_retries=-1).deploy_resource(str(path))
                return
            except PyZeebeError:
                if time.monotonic() > give_up:
                    raise
                await asyncio.sleep(RETRY_PAUSE_S)
    finally:
        await channel.close()


@contextlib.asynccontextmanager
async def stream_instances(address: str, producers: int, rate: float) -> AsyncIterator[Stream]:
    """Create instances and publish their messages until the context ends; yields what was told."""
    stream = Stream()
    channel = create_insecure_channel(address)
    # Unlimited: after 10 UNAVAILABLE answers pyzeebe would close the channel for good.
    client = ZeebeClient(channel, max_connection_retries=-1)
    tokens: asyncio.Queue[int] = asyncio.Queue(maxsize=producers)
    stopping = asyncio.Event()

    async def pace() -> None:
        n = 0
        began = time.monotonic()
        while not stopping.is_set():
            await tokens.put(n)
            n += 1
            await asyncio.sleep(max(0.0, began + n / rate - time.monotonic()))

    async def publish(ref: str) -> None:
        # Until answered: the instance was acknowledged, so its message must get through.
        while True:
            try:
                await client.publish_message(
                    MESSAGE, ref, {"go": ref}, time_to_live_in_milliseconds=MESSAGE_TTL_MS, message_id=ref
                )
            except MessageAlreadyExistsError:
                pass  # an earlier attempt was stored before its answer was lost
            except PyZeebeError as error:
                stream.refused_publishes[type(error).__name__] += 1
                await asyncio.sleep(RETRY_PAUSE_S)
                continue
            stream.published.add(ref)
            return

    async def produce() -> None:
        while not stopping.is_set():
            n = await tokens.get()
            if n < 0:
                return  # the stop token: create nothing more
            ref = f"ref-{n}"
            stream.in_flight += 1
            try:
                created = await client.run_process(PROCESS_ID, {"ref": ref})
            except PyZeebeError as error:
                # Not acknowledged: the instance may exist or not; nothing was promised.
                stream.refused_creates[type(error).__name__] += 1
                await asyncio.sleep(RETRY_PAUSE_S)
                continue
            finally:
                stream.in_flight -= 1
            stream.acknowledged[created.process_instance_key] = ref
            await publish(ref)

    tasks = [asyncio.create_task(pace()), *(asyncio.create_task(produce()) for _ in range(producers))]
    try:
        yield stream
    finally:
        stopping.set()
        # Let the producers finish the instance in hand (its message included), then stop.
        tasks[0].cancel()
        with contextlib.suppress(asyncio.QueueEmpty):
            while True:
                tokens.get_nowait()
        for _ in range(producers):
            with contextlib.suppress(asyncio.QueueFull):
                tokens.put_nowait(-1)
        _, pending = await asyncio.wait(tasks[1:], timeout=120)
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await channel.close()


# ---------------------------------------------------------------------------------------- checks


@dataclass
class LogFacts:
    """What the engine's record log says, read from its database."""

    completed_instances: set[int]
    job_completions: Counter[int]  # job key -> JOB COMPLETED records
    job_instance: dict[int, int]  # job key -> process instance key
    correlated_ids: set[str]  # message ids correlated to a subscription
    created_instances: int


def read_log(database_url: str) -> LogFacts:
    database = sqlalchemy.create_engine(
        make_url(database_url).set(drivername="postgresql+psycopg")
        if database_url.startswith("postgresql:")
        else database_url
    )
    try:
        with database.connect() as connection:

            def rows(value_type: str, intent: str) -> list[Any]:
                return list(
                    connection.execute(
                        sqlalchemy.text(
                            "SELECT record_key, process_instance_key, value FROM engine_records "
                            "WHERE value_type = :t AND intent = :i"
                        ),
                        {"t": value_type, "i": intent},
                    )
                )

            # The process's own ELEMENT_COMPLETED is the record whose key is the instance's.
            completed = {
                key for key, instance, _ in rows("PROCESS_INSTANCE", "ELEMENT_COMPLETED") if key == instance
            }
            completions: Counter[int] = Counter()
            job_instance: dict[int, int] = {}
            for key, instance, _ in rows("JOB", "COMPLETED"):
                completions[key] += 1
                job_instance[key] = instance
            for key, instance, _ in rows("JOB", "CREATED"):
                job_instance[key] = instance
            correlated = {
                json.loads(value)["messageId"] for _, _, value in rows("MESSAGE_SUBSCRIPTION", "CORRELATED")
            }
            created = len(rows("PROCESS_INSTANCE_CREATION", "CREATED"))
        return LogFacts(completed, completions, job_instance, correlated, created)
    finally:
        database.dispose()


def count_completed(database_url: str, keys: set[int]) -> int:
    return len(read_log(database_url).completed_instances & keys)


@dataclass
class Figures:
    scenario: str
    database: str
    faults_planned: int
    faults_survived: int = 0
    engine_starts: int = 0
    recovery_s: list[float] = field(default_factory=list)
    in_flight_at_fault: list[int] = field(default_factory=list)
    acknowledged: int = 0
    completed: int = 0
    instances_lost: int = 0
    created_unacknowledged: int = 0
    jobs_completed: int = 0
    jobs_worked_again: int = 0
    duplicate_completions: int = 0
    missing_completions: int = 0
    messages_acknowledged: int = 0
    messages_lost: int = 0
    refused_calls: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.faults_survived == self.faults_planned
            and not self.instances_lost
            and not self.duplicate_completions
            and not self.missing_completions
            and not self.messages_lost
            and self.acknowledged > 0
        )

    def report(self) -> str:
        recovery = sorted(self.recovery_s)
        lines = [
            f"scenario: {self.scenario}; database: {self.database}",
            f"faults survived:           {self.faults_survived} of {self.faults_planned}",
            f"engine starts:             {self.engine_starts}",
        ]
        if recovery:
            lines.append(
                f"back up after a fault:     median {recovery[len(recovery) // 2]:.2f} s, "
                f"max {recovery[-1]:.2f} s"
            )
        if self.in_flight_at_fault:
            lines.append(
                f"creates in flight at the faults: {sum(self.in_flight_at_fault)} in all, "
                f"at most {max(self.in_flight_at_fault)}"
            )
        lines += [
            f"instances acknowledged:    {self.acknowledged}",
            f"instances completed:       {self.completed}",
            f"instances lost:            {self.instances_lost}",
            f"created, not acknowledged: {self.created_unacknowledged} (the answer was lost in a fault; "
            "they wait for a message nobody sends)",
            f"jobs completed (log):      {self.jobs_completed}",
            f"jobs worked again:         {self.jobs_worked_again} (their CompleteJob met an engine "
            "that was down; the job timed out and was done again)",
            f"duplicate completions:     {self.duplicate_completions}",
            f"acknowledged completions missing from the log: {self.missing_completions}",
            f"messages acknowledged:     {self.messages_acknowledged}",
            f"messages lost:             {self.messages_lost}",
            "calls refused during faults (retried): "
            + (", ".join(f"{name} {count}" for name, count in sorted(self.refused_calls.items())) or "none"),
            f"wall time:                 {self.wall_s:.1f} s",
        ]
        lines += [f"PROBLEM: {problem}" for problem in self.problems[:20]]
        return "\n".join(lines)


def check(
    figures: Figures, database_url: str, stream: Stream, workers: list[WorkerProcess], drain_timeout_s: float
) -> Figures:
    """Wait for the acknowledged instances to complete, then compare the log with what was told."""
    keys = set(stream.acknowledged)
    give_up = time.monotonic() + drain_timeout_s
    while count_completed(database_url, keys) < len(keys) and time.monotonic() < give_up:
        time.sleep(0.5)
    facts = read_log(database_url)
    figures.acknowledged = len(keys)
    figures.completed = len(facts.completed_instances & keys)
    lost = sorted(keys - facts.completed_instances)
    figures.instances_lost = len(lost)
    if lost:
        figures.problems.append(f"acknowledged instances that did not complete: {lost[:10]}")
    figures.created_unacknowledged = facts.created_instances - len(keys)

    figures.jobs_completed = sum(facts.job_completions.values())
    told: Counter[int] = Counter()
    worked: Counter[int] = Counter()
    for worker in workers:
        told.update(worker.entries("completed"))
        worked.update(worker.entries("worked"))
    figures.jobs_worked_again = sum(1 for count in worked.values() if count > 1)
    twice_in_log = sorted(key for key, count in facts.job_completions.items() if count > 1)
    twice_told = sorted(key for key, count in told.items() if count > 1)
    completions_per_instance: Counter[int] = Counter()
    for job, count in facts.job_completions.items():
        completions_per_instance[facts.job_instance[job]] += count
    not_once = sorted(key for key in keys if completions_per_instance[key] != 1)
    figures.duplicate_completions = len(twice_in_log) + len(twice_told) + len(not_once)
    if twice_in_log:
        figures.problems.append(f"jobs completed more than once in the log: {twice_in_log[:10]}")
    if twice_told:
        figures.problems.append(f"jobs whose completion was acknowledged more than once: {twice_told[:10]}")
    if not_once:
        figures.problems.append(
            "acknowledged instances whose job did not complete exactly once: "
            + ", ".join(f"{key} ({completions_per_instance[key]})" for key in not_once[:10])
        )
    missing = sorted(set(told) - set(facts.job_completions))
    figures.missing_completions = len(missing)
    if missing:
        figures.problems.append(f"acknowledged completions missing from the log: {missing[:10]}")

    figures.messages_acknowledged = len(stream.published)
    uncorrelated = sorted(stream.published - facts.correlated_ids)
    figures.messages_lost = len(uncorrelated)
    if uncorrelated:
        figures.problems.append(f"acknowledged messages never correlated: {uncorrelated[:10]}")
    figures.refused_calls = dict(stream.refused_creates + stream.refused_publishes)
    return figures


# ------------------------------------------------------------------------------------- scenarios


@dataclass
class Load:
    workers: int = 2
    producers: int = 8
    rate: float = 50.0
    job_timeout_ms: int = 5_000
    settle_s: float = 3.0
    drain_timeout_s: float = 120.0


async def _wait_for_progress(stream: Stream, since: int, at_least: int, timeout_s: float) -> None:
    give_up = time.monotonic() + timeout_s
    while len(stream.acknowledged) - since < at_least and time.monotonic() < give_up:
        await asyncio.sleep(0.05)


async def _kill_engine_async(
    engine: EngineProcess,
    directory: Path,
    kills: int,
    pause_s: tuple[float, float],
    load: Load,
    figures: Figures,
) -> tuple[Stream, list[WorkerProcess]]:
    await deploy(engine.address, directory)
    workers = [
        WorkerProcess(engine.address, directory, f"worker-{i}", load.job_timeout_ms)
        for i in range(load.workers)
    ]
    try:
        async with stream_instances(engine.address, load.producers, load.rate) as stream:
            for _ in range(kills):
                # The stream must be moving again before the next kill: creates in flight, jobs in hand.
                await _wait_for_progress(stream, len(stream.acknowledged), 10, timeout_s=60)
                await asyncio.sleep(random.uniform(*pause_s))
                figures.in_flight_at_fault.append(stream.in_flight)
                engine.kill()
                figures.recovery_s.append(await engine.launch_async())
                figures.faults_survived += 1
            await _wait_for_progress(stream, len(stream.acknowledged), 10, timeout_s=60)
            await asyncio.sleep(load.settle_s)
    except BaseException:
        for worker in workers:
            worker.stop()
        raise
    return stream, workers


def kill_engine(
    database_url: str,
    directory: Path,
    kills: int = 20,
    pause_s: tuple[float, float] = (0.5, 6.0),
    load: Load | None = None,
    database_name: str | None = None,
) -> Figures:
    """SIGKILL the engine `kills` times during a stream of instances; the figures of what survived."""
    load = load or Load()
    figures = Figures("kill -9 of the engine during a stream", database_name or database_url, kills)
    began = time.monotonic()
    engine = EngineProcess(database_url, directory / "engine.log")
    engine.launch()
    workers: list[WorkerProcess] = []
    try:
        stream, workers = asyncio.run(_kill_engine_async(engine, directory, kills, pause_s, load, figures))
        figures = check(figures, database_url, stream, workers, load.drain_timeout_s)
    finally:
        for worker in workers:
            worker.stop()
        engine.stop()
    figures.engine_starts = engine.starts
    figures.wall_s = time.monotonic() - began
    for worker in workers:
        if worker.process.returncode not in (0, -signal.SIGTERM):
            figures.problems.append(
                f"{worker.name} exited with {worker.process.returncode}:\n{worker.log()[-2000:]}"
            )
    return figures


async def _restart_postgres_async(
    engine: EngineProcess,
    server: ThrowawayPostgres,
    directory: Path,
    restarts: int,
    load: Load,
    figures: Figures,
) -> tuple[Stream, list[WorkerProcess]]:
    await deploy(engine.address, directory)
    workers = [
        WorkerProcess(engine.address, directory, f"worker-{i}", load.job_timeout_ms)
        for i in range(load.workers)
    ]
    pid = engine.pid
    try:
        async with stream_instances(engine.address, load.producers, load.rate) as stream:
            for n in range(restarts):
                await _wait_for_progress(stream, len(stream.acknowledged), 20, timeout_s=60)
                await asyncio.sleep(random.uniform(0.5, 2.0))
                figures.in_flight_at_fault.append(stream.in_flight)
                await asyncio.to_thread(server.restart, "fast" if n % 2 == 0 else "immediate")
                # Back up means: the stream moves again, through the same engine process.
                began = time.monotonic()
                before = len(stream.acknowledged)
                await _wait_for_progress(stream, before, 5, timeout_s=60)
                if len(stream.acknowledged) - before < 5:
                    figures.problems.append(
                        f"the stream did not move within 60 s of database restart {n + 1}"
                    )
                    break
                figures.recovery_s.append(time.monotonic() - began)
                if not engine.alive or engine.pid != pid:
                    figures.problems.append(
                        f"the engine exited at database restart {n + 1}:\n{engine.log()[-3000:]}"
                    )
                    break
                figures.faults_survived += 1
            await asyncio.sleep(load.settle_s)
    except BaseException:
        for worker in workers:
            worker.stop()
        raise
    return stream, workers


def restart_postgres(directory: Path, restarts: int = 5, load: Load | None = None) -> Figures:
    """Restart a throwaway PostgreSQL server under a running engine and its workers."""
    load = load or Load()
    began = time.monotonic()
    server = ThrowawayPostgres().start()
    figures = Figures(
        "PostgreSQL restarted under load", f"throwaway PostgreSQL on port {server.port}", restarts
    )
    engine = EngineProcess(server.url, directory / "engine.log")
    workers: list[WorkerProcess] = []
    try:
        engine.launch()
        stream, workers = asyncio.run(
            _restart_postgres_async(engine, server, directory, restarts, load, figures)
        )
        figures = check(figures, server.url, stream, workers, load.drain_timeout_s)
        figures.engine_starts = engine.starts
        if engine.starts != 1 or not engine.alive:
            figures.problems.append("the engine had to be started again")
    finally:
        for worker in workers:
            worker.stop()
        engine.stop()
        server.stop()
    figures.wall_s = time.monotonic() - began
    return figures


# ------------------------------------------------------------------------------------- databases


@contextlib.contextmanager
def postgres_schema(server_url: str) -> Iterator[str]:
    """A schema of the run's own on a shared server, dropped afterwards; yields the engine's URL."""
    schema = f"fault_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(server_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@contextlib.contextmanager
def database_for(choice: str, directory: Path) -> Iterator[tuple[str, str]]:
    """`sqlite`, `postgresql` (a fresh schema on MINSHENG_TEST_POSTGRES_URL) or a URL as is."""
    if choice == "sqlite":
        yield f"sqlite:///{directory / 'engine.db'}", "SQLite (a fresh file, WAL)"
    elif choice == "postgresql":
        server = os.environ.get("MINSHENG_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        with postgres_schema(server) as url:
            yield url, f"PostgreSQL at {make_url(server).host}:{make_url(server).port} (a fresh schema)"
    else:
        yield choice, choice


def machine() -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from one_task_throughput import machine as describe

    return str(describe())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def load_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--workers", type=int, default=2, help="worker subprocesses")
        command.add_argument("--producers", type=int, default=8, help="concurrent create clients")
        command.add_argument("--rate", type=float, default=50.0, help="instances offered per second")
        command.add_argument("--job-timeout-ms", type=int, default=5_000, help="the workers' job timeout")
        command.add_argument("--settle", type=float, default=3.0, help="seconds of load after the last fault")
        command.add_argument(
            "--drain-timeout", type=float, default=120.0, help="seconds to wait for completion"
        )
        command.add_argument("--keep", action="store_true", help="keep the run's directory (logs, journals)")

    kill = commands.add_parser("kill-engine", help="SIGKILL the engine during a stream")
    kill.add_argument("--database", default="sqlite", help="sqlite, postgresql or a SQLAlchemy URL")
    kill.add_argument("--kills", type=int, default=20)
    kill.add_argument(
        "--pause",
        type=float,
        nargs=2,
        default=(0.5, 6.0),
        metavar=("MIN", "MAX"),
        help="seconds between the stream moving again and the next kill (uniform)",
    )
    load_options(kill)
    restart = commands.add_parser("restart-postgres", help="restart a throwaway PostgreSQL server under load")
    restart.add_argument("--restarts", type=int, default=5)
    load_options(restart)
    worker = commands.add_parser("worker", help="(internal) one worker subprocess")
    worker.add_argument("--address", required=True)
    worker.add_argument("--journal", type=Path, required=True)
    worker.add_argument("--name", required=True)
    worker.add_argument("--job-type", default=JOB_TYPE)
    worker.add_argument("--job-timeout-ms", type=int, default=5_000)
    worker.add_argument("--hold", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "worker":
        run_worker(args.address, args.journal, args.name, args.job_type, args.job_timeout_ms, args.hold)
        return
    load = Load(args.workers, args.producers, args.rate, args.job_timeout_ms, args.settle, args.drain_timeout)
    print(f"machine: {machine()}")
    print(
        f"load: {load.producers} clients offering {load.rate:g} instances/s of start -> service task -> "
        f"message catch -> end; {load.workers} pyzeebe worker processes, "
        f"job timeout {load.job_timeout_ms} ms",
        flush=True,
    )
    directory = Path(tempfile.mkdtemp(prefix="minsheng-faults-"))
    try:
        if args.command == "kill-engine":
            with database_for(args.database, directory) as (url, name):
                figures = kill_engine(url, directory, args.kills, tuple(args.pause), load, name)
        else:
            figures = restart_postgres(directory, args.restarts, load)
    finally:
        if args.keep:
            print(f"logs and journals kept in {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    print(figures.report())
    raise SystemExit(0 if figures.ok else 1)


if __name__ == "__main__":
    main()
