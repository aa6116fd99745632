"""Connections to the ledger database, SQLite (one machine) or PostgreSQL (production).

Several workers, each with jobs in threads, write at once. SQLite therefore runs in WAL mode and
opens every transaction with `BEGIN IMMEDIATE`: a deferred BEGIN that later upgrades to a write
fails with SQLITE_BUSY under concurrency, ignoring busy_timeout.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def open_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    if parsed.drivername == "postgresql":
        # The driver the project installs, rather than SQLAlchemy's default psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let `on_begin` below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # First: switching to WAL waits for other connections (workers starting together) only
        # with a busy timeout already in place.
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
