"""The engine's own cost per one-task instance, without gRPC, workers or other processes.

    python bench/engine_core.py [--instances 5000] [--concurrency 32] [--database URL] [--profile N]

Runs the engine (engine.runtime.engine.Engine over its Repository) in this process on a fresh SQLite
file (or --database) and drives the one-service-task process of bench/one_task_throughput.py
through it the way the gateway would: --concurrency create commands at once, then activate the
jobs, then complete them, round after round, each command queued like a gRPC call's. It prints
the CPU time of this process per instance (the engine's command processing, batching and database
writes, which is what a profile of `python -m engine` shows beside gRPC) and, with --profile N,
cProfile's N most expensive functions. Useful to measure engine changes before and after on a busy
machine, where wall-clock throughput is noisy but CPU time per instance is not.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from one_task_throughput import DIAGRAM, JOB_TYPE, PROCESS_ID, machine

from engine.runtime import commands
from engine.runtime.engine import Engine
from engine.store import projections
from engine.store.database import open_database
from engine.store.repository import Repository


async def run(url: str, instances: int, concurrency: int) -> tuple[float, float, int]:
    database = open_database(url)
    await asyncio.to_thread(projections.catch_up, database)
    engine = Engine(Repository(database))
    await engine.start()
    resources = [(f"{PROCESS_ID}.bpmn", DIAGRAM.encode())]
    await engine.execute(lambda ctx: commands.deploy(ctx, resources))

    async def round_of(count: int, offset: int) -> int:
        def create(n: int) -> commands.Command:  # type: ignore[name-defined]
            return lambda ctx: commands.create_process_instance(ctx, PROCESS_ID, -1, 0, {"n": n})

        await asyncio.gather(*(engine.execute(create(offset + i)) for i in range(count)))
        activated = await engine.execute(
            lambda ctx: commands.activate_jobs(ctx, JOB_TYPE, "bench", 60_000, count, [])
        )
        await asyncio.gather(
            *(
                engine.execute(lambda ctx, key=job.job.key: commands.complete_job(ctx, key, {"worked": True}))
                for job in activated
            )
        )
        return len(activated)

    await round_of(min(concurrency, 200), 0)  # warm-up: imports, parsed model, statement caches
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    done = 0
    while done < instances:
        done += await round_of(min(concurrency, instances - done), done)
    cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
    await engine.stop()
    return cpu, wall, done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instances", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32, help="instances per round")
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print cProfile's top N")
    args = parser.parse_args(argv)
    print(f"machine: {machine(args.database or 'sqlite://')}")
    with tempfile.TemporaryDirectory(prefix="minsheng-core-") as temp:
        url = args.database or f"sqlite:///{Path(temp) / 'core.db'}"
        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        cpu, wall, done = asyncio.run(run(url, args.instances, args.concurrency))
        if profiler is not None:
            profiler.disable()
    print(
        f"{done} instances, {args.concurrency} per round: {1000 * cpu / done:.3f} ms CPU per instance "
        f"({done / cpu:.0f} instances per CPU second), wall {done / wall:.0f} instances/s"
    )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
