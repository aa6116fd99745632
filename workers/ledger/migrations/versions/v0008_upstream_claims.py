"""Upstream items: the claim of the fetch that is starting an item, so two fetches of one platform
running at once cannot both start it, and the key of the answer posted, so a retried answer job
whose answer already arrived does not post it again.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("ledger_upstream_items") as table:
        table.add_column(sa.Column("claim_token", sa.String(36)))
        table.add_column(sa.Column("claimed_at", Time))
        table.add_column(sa.Column("answer_key", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("ledger_upstream_items") as table:
        table.drop_column("answer_key")
        table.drop_column("claimed_at")
        table.drop_column("claim_token")
