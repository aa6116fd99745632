"""The outbox of notifications: emails and text messages queued with their job's receipt.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ledger_notifications",
        sa.Column("id", Id, primary_key=True),
        sa.Column("job_key", sa.BigInteger, nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("ledger_cases.id"), index=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("message", sa.LargeBinary, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("delivered_at", Time),
        sa.UniqueConstraint("job_key", "ordinal", name="uq_ledger_notifications_job_key_ordinal"),
    )


def downgrade() -> None:
    op.drop_table("ledger_notifications")
