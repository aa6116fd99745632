"""Process instances per second through a one-service-task process, and start-to-completion latency.

    python bench/one_task_throughput.py [--workers N [N ...]] [--instances M] [--database URL]

For each worker count it starts the engine (`python -m engine`) as a subprocess on a fresh SQLite
file under a temporary directory (or on --database), deploys `start -> service task -> end`, starts N
worker processes (pyzeebe `ZeebeWorker`s) and drives M instances through the process with
`CreateProcessInstanceWithResult`, keeping --in-flight calls open at once. An instance's latency is
the time from sending its create call to receiving its result (the instance completed); throughput is
completed instances over the wall time from the first create call to the last completion. A warm-up
of --warm-up instances runs first and is not measured. It prints the machine and one table row per
worker count.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

import grpc
from pyzeebe import ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.subprocess_engine import EngineStartError, EngineSubprocess

ROOT = Path(__file__).resolve().parent.parent
PROCESS_ID = "bench-one-task"
JOB_TYPE = "bench-one-task-work"


def one_task_diagram(process_id: str, job_type: str, task_id: str = "task") -> str:
    """start → one service task of `job_type` → end: the process the benchmarks and fault tests run."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d-{process_id}" targetNamespace="https://minsheng/bench">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="{task_id}"><bpmn:extensionElements>
      <zeebe:taskDefinition type="{job_type}"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{task_id}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="{task_id}" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


DIAGRAM = one_task_diagram(PROCESS_ID, JOB_TYPE, task_id="work")
MAX_JOBS_TO_ACTIVATE = 32
MAX_RUNNING_JOBS = 2 * MAX_JOBS_TO_ACTIVATE
POLL_RETRY_DELAY_S = 0.01


# ------------------------------------------------------------------------------------------- machine


