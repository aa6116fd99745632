"""The engine's database: SQLAlchemy tables, and the connection rules for SQLite and PostgreSQL.

SQLite runs in WAL mode and opens every write transaction with `BEGIN IMMEDIATE`: a deferred BEGIN
that later upgrades to a write fails with SQLITE_BUSY under concurrency, ignoring busy_timeout.
"""

from __future__ import annotations

import fcntl
import logging
import select
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, Text, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateIndex

log = logging.getLogger(__name__)

metadata = MetaData()

# Live state: one row per entity, its fields as JSON.
state_table = Table(
    "engine_state",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("data", Text, nullable=False),
)

# The ordered record log.
records_table = Table(
    "engine_records",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("record_key", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("value_type", String(40), nullable=False),
    Column("intent", String(40), nullable=False),
    Column("process_instance_key", BigInteger, nullable=True, index=True),
    Column("value", Text, nullable=False),
)

# Counters that must survive restarts (the last key and log position handed out).
meta_table = Table(
    "engine_meta",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

DEFAULT_DATABASE_URL = "sqlite:///var/engine.db"


def _configure_sqlite(engine: Engine, writer: bool) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's `begin` below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # First: switching to WAL waits for another connection only with a busy timeout in place.
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL keeps every commit across a process kill; only an OS crash may lose the last ones.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # Readers (inspection, tests) must not take the write lock; WAL lets them read alongside.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def open_database(url: str, writer: bool = True) -> Engine:
    """Connect to `url`, creating the SQLite file's folder and the tables when missing.

    Only the engine itself writes; everything else opens the database with `writer=False`.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, writer)
    else:
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_pre_ping=True)
    metadata.create_all(engine)
    if writer:
        # create_all makes the indexes of the tables it creates only: an index added in a later
        # version reaches an existing database here (built once, at the first start). IF NOT
        # EXISTS, as SQLAlchemy cannot reflect expression indexes to check for them.
        with engine.begin() as connection:
            for table in metadata.sorted_tables:
                for index in table.indexes:
                    connection.execute(CreateIndex(index, if_not_exists=True))
    return engine


class DatabaseInUse(Exception):
    """Another engine already owns this database."""


def advisory_lock_id(url: str) -> int:
    """The PostgreSQL advisory lock that marks the database at `url` as owned by an engine."""
    return zlib.crc32(url.encode())


class Ownership:
    """One engine per database: two writers would interleave their keys and logs.

    SQLite: an exclusive `flock` on a file beside the database. PostgreSQL: a session advisory
    lock held on a connection of its own. Both vanish with the process, `kill -9` included; the
    PostgreSQL lock also vanishes with its session when the server restarts, so `confirm` runs
    before every write and takes it again.
    """

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url
        self._file: Any = None
        self._lock_id: int | None = None
        self._connection: Any = None
        # Set when the pool opens a connection: after a reconnect the lock's session is checked,
        # even where its socket showed nothing (a server host that went down without a word).
        self._doubted = False

    def acquire(self) -> None:
        parsed = make_url(self._url)
        if parsed.get_backend_name() == "sqlite":
            if not parsed.database or parsed.database == ":memory:":
                return
            self._file = open(f"{parsed.database}.lock", "w")  # noqa: SIM115 - held for the engine's life
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                self._file = None
                raise DatabaseInUse(f"another engine is using the database {self._url}") from None
        elif parsed.get_backend_name() == "postgresql":
            self._lock_id = advisory_lock_id(self._url)
            self._lock(f"another engine is using the database {self._url}")
            event.listen(self._engine, "connect", self._doubt)

    def _doubt(self, _dbapi_connection: Any, _record: Any) -> None:
        self._doubted = True

    def _lock(self, refusal: str) -> None:
        connection = self._engine.connect()
        try:
            query = text("SELECT pg_try_advisory_lock(:id)")
            locked = connection.execute(query, {"id": self._lock_id}).scalar()
            connection.commit()
        except BaseException:
            connection.invalidate()
            raise
        if not locked:
            connection.close()
            raise DatabaseInUse(refusal)
        self._connection = connection

    def confirm(self) -> None:
        """Make sure this engine still owns the database, before it writes.

        A lock session that ended (the server restarted, or the backend was terminated) is
        replaced, its lock taken again; `DatabaseInUse` when another engine took it meanwhile.
        The usual answer costs no round trip: the session's socket turns readable only when the
        server said something unasked, as it does when it ends the session; after the pool
        reconnected, the session is asked.
        """
        if self._lock_id is None:
            return
        if self._connection is not None:
            if not self._doubted and not self._suspect():
                return
            self._doubted = False
            try:
                self._connection.exec_driver_sql("SELECT 1").scalar()
                self._connection.commit()
                return
            except DBAPIError:
                log.warning("the session holding the lock on %s ended; taking the lock again", self._url)
                self._connection.invalidate()
                self._connection = None
        self._lock(
            f"another engine took the database {self._url} while this engine's lock on it was lost "
            "(a database restart?); this engine must stop"
        )

    def _suspect(self) -> bool:
        try:
            socket = self._connection.connection.dbapi_connection.fileno()
        except Exception:
            return True  # the driver knows the connection is closed
        readable, _, _ = select.select([socket], [], [], 0)
        return bool(readable)

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._connection is not None:
            # Closing would only return the connection to the pool, still holding the lock.
            self._connection.invalidate()
            self._connection = None
        if event.contains(self._engine, "connect", self._doubt):
            event.remove(self._engine, "connect", self._doubt)
        self._lock_id = None
