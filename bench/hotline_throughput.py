"""Hotline tickets per second along the happy path, with the real workers and simulated people.

    python bench/hotline_throughput.py [--instances 300] [--workers 1 2] [--rate R] [--people 8]
                                       [--database URL] [--ledger-database URL]

For each worker count it starts the engine (`python -m engine`, gRPC and /v2 REST) on a fresh SQLite
file (or --database), migrates a fresh ledger (SQLite, or --ledger-database), deploys bpmn/ (but the
timer-started periodic-report) and forms/, and starts that many `python -m workers` processes, as
`make run` does. It then starts --instances hotline-ticket instances (a noise complaint, as
tests/process/test_hotline_ticket_rules.py's happy path) through the gateway, all at once or at
--rate per second, while simulated people work the task list as the console would, through /v2:
they search open user tasks of their step (`POST /v2/user-tasks/search`, state CREATED, by element),
read what the classification worker proposed (`POST /v2/variables/search`) and complete each task
(`POST /v2/user-tasks/{key}/completion`) with the form the happy path fills in:

    IntakeTask (front desk: dispatch as classified) -> SignForTask (unit signs for it) ->
    HandlingReplyTask (unit replies) -> CallbackTask (centre: the appellant is satisfied)

Between them the workers classify, number and register the case in the ledger, compute the
deadline, dispatch, notify, record the reply and the survey, close and archive it. Throughput is
completed instances over the time from the first measured create call to the last instance's end (as the
engine stamps it); cycle time is each instance's end minus its start. --warm-up tickets
run first (the workers import and connect meanwhile) and are not measured. People answer at once, so
this measures the engine and the workers, not the people. It prints the machine and one row per
worker count.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from pyzeebe import ZeebeClient, create_insecure_channel

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from one_task_throughput import free_port, machine, start_engine, stop_process

from workers.ids import HotlineTicket, ProcessId, UnitHandling
from workers.ledger.migrations import migrate

ROOT = Path(__file__).resolve().parent.parent
NOISE = {
    "title": "酒吧噪音扰民",
    "content": "楼下酒吧每晚噪音扰民到凌晨，投诉多次仍未解决，请尽快处理",
    "appellant": {"name": "张三", "phone": "13800001111", "address": "铁东区某小区3栋"},
}
SIGN_FOR = {"signAction": "accept", "readingLeader": "王局长", "readingOpinion": "请执法大队现场处理"}
REPLY = {
    "handlingAction": "reply",
    "replyText": "已现场检查，责令酒吧整改并安装隔音设施。",
    "replySigner": "王局长",
    "signatureManner": "handwritten",
}
CALLBACK = {"satisfaction": "satisfied", "callbackNote": "噪音已明显减小"}
STEPS = (HotlineTicket.INTAKE, UnitHandling.SIGN_FOR, UnitHandling.HANDLING_REPLY, HotlineTicket.CALLBACK)
# Processes started by timers would compile bulletins during the run: left out, as in the process tests.
LEFT_OUT = {f"{ProcessId.PERIODIC_REPORT}.bpmn"}


@dataclass
class Result:
    workers: int
    instances: int
    completed: int
    wall_s: float
    cycle_ms: list[float]
    tasks_completed: int
    conflicts: int

    @property
    def per_second(self) -> float:
        return self.completed / self.wall_s if self.wall_s else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.cycle_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def start_workers(count: int, env: dict[str, str], directory: Path) -> list[subprocess.Popen[bytes]]:
    processes = []
    for n in range(count):
        with (directory / f"workers-{n}.log").open("ab") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "workers"],
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    return processes


async def wait_for_rest(http: httpx.AsyncClient) -> None:
    give_up = time.monotonic() + 30
    while True:
        try:
            if (await http.get("/v2/topology")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > give_up:
            raise SystemExit("the engine's REST API did not answer within 30 s")
        await asyncio.sleep(0.1)


class People:
    """One desk per user task of the happy path, each completing what its task list shows."""

    def __init__(self, http: httpx.AsyncClient, concurrency: int) -> None:
        self.http = http
        self.limit = asyncio.Semaphore(concurrency)
        self.completed = 0
        # A task completed twice, or gone before it was completed: the console's user would see an error.
        self.conflicts = 0
        self.failures: list[str] = []

    async def desk(self, element_id: str, stop: asyncio.Event) -> None:
        working: set[str] = set()
        while not stop.is_set():
            answer = await self.http.post(
                "/v2/user-tasks/search",
                json={
                    "filter": {"state": "CREATED", "elementId": element_id},
                    "sort": [{"field": "creationDate", "order": "ASC"}],
                    "page": {"limit": 100},
                },
            )
            answer.raise_for_status()
            tasks = [t for t in answer.json()["items"] if t["userTaskKey"] not in working]
            if not tasks:
                await asyncio.sleep(0.05)
                continue
            working.update(t["userTaskKey"] for t in tasks)
            await asyncio.gather(*(self.complete(element_id, task) for task in tasks))
            # Searches read the projection, which trails the engine by a batch: keep the keys we
            # completed for a while so we do not complete them again.
            if len(working) > 10_000:
                working.clear()

    async def complete(self, element_id: str, task: dict[str, Any]) -> None:
        async with self.limit:
            form = await self.form(element_id, task)
            answer = await self.http.post(
                f"/v2/user-tasks/{task['userTaskKey']}/completion", json={"variables": form}
            )
        if answer.status_code == 204:
            self.completed += 1
        elif answer.status_code in (404, 409):
            self.conflicts += 1
        else:
            self.failures.append(f"{element_id}: {answer.status_code} {answer.text[:200]}")

    async def form(self, element_id: str, task: dict[str, Any]) -> dict[str, Any]:
        if element_id == HotlineTicket.INTAKE:
            # The operator dispatches the order as the classification worker proposed it.
            names = ["category", "leadUnit", "coUnits"]
            answer = await self.http.post(
                "/v2/variables/search",
                json={
                    "filter": {"processInstanceKey": task["processInstanceKey"], "name": {"$in": names}},
                    "page": {"limit": 10},
                },
            )
            answer.raise_for_status()
            found = {v["name"]: json.loads(v["value"]) for v in answer.json()["items"]}
            return {"intakeAction": "dispatch", **{name: found.get(name) for name in names}}
        if element_id == UnitHandling.SIGN_FOR:
            return SIGN_FOR
        if element_id == UnitHandling.HANDLING_REPLY:
            return REPLY
        return CALLBACK


async def count_completed(http: httpx.AsyncClient) -> int:
    answer = await http.post(
        "/v2/process-instances/search",
        json={
            "filter": {"processDefinitionId": ProcessId.HOTLINE_TICKET, "state": "COMPLETED"},
            "page": {"limit": 1},
        },
    )
    answer.raise_for_status()
    return int(answer.json()["page"]["totalItems"])


async def cycle_times(http: httpx.AsyncClient, since: float) -> tuple[list[float], float | None]:
    """Each ticket completed that started at or after `since`: end minus start; and the last end."""
    cycles: list[float] = []
    last_end: float | None = None
    after: str | None = None
    while True:
        page: dict[str, Any] = {"limit": 1000}
        if after is not None:
            page["after"] = after
        answer = await http.post(
            "/v2/process-instances/search",
            json={
                "filter": {"processDefinitionId": ProcessId.HOTLINE_TICKET, "state": "COMPLETED"},
                "page": page,
            },
        )
        answer.raise_for_status()
        body = answer.json()
        for item in body["items"]:
            start = datetime.fromisoformat(item["startDate"]).timestamp()
            if start < since:
                continue
            end = datetime.fromisoformat(item["endDate"]).timestamp()
            cycles.append((end - start) * 1000)
            last_end = end if last_end is None else max(last_end, end)
        after = body["page"].get("endCursor")
        if len(body["items"]) < 1000 or after is None:
            return cycles, last_end


async def drive(
    address: str,
    rest_url: str,
    instances: int,
    warm_up: int,
    rate: float | None,
    people: int,
    timeout_s: float,
) -> tuple[int, float, list[float], People]:
    channel = create_insecure_channel(address)
    client = ZeebeClient(channel)
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=rest_url, timeout=60) as http:
        await wait_for_rest(http)
        desks = People(http, people)
        stop = asyncio.Event()
        working = [asyncio.create_task(desks.desk(step, stop)) for step in STEPS]
        creating = asyncio.Semaphore(32)

        async def run(count: int, rate: float | None, until: int) -> int:
            started = loop.time()

            async def create(n: int) -> None:
                if rate is not None:
                    delay = started + n / rate - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                async with creating:
                    await client.run_process(ProcessId.HOTLINE_TICKET, NOISE)

            await asyncio.gather(*(create(n) for n in range(count)))
            give_up = loop.time() + timeout_s
            completed = 0
            while loop.time() < give_up:
                completed = await count_completed(http)
                if completed >= until or desks.failures:
                    break
                await asyncio.sleep(0.1)
            return completed

        # The warm-up waits for the workers' processes to import, connect and poll.
        await run(warm_up, None, warm_up)
        began = time.time()
        completed = await run(instances, rate, warm_up + instances) - warm_up
        stop.set()
        await asyncio.gather(*working, return_exceptions=True)
        cycles, last_end = await cycle_times(http, began)
    await channel.close()
    wall = (last_end - began) if last_end is not None else 0.0
    return completed, wall, cycles, desks


async def deploy(address: str) -> None:
    channel = create_insecure_channel(address)
    diagrams = sorted(p for p in (ROOT / "bpmn").glob("*.bpmn") if p.name not in LEFT_OUT)
    await ZeebeClient(channel).deploy_resource(*diagrams, *sorted((ROOT / "forms").glob("*.form")))
    await channel.close()


def run_once(args: argparse.Namespace, workers: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="minsheng-hotline-bench-") as temp:
        directory = Path(temp)
        database_url = args.database or f"sqlite:///{directory / 'engine.db'}"
        ledger_url = args.ledger_database or f"sqlite:///{directory / 'ledger.db'}"
        # Migrated once here: several worker processes starting together would race to migrate.
        migrate(ledger_url)
        address = f"127.0.0.1:{free_port()}"
        rest_port = free_port()
        engine = start_engine(
            database_url, address, directory / "engine.log", rest_address=f"127.0.0.1:{rest_port}"
        )
        env = {
            **os.environ,
            "ZEEBE_ADDRESS": address,
            "MINSHENG_LEDGER_DATABASE_URL": ledger_url,
            "MINSHENG_LEDGER_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "MINSHENG_REPORT_DIR": str(directory / "reports"),
            "MINSHENG_CONFIG_DIR": str(ROOT / "config"),
        }
        processes: list[subprocess.Popen[bytes]] = []
        try:
            asyncio.run(deploy(address))
            processes = start_workers(workers, env, directory)
            completed, wall, cycles, desks = asyncio.run(
                drive(
                    address,
                    f"http://127.0.0.1:{rest_port}",
                    args.instances,
                    args.warm_up,
                    args.rate,
                    args.people,
                    args.timeout,
                )
            )
            if desks.failures:
                print(f"  people saw errors, e.g.: {desks.failures[:3]}")
            dead = [p.returncode for p in processes if p.poll() is not None]
            if dead:
                print(f"  {len(dead)} worker process(es) exited: see {directory}/workers-*.log")
                print((directory / "workers-0.log").read_text()[-2000:])
            return Result(workers, args.instances, completed, wall, cycles, desks.completed, desks.conflicts)
        finally:
            for process in processes:
                stop_process(process)
            stop_process(engine)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instances", type=int, default=300, help="hotline tickets per run")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="`python -m workers` processes; one run each"
    )
    parser.add_argument("--rate", type=float, default=None, help="tickets started per second (default: all)")
    parser.add_argument("--warm-up", type=int, default=3, help="unmeasured tickets first")
    parser.add_argument("--people", type=int, default=8, help="task completions in flight at once")
    parser.add_argument("--database", default=None, help="the engine's SQLAlchemy URL (default: SQLite)")
    parser.add_argument(
        "--ledger-database", default=None, help="the ledger's URL, an empty database (default: SQLite)"
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the last ticket")
    args = parser.parse_args(argv)
    if args.ledger_database and len(args.workers) > 1:
        # Each run's engine hands out the same job keys again, which the ledger has receipts for.
        parser.error("--ledger-database must be empty: give one worker count per run")

    print(f"machine: {machine(args.database or 'sqlite://')}")
    print(f"ledger database: {args.ledger_database or 'a fresh SQLite file per run'}")
    print(
        f"process: {ProcessId.HOTLINE_TICKET} happy path ({' -> '.join(STEPS)}), calling "
        f"{ProcessId.UNIT_HANDLING}; {args.instances} tickets "
        f"{'at once' if args.rate is None else f'at {args.rate:g}/s'}; people complete tasks "
        f"through /v2, {args.people} at a time"
    )
    results = []
    for workers in args.workers:
        print(f"running {args.instances} tickets with {workers} worker process(es)...", flush=True)
        results.append(run_once(args, workers))
    header = f"{'workers':>7} {'tickets':>7} {'completed':>9} {'wall s':>7} {'tickets/s':>9} "
    header += f"{'cycle p50 ms':>12} {'cycle p99 ms':>12} {'tasks done':>10} {'conflicts':>9}"
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.workers:>7} {r.instances:>7} {r.completed:>9} {r.wall_s:>7.1f} {r.per_second:>9.1f} "
            f"{r.percentile(0.5):>12.0f} {r.percentile(0.99):>12.0f} {r.tasks_completed:>10} "
            f"{r.conflicts:>9}"
        )


if __name__ == "__main__":
    main()
