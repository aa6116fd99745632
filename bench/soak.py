"""A soak at a steady rate: memory (RSS) of the engine and the workers at the start and the end.

    python bench/soak.py [--minutes 30] [--rate 100] [--workers 2] [--database URL] [--sample-s 30]

Starts the engine (`python -m engine`) on a fresh SQLite file (or --database), deploys the
one-service-task process of bench/one_task_throughput.py, starts --workers pyzeebe worker processes
and offers --rate instances per second (open loop, CreateProcessInstanceWithResult) for --minutes.
Every --sample-s seconds it prints the resident memory of the engine and of each worker, the
instances completed so far, the latency percentiles of that interval and the database's size. The
first sample is taken after one minute of load (imports, caches and the allocator's arenas settle
then), and the verdict compares the last sample with it. It prints the machine first.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from pyzeebe import create_insecure_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

sys.path.insert(0, str(Path(__file__).resolve().parent))

from one_task_throughput import (
    PROCESS_ID,
    cpu_seconds,
    deploy,
    free_port,
    machine,
    rss_bytes,
    start_engine,
    stop_process,
    worker_main,
)

MIB = 1024 * 1024


@dataclass
class Interval:
    """What happened between two samples."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    completed: int = 0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@dataclass
class Sample:
    elapsed_s: float
    engine_rss: int | None
    worker_rss: list[int | None]
    completed: int
    p50_ms: float
    p99_ms: float
    errors: int
    database_bytes: int | None
    engine_cpu_s: float | None


def database_size(path: Path | None) -> int | None:
    if path is None:
        return None
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


async def soak(
    address: str,
    rate: float,
    seconds: float,
    sample_s: float,
    engine_pid: int,
    worker_pids: list[int],
    database_path: Path | None,
) -> tuple[Sample | None, list[Sample]]:
    channel = create_insecure_channel(address)
    stub = GatewayStub(channel)
    loop = asyncio.get_running_loop()
    interval = Interval()
    completed = 0
    calls: set[asyncio.Task[None]] = set()

    async def one(n: int, planned: float) -> None:
        nonlocal completed
        request = pb.CreateProcessInstanceWithResultRequest(
            request=pb.CreateProcessInstanceRequest(
                bpmnProcessId=PROCESS_ID, version=-1, variables=f'{{"n": {n}}}'
            ),
            requestTimeout=120_000,
        )
        try:
            await stub.CreateProcessInstanceWithResult(request, timeout=130)
        except grpc.aio.AioRpcError:
            interval.errors += 1
            return
        interval.latencies_ms.append((loop.time() - planned) * 1000)
        interval.completed += 1
        completed += 1

    def sample(elapsed: float) -> Sample:
        nonlocal interval
        done, interval = interval, Interval()
        return Sample(
            elapsed,
            rss_bytes(engine_pid),
            [rss_bytes(pid) for pid in worker_pids],
            completed,
            done.percentile(0.5),
            done.percentile(0.99),
            done.errors,
            database_size(database_path),
            cpu_seconds(engine_pid),
        )

    warm_up_s = min(60.0, seconds / 4)
    began = loop.time()
    baseline: Sample | None = None
    samples: list[Sample] = []
    next_sample = began + warm_up_s
    n = 0
    while True:
        planned = began + n / rate
        if planned - began >= seconds:
            break
        now = loop.time()
        if now >= next_sample:
            taken = sample(now - began)
            if baseline is None:
                baseline = taken
            samples.append(taken)
            report(taken, baseline)
            next_sample += sample_s
        if planned > now:
            await asyncio.sleep(planned - now)
        task = asyncio.create_task(one(n, planned))
        calls.add(task)
        task.add_done_callback(calls.discard)
        n += 1
    await asyncio.gather(*calls)
    final = sample(loop.time() - began)
    samples.append(final)
    report(final, baseline or final)
    await channel.close()
    return baseline, samples


def mib(value: int | None) -> str:
    return f"{value / MIB:7.1f}" if value is not None else "      ?"


def report(s: Sample, baseline: Sample) -> None:
    workers = " ".join(mib(rss) for rss in s.worker_rss)
    print(
        f"{s.elapsed_s / 60:6.1f} min  engine {mib(s.engine_rss)} MiB  workers {workers} MiB  "
        f"completed {s.completed:>8}  p50 {s.p50_ms:6.1f} ms  p99 {s.p99_ms:7.1f} ms  "
        f"errors {s.errors:>3}  db {mib(s.database_bytes)} MiB",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to offer load")
    parser.add_argument("--rate", type=float, default=100.0, help="instances offered per second")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--sample-s", type=float, default=60.0, help="seconds between memory samples")
    args = parser.parse_args(argv)

    print(f"machine: {machine(args.database or 'sqlite://')}")
    print(
        f"soak: {args.rate:g} one-service-task instances/s offered for {args.minutes:g} min, "
        f"{args.workers} pyzeebe worker process(es); RSS from /proc/PID/status"
    )
    with tempfile.TemporaryDirectory(prefix="minsheng-soak-") as temp:
        directory = Path(temp)
        database_path = None if args.database else directory / "soak.db"
        database_url = args.database or f"sqlite:///{database_path}"
        address = f"127.0.0.1:{free_port()}"
        engine = start_engine(database_url, address, directory / "engine.log")
        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        processes = [
            context.Process(target=worker_main, args=(address, f"soak-worker-{i}", stop), daemon=True)
            for i in range(args.workers)
        ]
        try:
            asyncio.run(deploy(address, directory))
            for process in processes:
                process.start()
            pids = [process.pid for process in processes if process.pid is not None]
            started = time.monotonic()
            baseline, samples = asyncio.run(
                soak(address, args.rate, args.minutes * 60, args.sample_s, engine.pid, pids, database_path)
            )
            wall = time.monotonic() - started
        finally:
            stop.set()
            for process in processes:
                process.join(timeout=10)
                if process.is_alive():
                    process.kill()
            stop_process(engine)

    end = samples[-1]
    start = baseline or end
    print()
    print(f"ran {wall / 60:.1f} min, {end.completed} instances completed ({end.completed / wall:.1f}/s)")
    print(f"{'':>10} {'start':>10} {'end':>10} {'growth':>10}")
    rows = [("engine", start.engine_rss, end.engine_rss)]
    rows += [
        (f"worker {i}", a, b) for i, (a, b) in enumerate(zip(start.worker_rss, end.worker_rss, strict=True))
    ]
    for name, a, b in rows:
        growth = f"{(b - a) / MIB:+9.1f}" if a is not None and b is not None else "        ?"
        print(f"{name:>10} {mib(a):>10} {mib(b):>10} {growth:>10}  MiB")
    if start.engine_cpu_s is not None and end.engine_cpu_s is not None and end.elapsed_s > start.elapsed_s:
        share = (end.engine_cpu_s - start.engine_cpu_s) / (end.elapsed_s - start.elapsed_s)
        print(f"engine CPU over the measured part: {100 * share:.0f} % of one core")


if __name__ == "__main__":
    main()