def machine(database: str | None = None) -> str:
    """CPU model, cores, RAM, OS, Python and (when given) the database, for the figures' context."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    text = (
        f"{cpu}; {os.cpu_count()} CPUs; {ram}; {platform.platform()}; "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )
    if database is not None:
        text += f"; database {database_version(database)}"
    return text


def database_version(url: str) -> str:
    """The database product and version behind a SQLAlchemy URL (SQLite: the library's version)."""
    if url.startswith("sqlite"):
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    try:
        from sqlalchemy import create_engine

        engine = create_engine(url)
        with engine.connect() as connection:
            version = connection.exec_driver_sql("show server_version").scalar()
        engine.dispose()
        return f"PostgreSQL {version}"
    except Exception as error:
        return f"{url.split(':', 1)[0]} (version unknown: {error.__class__.__name__})"


def rss_bytes(pid: int) -> int | None:
    """Resident set size of a process (Linux /proc), None when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -------------------------------------------------------------------------------------------- engine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_engine(
    database_url: str, address: str, log_path: Path, engine_root: Path = ROOT, rest_address: str = ""
) -> subprocess.Popen[bytes]:
    """`python -m engine` on `address`, ready when its gRPC health service (and REST API, when asked
    for) answers; `engine.testing.subprocess_engine` does the starting and waiting."""
    engine = EngineSubprocess(
        database_url, log_path, gateway_address=address, rest_address=rest_address, engine_root=engine_root
    )
    try:
        engine.start()
    except EngineStartError as error:
        raise SystemExit(str(error)) from None
    assert engine.process is not None
    return engine.process


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ------------------------------------------------------------------------------------------- workers


def worker_main(address: str, name: str, stop: EventType) -> None:
    """One worker process: a pyzeebe worker for the bench's job type, until `stop` is set."""
    import logging

    logging.basicConfig(level=logging.ERROR)

    async def run() -> None:
        channel = create_insecure_channel(address)
        worker = ZeebeWorker(
            channel, name=name, poll_retry_delay=POLL_RETRY_DELAY_S, max_connection_retries=-1
        )  # type: ignore[arg-type]

        @worker.task(
            task_type=JOB_TYPE,
            max_jobs_to_activate=MAX_JOBS_TO_ACTIVATE,
            max_running_jobs=MAX_RUNNING_JOBS,
            timeout_ms=60_000,
        )
        async def work() -> dict[str, bool]:
            return {"worked": True}

        working = asyncio.create_task(worker.work())
        while not stop.is_set():
            await asyncio.sleep(0.1)
            if working.done():
                # pyzeebe's poller gives up on some gRPC errors (seen under overload): say so, as
                # the figures would otherwise show a silent stall, and poll again.
                error = None if working.cancelled() else working.exception()
                print(f"{name}: worker.work() ended ({error!r}); starting it again", flush=True)
                working = asyncio.create_task(worker.work())
        await worker.stop()
        working.cancel()
        await asyncio.gather(working, return_exceptions=True)
        await channel.close()

    asyncio.run(run())


# -------------------------------------------------------------------------------------------- driver


@dataclass
class Result:
    workers: int
    instances: int
    completed: int
    errors: list[str]
    wall_s: float
    latencies_ms: list[float]
    engine_cpu_s: float | None

    @property
    def per_second(self) -> float:
        return self.completed / self.wall_s if self.wall_s else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def drive(address: str, count: int, in_flight: int) -> tuple[float, list[float], list[str]]:
    """Run `count` instances to completion with at most `in_flight` open calls."""
    channel = create_insecure_channel(address)
    stub = GatewayStub(channel)
    pending = iter(range(count))
    latencies: list[float] = []
    errors: list[str] = []
    first_start: list[float] = []
    last_end = 0.0

    async def one_after_another() -> None:
        nonlocal last_end
        for n in pending:
            request = pb.CreateProcessInstanceWithResultRequest(
                request=pb.CreateProcessInstanceRequest(
                    bpmnProcessId=PROCESS_ID, version=-1, variables=f'{{"n": {n}}}'
                ),
                requestTimeout=120_000,
            )
            started = time.perf_counter()
            if not first_start:
                first_start.append(started)
            try:
                await stub.CreateProcessInstanceWithResult(request, timeout=130)
            except grpc.aio.AioRpcError as error:
                errors.append(f"{error.code().name}: {error.details()}")
                continue
            ended = time.perf_counter()
            latencies.append((ended - started) * 1000)
            last_end = max(last_end, ended)

    await asyncio.gather(*(one_after_another() for _ in range(min(in_flight, count))))
    await channel.close()
    return (last_end - first_start[0]) if latencies else 0.0, latencies, errors


async def drive_at_rate(address: str, count: int, rate: float) -> tuple[float, list[float], list[str]]:
    """Send `count` create calls at a fixed offered `rate` per second, whatever the answers do.

    Open loop: call n is sent at start + n / rate even when earlier calls have not been answered, and
    its latency counts from that planned moment, so a stalled engine shows up in the latency instead
    of silently lowering the offered rate (coordinated omission).
    """
    channel = create_insecure_channel(address)
    stub = GatewayStub(channel)
    latencies: list[float] = []
    errors: list[str] = []
    last_end = 0.0
    loop = asyncio.get_running_loop()

    async def one(n: int, planned: float) -> None:
        nonlocal last_end
        request = pb.CreateProcessInstanceWithResultRequest(
            request=pb.CreateProcessInstanceRequest(
                bpmnProcessId=PROCESS_ID, version=-1, variables=f'{{"n": {n}}}'
            ),
            requestTimeout=120_000,
        )
        try:
            await stub.CreateProcessInstanceWithResult(request, timeout=130)
        except grpc.aio.AioRpcError as error:
            errors.append(f"{error.code().name}: {error.details()}")
            return
        ended = loop.time()
        latencies.append((ended - planned) * 1000)
        last_end = max(last_end, ended)

    began = loop.time()
    calls = []
    for n in range(count):
        planned = began + n / rate
        delay = planned - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        calls.append(asyncio.create_task(one(n, planned)))
    await asyncio.gather(*calls)
    await channel.close()
    return (last_end - began) if latencies else 0.0, latencies, errors


async def deploy(address: str, directory: Path) -> None:
    path = directory / f"{PROCESS_ID}.bpmn"
    path.write_text(DIAGRAM)
    channel = create_insecure_channel(address)
    await ZeebeClient(channel).deploy_resource(str(path))
    await channel.close()


def run_once(
    workers: int,
    instances: int,
    in_flight: int,
    warm_up: int,
    database: str | None,
    profile: Path | None,
    engine_root: Path = ROOT,
    rate: float | None = None,
) -> Result:
    with tempfile.TemporaryDirectory(prefix="minsheng-bench-") as temp:
        directory = Path(temp)
        database_url = database or f"sqlite:///{directory / 'bench.db'}"
        address = f"127.0.0.1:{free_port()}"
        engine = start_engine(database_url, address, directory / "engine.log", engine_root)
        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        processes = [
            context.Process(target=worker_main, args=(address, f"bench-worker-{i}", stop), daemon=True)
            for i in range(workers)
        ]
        spy: subprocess.Popen[bytes] | None = None
        try:
            asyncio.run(deploy(address, directory))
            for process in processes:
                process.start()
            if warm_up:
                _, _, errors = asyncio.run(drive(address, warm_up, in_flight))
                if errors:
                    raise SystemExit(f"the warm-up failed: {errors[:3]}")
            if profile is not None:
                spy = start_profiler(engine.pid, profile / f"engine-{workers}-workers.txt")
            cpu_before = cpu_seconds(engine.pid)
            if rate is None:
                wall, latencies, errors = asyncio.run(drive(address, instances, in_flight))
            else:
                wall, latencies, errors = asyncio.run(drive_at_rate(address, instances, rate))
            cpu_after = cpu_seconds(engine.pid)
            engine_cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
            return Result(workers, instances, len(latencies), errors, wall, latencies, engine_cpu)
        finally:
            if spy is not None:
                spy.send_signal(2)  # SIGINT: py-spy writes its report
                spy.wait(timeout=60)
            stop.set()
            for process in processes:
                process.join(timeout=10)
                if process.is_alive():
                    process.kill()
            stop_process(engine)


def start_profiler(pid: int, output: Path) -> subprocess.Popen[bytes]:
    """Sample the engine with py-spy (pip install py-spy) while the measured instances run."""
    output.parent.mkdir(parents=True, exist_ok=True)
    py_spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen(
        [
            str(py_spy if py_spy.exists() else "py-spy"),
            "record",
            "--pid",
            str(pid),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(output),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 3], help="worker processes; one run per value"
    )
    parser.add_argument("--instances", type=int, default=2000, help="measured instances per run")
    parser.add_argument(
        "--database", default=None, help="SQLAlchemy URL (default: a fresh SQLite file per run)"
    )
    parser.add_argument(
        "--in-flight", type=int, default=32, help="concurrent CreateProcessInstanceWithResult calls"
    )
    parser.add_argument("--warm-up", type=int, default=200, help="unmeasured instances before each run")
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="offer this many instances per second (open loop) instead of keeping --in-flight calls open",
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="directory for py-spy samples of the engine (raw format)"
    )
    parser.add_argument(
        "--engine-root",
        type=Path,
        default=ROOT,
        help="directory whose engine/ package `python -m engine` runs (to compare two versions)",
    )
    args = parser.parse_args(argv)

    print(f"machine: {machine(args.database or 'sqlite://')}")
    print(f"engine: {args.engine_root.resolve() / 'engine'} (python -m engine, a subprocess)")
    print(
        f"process: start -> service task '{JOB_TYPE}' -> end; database: "
        f"{args.database or 'a fresh SQLite file per run (WAL)'}"
    )
    if args.rate is None:
        driving = f"{args.in_flight} calls in flight; latency = create call sent"
    else:
        driving = f"{args.rate:g} calls/s offered (open loop); latency = planned send time"
    print(
        f"driver: CreateProcessInstanceWithResult, {driving} -> result received (instance completed); "
        "throughput = completed / (first create -> last completion); "
        f"{args.warm_up} warm-up instances not measured"
    )
    print(
        f"workers: pyzeebe ZeebeWorker per process, max_jobs_to_activate={MAX_JOBS_TO_ACTIVATE}, "
        f"max_running_jobs={MAX_RUNNING_JOBS}, poll_retry_delay={POLL_RETRY_DELAY_S} s"
    )
    results = []
    for workers in args.workers:
        print(f"running {args.instances} instances with {workers} worker process(es)...", flush=True)
        results.append(
            run_once(
                workers,
                args.instances,
                args.in_flight,
                args.warm_up,
                args.database,
                args.profile,
                args.engine_root.resolve(),
                args.rate,
            )
        )

    header = f"{'workers':>7} {'instances':>9} {'completed':>9} {'wall s':>7} {'inst/s':>8} "
    header += f"{'p50 ms':>8} {'p99 ms':>8} {'engine CPU':>10} {'errors':>6}"
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        cpu = f"{100 * r.engine_cpu_s / r.wall_s:.0f} %" if r.engine_cpu_s is not None and r.wall_s else "?"
        print(
            f"{r.workers:>7} {r.instances:>9} {r.completed:>9} {r.wall_s:>7.2f} {r.per_second:>8.1f} "
            f"{r.percentile(0.50):>8.1f} {r.percentile(0.99):>8.1f} {cpu:>10} {len(r.errors):>6}"
        )
    for r in results:
        if r.errors:
            print(f"errors with {r.workers} worker(s), e.g.: {r.errors[:3]}")
    one = next((r for r in results if r.workers == 1), None)
    if one is None:
        return
    if args.rate is None:
        target = 500
        verdict = "meets" if one.per_second >= target else "falls short of"
        print(
            f"\nwith one worker: {one.per_second:.0f} instances/s, which {verdict} the target of {target}/s"
        )
    else:
        p99 = one.percentile(0.99)
        verdict = "meets" if p99 < 100 else "falls short of"
        print(
            f"\nwith one worker at {args.rate:g}/s offered: p99 {p99:.0f} ms, which {verdict} "
            "the target of under 100 ms"
        )


if __name__ == "__main__":
    main()
