"""Alembic's entry point: migrate the connection that `migrate` opened and locked."""

from alembic import context

from workers.ledger.migrations import VERSION_TABLE
from workers.ledger.models import Base

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
)
with context.begin_transaction():
    context.run_migrations()
