"""How long a bulletin takes over a million cases.

    python bench/report_bench.py [--cases N] [--database URL] [--keep]

Builds a ledger (migrated, as the workers would) in a SQLite file under a temporary directory, or
on --database (e.g. a PostgreSQL URL, whose ledger tables must be empty), fills it with N cases of
one year (default 1,000,000) and their history: transitions, deadlines, replies with grades,
visits, reminders, returns, extensions and escalations, in the proportions of a busy hotline. The
rows go in with the driver's bulk paths (executemany on SQLite, COPY on PostgreSQL), which is not
what is measured. Then it times the yearly bulletin (every case) and one monthly bulletin: the SQL
aggregation alone, and with charts, HTML and workbook written. It prints the machine and the times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate
from workers.report_policy import load_report_policy
from workers.reports.bulletin import compile_bulletin
from workers.reports.periods import parse_period
from workers.reports.publish import publish
from workers.reports.service import open_reader
from workers.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2026
UNITS = (
    "住房城乡建设委", "综合执法局", "环保局", "民政局", "人力资源社会保障局", "交通运输局", "市场监管局",
    "教育局", "卫生健康委", "公安局", "铁西区政府", "和平区政府", "沈河区政府", "皇姑区政府",
)  # fmt: skip
# Co-units: one in this many cases has one of UNITS as co-unit; the rare unit is co-unit of one in
# RARE cases (about 20 of a million), the console's worst case for a unit's scope.
CO_UNIT_SHARE = 20
RARE_UNIT = "市档案馆"
RARE = 50_000
CATEGORIES = ("咨询", "建议", "求助", "投诉", "举报", "其他")
CHANNELS = (
    ("hotline-ticket", "RX", 70),
    ("online-message", "WL", 20),
    ("forum-post", "LT", 8),
    ("deputy-suggestion", "JY", 2),
)
AREAS = ("铁西区", "和平区", "沈河区", "皇姑区", "大东区", "浑南区", "于洪区", "沈北新区")
TOPICS = (
    "夜间施工噪音扰民", "路灯不亮", "小区停水", "物业不作为", "电梯故障", "楼顶漏水", "垃圾清运不及时",
    "违建占道", "停车难", "餐馆油烟", "拖欠工资", "社保转移", "公租房申请", "学校招生", "医保报销",
)  # fmt: skip
BATCH = 20_000


def sqlite_time(instant: datetime) -> str:
    """How the ledger's UtcDateTime stores an instant on SQLite: naive UTC text."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class Rows:
    """Rows per table, flushed in batches through the driver's bulk path."""

    def __init__(self, engine: Engine) -> None:
        self.raw = engine.raw_connection()
        self.sqlite = engine.dialect.name == "sqlite"
        self.pending: dict[str, tuple[Sequence[str], list[tuple[Any, ...]]]] = {}
        self.written = 0
        if self.sqlite:
            # The ledger's connections run in autocommit mode: one transaction for all the rows.
            self.raw.cursor().execute("BEGIN")

    def add(self, table: str, columns: Sequence[str], row: tuple[Any, ...]) -> None:
        _, rows = self.pending.setdefault(table, (columns, []))
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush(table)

    def flush(self, table: str) -> None:
        if table != "ledger_cases":
            # History rows refer to their cases, which must be written first.
            self.flush("ledger_cases")
        columns, rows = self.pending.pop(table, ((), []))
        if not rows:
            return
        cursor = self.raw.cursor()
        if self.sqlite:
            converted = [tuple(sqlite_time(v) if isinstance(v, datetime) else v for v in row) for row in rows]
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", converted)
        else:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        self.written += len(rows)

    def finish(self) -> None:
        for table in list(self.pending):
            self.flush(table)
        self.raw.commit()
        self.raw.close()


CASE_COLUMNS = (
    "id", "case_number", "channel", "received_at", "appellant_key_id", "confidential", "title",
    "content", "location", "category", "accepted", "lead_unit", "co_units", "due_at", "status",
    "created_at", "updated_at",
)  # fmt: skip
UNIT_COLUMNS = ("case_id", "unit", "role", "received_at")
EVENT = ("id", "case_id", "recorded_at")
TRANSITION = (*EVENT, "from_status", "to_status")


