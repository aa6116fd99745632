"""The console's list and search queries, and a monthly bulletin, over a million cases and instances.

    python bench/console_queries.py [--cases 1000000] [--database URL] [--ledger-database URL]
                                    [--repeat 5] [--keep]

Ledger (台账): migrates a fresh ledger (a SQLite file, or --ledger-database, whose tables must be
empty) and fills it with --cases cases of one year and their history, with bench/report_bench.py's
generator. Then it times what a console's case list asks: a unit's cases by status, newest first,
page by page (first page, a deep page, the total for the pager), the cases of a week or a month,
overdue cases, one case by its number, a title search, and the monthly bulletin (SQL aggregation,
then charts, HTML and workbook).

Engine: fills the engine's searchable history (the `proj_process_instances` table that
`POST /v2/process-instances/search` reads) of a fresh engine database (SQLite, or --database) with
--cases completed (and some active) instances of the channel processes over the same year, starts
`python -m engine` on it with its REST API, and times the searches a console's process view sends:
all instances newest first, by process and state, by start date range, a deep offset page, a cursor
page, one instance by key.

Rows go in with the drivers' bulk paths (executemany on SQLite, COPY on PostgreSQL), then ANALYZE,
as autovacuum keeps statistics in production; that part is not what is measured. Every query runs
--repeat times after one unmeasured run; the median and the slowest are printed, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, and_, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from one_task_throughput import free_port, machine, start_engine, stop_process
from report_bench import UNITS, YEAR, generate

from engine.store.database import open_database
from engine.store.projections import process_instances
from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate
from workers.ledger.models import Case
from workers.report_policy import load_report_policy
from workers.reports.bulletin import compile_bulletin
from workers.reports.periods import parse_period
from workers.reports.publish import publish
from workers.reports.service import open_reader
from workers.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PAGE = 50
BATCH = 20_000
PROCESSES = (("hotline-ticket", 70), ("online-message", 20), ("forum-post", 8), ("deputy-suggestion", 2))


def timed(label: str, work: Callable[[], Any], repeat: int) -> Any:
    result = work()  # unmeasured: caches, the query plan, the pages read into memory
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - began) * 1000)
    size = f"{len(result)} rows" if isinstance(result, list) else f"{result}"
    print(f"  {label:<62} {statistics.median(times):9.1f} ms  (max {max(times):8.1f})  {size}", flush=True)
    return result


def seconds(label: str, work: Callable[[], Any]) -> Any:
    began = time.perf_counter()
    result = work()
    print(f"  {label:<62} {time.perf_counter() - began:9.2f} s", flush=True)
    return result


# -------------------------------------------------------------------------------------------- ledger


def ledger_queries(engine: Engine, repeat: int, middle: int) -> None:
    cases = Case.__table__.c
    unit = UNITS[0]
    week = datetime(YEAR, 10, 12, tzinfo=UTC) - timedelta(hours=8)
    month = datetime(YEAR, 10, 1, tzinfo=UTC) - timedelta(hours=8)
    month_end = datetime(YEAR, 11, 1, tzinfo=UTC) - timedelta(hours=8)
    now = datetime(YEAR, 12, 31, tzinfo=UTC)
    listing = [cases.id, cases.case_number, cases.channel, cases.received_at, cases.title, cases.category]
    listing += [cases.lead_unit, cases.status, cases.due_at]

    def rows(query: Any) -> Callable[[], list[Any]]:
        def run() -> list[Any]:
            with engine.connect() as connection:
                return list(connection.execute(query))

        return run

    def scalar(query: Any) -> Callable[[], Any]:
        def run() -> Any:
            with engine.connect() as connection:
                return connection.execute(query).scalar()

        return run

    by_unit = and_(cases.lead_unit == unit, cases.status == "completed")
    newest = cases.received_at.desc()
    timed(
        "unit's completed cases, newest first, page 1 of 50",
        rows(select(*listing).where(by_unit).order_by(newest).limit(PAGE)),
        repeat,
    )
    timed(
        "  same, page 100 (offset 4,950)",
        rows(select(*listing).where(by_unit).order_by(newest).offset(99 * PAGE).limit(PAGE)),
        repeat,
    )
    timed("  same, total for the pager (count)", scalar(select(func.count()).where(by_unit)), repeat)
    timed(
        "unit's open cases (handling), by due date, page 1",
        rows(
            select(*listing)
            .where(cases.lead_unit == unit, cases.status == "handling")
            .order_by(cases.due_at)
            .limit(PAGE)
        ),
        repeat,
    )
    in_week = and_(cases.received_at >= week, cases.received_at < week + timedelta(days=7))
    timed(
        "cases received in a week, newest first, page 1",
        rows(select(*listing).where(in_week).order_by(newest).limit(PAGE)),
        repeat,
    )
    timed("  same, total (count)", scalar(select(func.count()).where(in_week)), repeat)
    in_month = and_(cases.received_at >= month, cases.received_at < month_end, cases.lead_unit == unit)
    timed(
        "unit's cases received in a month, by status, page 1",
        rows(select(*listing).where(in_month).order_by(cases.status, newest).limit(PAGE)),
        repeat,
    )
    timed(
        "  same, counts per status",
        rows(select(cases.status, func.count()).where(in_month).group_by(cases.status)),
        repeat,
    )
    timed(
        "overdue cases (handling, due before now), by due date, page 1",
        rows(
            select(*listing)
            .where(cases.status == "handling", cases.due_at < now)
            .order_by(cases.due_at)
            .limit(PAGE)
        ),
        repeat,
    )
    with engine.connect() as connection:
        number = connection.execute(
            select(cases.case_number).order_by(cases.id).offset(middle).limit(1)
        ).scalar()
    timed("one case by its number", rows(select(*listing).where(cases.case_number == number)), repeat)
    timed(
        "title contains '漏水', newest first, page 1",
        rows(select(*listing).where(cases.title.contains("漏水")).order_by(newest).limit(PAGE)),
        repeat,
    )


def ledger_part(url: str, cases: int, repeat: int, out_dir: Path, fill: bool) -> None:
    migrate(url)
    engine = open_engine(url)
    print(f"ledger: {engine.url.render_as_string(hide_password=True)}")
    if fill:
        written = seconds(f"generate {cases:,} cases (not measured)", lambda: generate(engine, cases))
        print(f"  ({written:,} rows)")
    seconds("ANALYZE (not measured)", lambda: analyze(engine))
    ledger_queries(engine, repeat, cases // 2)
    engine.dispose()

    policy = load_report_policy(ROOT / "config")
    reader = open_reader(url)
    period = parse_period("monthly", f"{YEAR}-10")
    now = datetime(YEAR + 1, 1, 10, tzinfo=UTC)
    bulletin = seconds(
        f"monthly bulletin {period.label}: SQL aggregation",
        lambda: compile_bulletin(reader, policy, period, now),
    )
    seconds(
        f"monthly bulletin {period.label}: charts, HTML, XLSX",
        lambda: publish(bulletin, out_dir, Settings().report_font, now),
    )
    print(f"  ({bulletin.total.counts['received']:,} cases in the month, {len(bulletin.units)} units)")
    reader.dispose()


def analyze(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


# -------------------------------------------------------------------------------------------- engine


def fill_instances(engine: Engine, count: int, seed: int = 20261126) -> None:
    """`count` process instances of the channel processes over the year, 97 % of them completed."""
    rng = random.Random(seed)
    start = int((datetime(YEAR, 1, 1, tzinfo=UTC) - timedelta(hours=8)).timestamp() * 1000)
    year_ms = 365 * 86_400_000
    weights = [weight for _, weight in PROCESSES]
    definitions = {name: (n + 1) * 10 for n, (name, _) in enumerate(PROCESSES)}
    columns = (
        "key", "process_definition_key", "bpmn_process_id", "version", "state", "start_date",
        "end_date", "incidents", "parent_process_instance_key", "parent_element_instance_key",
    )  # fmt: skip
    sqlite = engine.dialect.name == "sqlite"
    raw = engine.raw_connection()
    cursor = raw.cursor()
    if sqlite:
        cursor.execute("BEGIN")
    # Keys grow with time, as the engine hands them out.
    starts = sorted(start + rng.randrange(year_ms) for _ in range(count))
    rows: list[tuple[Any, ...]] = []

    def flush() -> None:
        if sqlite:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(
                f"INSERT INTO proj_process_instances ({', '.join(columns)}) VALUES ({marks})", rows
            )
        else:
            with cursor.copy(f"COPY proj_process_instances ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        rows.clear()

    for n, started in enumerate(starts):
        name = rng.choices(PROCESSES, weights)[0][0]
        done = rng.random() < 0.97
        ended = started + rng.randrange(3_600_000, 35 * 86_400_000) if done else None
        incidents = 1 if not done and rng.random() < 0.05 else 0
        key = 2_251_799_813_685_248 + n * 50
        rows.append(
            (key, definitions[name], name, 1, "COMPLETED" if done else "ACTIVE", started, ended, incidents,
             None, None)
        )  # fmt: skip
        if len(rows) >= BATCH:
            flush()
    if rows:
        flush()
    raw.commit()
    raw.close()


def instance_searches(rest_url: str, repeat: int, middle_key: int) -> None:
    month = datetime(YEAR, 10, 1, tzinfo=UTC) - timedelta(hours=8)
    month_end = datetime(YEAR, 11, 1, tzinfo=UTC) - timedelta(hours=8)
    newest = [{"field": "startDate", "order": "DESC"}]
    searches: list[tuple[str, dict[str, Any]]] = [
        ("all instances, newest first, page 1 of 50", {"sort": newest, "page": {"limit": PAGE}}),
        (
            "hotline-ticket, COMPLETED, newest first, page 1",
            {
                "filter": {"processDefinitionId": "hotline-ticket", "state": "COMPLETED"},
                "sort": newest,
                "page": {"limit": PAGE},
            },
        ),
        (
            "ACTIVE instances with an incident, page 1",
            {"filter": {"state": "ACTIVE", "hasIncident": True}, "sort": newest, "page": {"limit": PAGE}},
        ),
        (
            "online-message started in a month, newest first, page 1",
            {
                "filter": {
                    "processDefinitionId": "online-message",
                    "startDate": {"$gte": month.isoformat(), "$lt": month_end.isoformat()},
                },
                "sort": newest,
                "page": {"limit": PAGE},
            },
        ),
        (
            "all instances, newest first, offset 10,000",
            {"sort": newest, "page": {"from": 10_000, "limit": PAGE}},
        ),
        ("one instance by key (filter)", {"filter": {"processInstanceKey": str(middle_key)}}),
    ]

    with httpx.Client(base_url=rest_url, timeout=300) as http:

        def search(body: dict[str, Any]) -> Callable[[], Any]:
            def run() -> Any:
                answer = http.post("/v2/process-instances/search", json=body)
                answer.raise_for_status()
                page = answer.json()
                return f"{len(page['items'])} items of {page['page']['totalItems']:,}"

            return run

        for label, body in searches:
            timed(label, search(body), repeat)
        # A cursor page: the end cursor of the first page, then the next page after it.
        first = http.post("/v2/process-instances/search", json={"sort": newest, "page": {"limit": PAGE}})
        first.raise_for_status()
        cursor = first.json()["page"].get("endCursor")
        if cursor:
            timed(
                "  all instances, newest first, next page by cursor",
                search({"sort": newest, "page": {"after": cursor, "limit": PAGE}}),
                repeat,
            )

        def get_one() -> Any:
            answer = http.get(f"/v2/process-instances/{middle_key}")
            answer.raise_for_status()
            return "1 item"

        timed("one instance: GET /v2/process-instances/{key}", get_one, repeat)


def engine_part(url: str, cases: int, repeat: int, directory: Path, fill: bool) -> None:
    engine = open_database(url)
    print(f"engine database: {engine.url.render_as_string(hide_password=True)}")
    if fill:
        seconds(f"fill {cases:,} process instances (not measured)", lambda: fill_instances(engine, cases))
    seconds("ANALYZE (not measured)", lambda: analyze(engine))
    with engine.connect() as connection:
        middle_key = connection.execute(
            select(process_instances.c.key).order_by(process_instances.c.key).offset(cases // 2).limit(1)
        ).scalar()
    engine.dispose()
    address = f"127.0.0.1:{free_port()}"
    rest_port = free_port()
    process = start_engine(url, address, directory / "engine.log", rest_address=f"127.0.0.1:{rest_port}")
    try:
        asyncio.run(wait_for_rest(f"http://127.0.0.1:{rest_port}"))
        instance_searches(f"http://127.0.0.1:{rest_port}", repeat, int(middle_key or 0))
    finally:
        stop_process(process)


async def wait_for_rest(url: str) -> None:
    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(300):
            try:
                if (await http.get("/v2/topology")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the engine's REST API did not answer within 30 s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases, and process instances")
    parser.add_argument("--database", metavar="URL", help="the engine's database (default: SQLite file)")
    parser.add_argument("--ledger-database", metavar="URL", help="the ledger (default: SQLite file)")
    parser.add_argument("--repeat", type=int, default=5, help="measured runs of each query")
    parser.add_argument(
        "--no-fill", action="store_true", help="the databases given already hold the rows (after --keep)"
    )
    parser.add_argument("--skip-ledger", action="store_true")
    parser.add_argument("--skip-engine", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)

    directory = Path(tempfile.mkdtemp(prefix="minsheng-console-bench-"))
    engine_url = args.database or f"sqlite:///{directory / 'engine.db'}"
    ledger_url = args.ledger_database or f"sqlite:///{directory / 'ledger.db'}"
    print(f"machine: {machine()}")
    print(f"engine database: {machine_database(engine_url)}; ledger database: {machine_database(ledger_url)}")
    try:
        if not args.skip_ledger:
            ledger_part(ledger_url, args.cases, args.repeat, directory / "reports", not args.no_fill)
        if not args.skip_engine:
            engine_part(engine_url, args.cases, args.repeat, directory, not args.no_fill)
    finally:
        if args.keep:
            print(f"kept {directory}")
        else:
            for path in sorted(directory.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            directory.rmdir()


def machine_database(url: str) -> str:
    from one_task_throughput import database_version

    return database_version(url)


if __name__ == "__main__":
    main()
