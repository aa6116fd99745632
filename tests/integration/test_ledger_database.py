"""The ledger on both databases: migrations from empty, case numbers under concurrent workers,
and idempotency per job when deliveries of one job race."""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from ledger_support import open_test_ledger
from sqlalchemy import func, inspect, select

from workers.ledger import models
from workers.ledger.database import open_engine
from workers.ledger.events import CaseRegistration, Reminder
from workers.ledger.migrations import VERSION_TABLE, migrate
from workers.ledger.service import Ledger

T = TypeVar("T")
THREADS = 8


@pytest.fixture
def ledger_url(database_url: str, tmp_path: Path) -> str:
    # `database_url`'s SQLite file is the engine fixture's; the ledger has a file of its own, as in
    # production.
    return f"sqlite:///{tmp_path / 'ledger.db'}" if database_url.startswith("sqlite") else database_url


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    ledger = open_test_ledger(ledger_url)
    yield ledger
    ledger.close()


def all_at_once(count: int, work: Callable[[int], T]) -> list[T]:
    """`work(0)` ... `work(count - 1)` on THREADS threads, released together."""
    start = threading.Barrier(min(count, THREADS))

    def run(index: int) -> T:
        if index < THREADS:
            start.wait()
        return work(index)

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(count)))


def _compared(name: str | None, kind: str) -> bool:
    # The knowledge base's full-text indexes are dialect-specific (an FTS5 table and its shadow
    # tables, a GIN expression index) and exist in the migration only.
    if (name or "").startswith("ledger_knowledge_fts"):
        return False
    return kind != "table" or name != VERSION_TABLE


def test_migrations_build_the_models_tables_from_empty(ledger_url: str) -> None:
    all_at_once(THREADS, lambda _: migrate(ledger_url))  # workers starting together
    migrate(ledger_url)  # and again: at head, nothing to do
    engine = open_engine(ledger_url)
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        context = MigrationContext.configure(
            connection, opts={"include_name": lambda name, kind, _: _compared(name, kind)}
        )
        differences = compare_metadata(context, models.Base.metadata)
    engine.dispose()
    assert set(models.Base.metadata.tables) | {VERSION_TABLE} <= tables
    assert differences == [], "models.py and migrations/versions disagree; add a revision"


def test_concurrent_registrations_never_share_a_number(ledger: Ledger) -> None:
    channels = ("hotline-ticket", "online-message")
    numbers = all_at_once(
        60, lambda index: ledger.register(index, CaseRegistration(channel=channels[index % 2], content="x"))
    )
    assert len(set(numbers)) == 60
    for prefix in ("RX", "WL"):
        sequences = sorted(int(number.split("-")[1]) for number in numbers if number.startswith(prefix))
        assert sequences == list(range(1, 31)), "no number is skipped or reused when every allocation commits"


def test_racing_deliveries_of_one_job_record_once(ledger: Ledger) -> None:
    registration = CaseRegistration(channel="hotline-ticket", content="x")
    numbers = all_at_once(THREADS, lambda _: ledger.register(77, registration))
    assert len(set(numbers)) == 1
    outcomes = all_at_once(
        THREADS, lambda _: ledger.record(78, Reminder(kind="reminder", case_number=numbers[0]))
    )
    assert outcomes == [{"reminderCount": 1}] * THREADS
    with ledger._engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(models.Case)) == 1
        assert connection.scalar(select(func.count()).select_from(models.Reminder)) == 1
        assert connection.scalar(select(func.count()).select_from(models.JobReceipt)) == 2
