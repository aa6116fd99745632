"""The ledger's Alembic migrations, run from code: `migrate(url)` upgrades a database to the newest
revision, and the workers call it at start-up. No alembic.ini: the script location is this folder.

Workers that start together may migrate at once. Each takes a lock first (PostgreSQL: a transaction
advisory lock; SQLite: `BEGIN IMMEDIATE`), and both databases run DDL in the transaction, so the
second finds the database at head and does nothing.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from workers.ledger.database import open_engine

VERSION_TABLE = "ledger_alembic_version"
# Any constant will do, as long as nothing else in the database takes the same advisory lock.
_ADVISORY_LOCK = 0x6C6564676572  # "ledger"
MIGRATION_BUSY_TIMEOUT_MS = 120_000


def migrate(url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # Workers starting together queue here one after the other, the first building every
                # table: on a loaded machine the last waits longer than an ordinary write ever should.
                # Set through the driver, since a statement through SQLAlchemy would begin the
                # (immediate) transaction before it.
                driver = connection.connection.driver_connection
                assert driver is not None
                driver.execute(f"PRAGMA busy_timeout={MIGRATION_BUSY_TIMEOUT_MS}")
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _ADVISORY_LOCK})
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
    finally:
        engine.dispose()
