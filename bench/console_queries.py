"""The console's case list and dashboard lists, and a monthly bulletin, over a million cases and
instances.

    python bench/console_queries.py [--cases 1000000] [--database URL] [--ledger-database URL]
                                    [--repeat 5] [--keep] [--no-fill] [--case-search FILE]

Ledger (台账): migrates a fresh ledger (a SQLite file, or --ledger-database, whose tables must be
empty) and fills it with --cases cases of one year and their history, with bench/report_bench.py's
generator (co-units included, and a unit that is co-unit of a few cases only). Then it times the
console's own queries: `CaseSearch` (workers/ledger/queries.py) as the case list calls it (every
case and a unit's scope, page 1 and page 21 by keyset, the capped total, a unit with few cases, a
text search, the overdue filter, one case by number), the dashboard's overdue and due-soon lists
(console/dashboard.py), and the monthly bulletin (SQL aggregation, then charts, HTML and workbook).
--case-search FILE times another version of workers/ledger/queries.py on the same rows (before and
after a change: `git show REV:workers/ledger/queries.py > FILE`, then --no-fill).

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
import importlib.util
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
from sqlalchemy import Engine, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from one_task_throughput import free_port, machine, start_engine, stop_process
from report_bench import RARE_UNIT, UNITS, YEAR, generate

from console.dashboard import DUE_SOON_WORKING_DAYS, DueList, due_soon_cases, overdue_cases, policies
from engine.store.database import open_database
from engine.store.projections import process_instances
from workers.deadline_policy import load_calendar_policy
from workers.ledger.crypto import PersonalDataCipher
from workers.ledger.database import open_engine
from workers.ledger.masking import Viewer
from workers.ledger.migrations import migrate
from workers.ledger.policy import load_ledger_policy
from workers.ledger.queries import COUNT_CAP, CaseQuery, CaseSearch, Cursor
from workers.report_policy import load_report_policy
from workers.reports.bulletin import compile_bulletin
from workers.reports.periods import parse_period
from workers.reports.publish import publish
from workers.reports.service import open_reader
from workers.services.calendar import WorkingCalendar
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


def ledger_queries(engine: Engine, repeat: int, search_class: type[CaseSearch]) -> None:
    """The console's case list (console/routes/cases.py) and dashboard lists (console/dashboard.py),
    as they query: through `CaseSearch` and the dashboard's functions."""
    config = ROOT / "config"
    search = search_class(engine, PersonalDataCipher(bytes(32)), load_ledger_policy(config).privacy)
    found = policies(config)
    completed = found.report.cases.completed_statuses
    unit = UNITS[0]
    centre, unit_user = Viewer("hotline-centre"), Viewer("handling-unit", unit, "bench")
    rare_user = Viewer("handling-unit", RARE_UNIT, "bench")
    now = datetime(YEAR, 12, 1, 2, tzinfo=UTC)

    def page(query: CaseQuery, viewer: Viewer, after: Cursor | None = None) -> Callable[[], str]:
        return lambda: f"{len(search.search(query, viewer, after=after).cases)} cases"

    def total(query: CaseQuery) -> Callable[[], str]:
        return lambda: f"{search.count(query):,} (cap {COUNT_CAP})"

    def page_21(query: CaseQuery, viewer: Viewer) -> Cursor | None:
        cursor = None
        for _ in range(20):
            cursor = search.search(query, viewer, after=cursor).older
        return cursor

    every, scoped, rare = CaseQuery(), CaseQuery(unit=unit), CaseQuery(unit=RARE_UNIT)
    timed("case list: every case, page 1 of 50 (centre)", page(every, centre), repeat)
    timed("  same, page 21 (keyset)", page(every, centre, page_21(every, centre)), repeat)
    timed("  same, capped total", total(every), repeat)
    timed(f"a unit's scope ({unit}): page 1", page(scoped, unit_user), repeat)
    timed("  same, page 21 (keyset)", page(scoped, unit_user, page_21(scoped, unit_user)), repeat)
    timed("  same, capped total", total(scoped), repeat)
    timed(f"a unit with few cases ({RARE_UNIT}, co-unit only): page 1", page(rare, rare_user), repeat)
    timed("  same, total", total(rare), repeat)
    text = CaseQuery(text="漏水")
    timed("text search '漏水' (title or content), page 1", page(text, centre), repeat)
    timed("  same, capped total", total(text), repeat)
    scoped_text = CaseQuery(text="漏水", unit=unit)
    timed("  same in a unit's scope, page 1", page(scoped_text, unit_user), repeat)
    overdue = CaseQuery(overdue_at=now, completed_statuses=completed)
    timed("overdue cases (case list filter), page 1", page(overdue, centre), repeat)
    timed("  same, capped total", total(overdue), repeat)
    scoped_overdue = CaseQuery(overdue_at=now, completed_statuses=completed, unit=unit)
    timed("  same in a unit's scope, page 1", page(scoped_overdue, unit_user), repeat)
    number = search.search(every, centre, after=page_21(every, centre), limit=1).cases[0].case_number
    timed("one case by its number", page(CaseQuery(number=number), centre), repeat)

    calendar = WorkingCalendar(load_calendar_policy(config))

    def due_list(listing: Callable[..., DueList], *arguments: Any) -> Callable[[], str]:
        def run() -> str:
            with engine.connect() as connection:
                listed = listing(connection, found, calendar, now, *arguments)
            return f"{len(listed.cases)} of {listed.total:,}"

        return run

    for who, lead in (("every unit", None), (unit, unit)):
        timed(f"dashboard: overdue list ({who})", due_list(overdue_cases, lead), repeat)
        timed(
            f"dashboard: due within {DUE_SOON_WORKING_DAYS} working days ({who})",
            due_list(due_soon_cases, DUE_SOON_WORKING_DAYS, lead),
            repeat,
        )


def ledger_part(
    url: str, cases: int, repeat: int, out_dir: Path, fill: bool, search_class: type[CaseSearch]
) -> None:
    migrate(url)
    engine = open_engine(url)
    print(f"ledger: {engine.url.render_as_string(hide_password=True)}")
    if fill:
        written = seconds(f"generate {cases:,} cases (not measured)", lambda: generate(engine, cases))
        print(f"  ({written:,} rows)")
    seconds("ANALYZE (not measured)", lambda: analyze(engine))
    ledger_queries(engine, repeat, search_class)
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
    parser.add_argument(
        "--case-search",
        metavar="FILE",
        type=Path,
        help="time the CaseSearch of this file instead (another version of workers/ledger/queries.py)",
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
            search_class = CaseSearch if args.case_search is None else older_search(args.case_search)
            ledger_part(
                ledger_url, args.cases, args.repeat, directory / "reports", not args.no_fill, search_class
            )
        if not args.skip_engine:
            engine_part(engine_url, args.cases, args.repeat, directory, not args.no_fill)
    finally:
        if args.keep:
            print(f"kept {directory}")
        else:
            for path in sorted(directory.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            directory.rmdir()


def older_search(path: Path) -> type[CaseSearch]:
    """`CaseSearch` of another version of the ledger's queries, for figures before and after."""
    spec = importlib.util.spec_from_file_location("bench_case_search", path)
    assert spec is not None and spec.loader is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up while being made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    found: type[CaseSearch] = module.CaseSearch
    return found


def machine_database(url: str) -> str:
    from one_task_throughput import database_version

    return database_version(url)


if __name__ == "__main__":
    main()