def generate(engine: Engine, cases: int, seed: int = 20261001) -> int:
    """`cases` cases received over the year and their history; returns the rows written."""
    rng = random.Random(seed)
    # Co-units are drawn from a generator of their own: the rest is what it was before they were.
    co_rng = random.Random(seed + 1)
    rows = Rows(engine)
    start = datetime(YEAR, 1, 1, tzinfo=UTC) - timedelta(hours=8)
    year_seconds = 365 * 86400
    ids = dict.fromkeys(("t", "d", "r", "v", "m", "x", "e", "s"), 0)

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    channel_weights = [weight for _, _, weight in CHANNELS]
    # In order of receipt, as a ledger registers cases: its rows then lie in that order on disk.
    arrivals = sorted(rng.randrange(year_seconds) for _ in range(cases))
    for case_id, arrival in enumerate(arrivals, start=1):
        channel, prefix, _ = rng.choices(CHANNELS, channel_weights)[0]
        received = start + timedelta(seconds=arrival)
        unit = rng.choice(UNITS)
        category = rng.choice(CATEGORIES)
        area, topic = rng.choice(AREAS), rng.choice(TOPICS)
        due = received + timedelta(days=rng.choice((3, 10, 28)))
        accepted = rng.random() > 0.03
        fate = rng.random()
        completed_at = received + timedelta(days=rng.uniform(0.5, 35)) if accepted and fate < 0.88 else None
        status = "completed" if completed_at else ("not-accepted" if not accepted else "handling")
        co_units = [co_rng.choice(UNITS)] if co_rng.randrange(CO_UNIT_SHARE) == 0 else []
        if co_rng.randrange(RARE) == 0:
            co_units.append(RARE_UNIT)
        co_units = [co for co in dict.fromkeys(co_units) if co != unit]
        rows.add(
            "ledger_cases",
            CASE_COLUMNS,
            (
                case_id, f"{prefix}{YEAR}-{case_id:07d}", channel, received, "bench", False, f"{area}{topic}",
                f"市民反映：{area}某小区{topic}，希望尽快处理。", f"{area}某街道", category, accepted,
                unit, json.dumps(co_units, ensure_ascii=False), due, status, received,
                completed_at or received,
            ),
        )  # fmt: skip
        # What the ledger writes for the console's unit scope (migration 0004).
        for co_unit, role in ((unit, "lead"), *((co, "co") for co in co_units)):
            rows.add("ledger_case_units", UNIT_COLUMNS, (case_id, co_unit, role, received))
        rows.add("ledger_status_transitions", TRANSITION, (next_id("t"), case_id, received, None, "received"))
        if not accepted:
            continue
        rows.add("ledger_deadline_changes", (*EVENT, "due_at"), (next_id("d"), case_id, received, due))
        if rng.random() < 0.10:
            rows.add(
                "ledger_reminders", (*EVENT, "unit"), (next_id("m"), case_id, due - timedelta(days=1), unit)
            )
        if rng.random() < 0.03:
            rows.add(
                "ledger_returns",
                (*EVENT, "unit", "reason"),
                (next_id("x"), case_id, received, unit, "非本单位职责"),
            )
        if rng.random() < 0.03:
            decision = "approved" if rng.random() < 0.8 else "rejected"
            rows.add(
                "ledger_extensions",
                (*EVENT, "unit", "requested_at", "reason", "decision"),
                (next_id("e"), case_id, received, unit, received, "需协调", decision),
            )
        if rng.random() < 0.01:
            rows.add(
                "ledger_escalations", (*EVENT, "unit", "reason"), (next_id("s"), case_id, due, unit, "超期")
            )
        if completed_at is None:
            continue
        grade = rng.choices("ABC", (70, 20, 10))[0]
        rows.add(
            "ledger_replies",
            (*EVENT, "unit", "text", "grade"),
            (next_id("r"), case_id, completed_at, unit, "已办理", grade),
        )
        rows.add(
            "ledger_status_transitions",
            TRANSITION,
            (next_id("t"), case_id, completed_at, "handling", "completed"),
        )
        if rng.random() < 0.8:
            result = rng.choices(("满意", "基本满意", "不满意"), (70, 20, 10))[0]
            visited = completed_at + timedelta(days=1)
            rows.add(
                "ledger_satisfaction",
                (*EVENT, "visited_at", "result"),
                (next_id("v"), case_id, visited, visited, result),
            )
    rows.finish()
    return rows.written


def timed(what: str, work: Any) -> Any:
    began = time.perf_counter()
    result = work()
    print(f"  {what:<44} {time.perf_counter() - began:8.2f} s", flush=True)
    return result


def machine(engine: Engine) -> str:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    with engine.connect() as connection:
        version = connection.exec_driver_sql(
            "select sqlite_version()" if engine.dialect.name == "sqlite" else "show server_version"
        ).scalar()
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {engine.dialect.name} {version}"
    )


def run(url: str, cases: int, out_dir: Path) -> None:
    migrate(url)
    engine = open_engine(url)
    print(f"machine: {machine(engine)}")
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    written = timed(f"generate {cases:,} cases", lambda: generate(engine, cases))
    print(f"  ({written:,} rows)")
    # Statistics for the planner, as autovacuum or a periodic ANALYZE keeps them in production.
    timed("ANALYZE", lambda: _analyze(engine))
    engine.dispose()

    settings = Settings()
    policy = load_report_policy(ROOT / "config")
    reader = open_reader(url)
    now = datetime(YEAR + 1, 1, 10, tzinfo=UTC)
    for kind, written_period in (("yearly", str(YEAR)), ("monthly", f"{YEAR}-10")):
        period = parse_period(kind, written_period)
        bulletin = timed(
            f"{kind} bulletin {period.label}: SQL aggregation",
            lambda period=period: compile_bulletin(reader, policy, period, now),
        )
        print(f"  ({bulletin.total.counts['received']:,} cases, {len(bulletin.units)} units)")
        timed(
            f"{kind} bulletin {period.label}: charts, HTML, XLSX",
            lambda bulletin=bulletin: publish(bulletin, out_dir, settings.report_font, now),
        )
    reader.dispose()


def _analyze(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database", metavar="URL", help="default: a SQLite file in a temporary directory")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="minsheng-report-bench-"))
    url = args.database or f"sqlite:///{directory / 'ledger.db'}"
    try:
        run(url, args.cases, directory / "reports")
    finally:
        if args.keep:
            print(f"kept {directory}")
        else:
            for path in sorted(directory.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            directory.rmdir()


if __name__ == "__main__":
    main()
