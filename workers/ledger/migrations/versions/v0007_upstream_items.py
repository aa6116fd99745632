"""Items assigned by upstream platforms (the provincial hotline system, the online-message
platform): one row per (platform, upstream id) from its claim to the platform's receipt of the
answer, and the quarantine of items that could not start a process, kept once per unresolved
(platform, upstream id) by a partial unique index.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)
UNRESOLVED = sa.text("resolved_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "ledger_upstream_items",
        sa.Column("id", Id, primary_key=True),
        sa.Column("platform", sa.String(60), nullable=False),
        sa.Column("upstream_id", sa.String(200), nullable=False),
        sa.Column("process_instance_key", sa.BigInteger),
        sa.Column("case_number", sa.String(32)),
        sa.Column("fetched_at", Time, nullable=False),
        sa.Column("started_at", Time),
        sa.Column("acknowledged_at", Time),
        sa.Column("answered_at", Time),
        sa.Column("receipt_id", sa.String(200)),
        sa.Column("answer_error", sa.Text),
        sa.UniqueConstraint("platform", "upstream_id", name="uq_ledger_upstream_items_platform_upstream_id"),
    )
    op.create_table(
        "ledger_upstream_quarantine",
        sa.Column("id", Id, primary_key=True),
        sa.Column("platform", sa.String(60), nullable=False),
        sa.Column("upstream_id", sa.String(200)),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("raw", sa.JSON, nullable=False),
        sa.Column("fetched_at", Time, nullable=False),
        sa.Column("resolved_at", Time),
        sa.Column("resolved_by", sa.String(100)),
    )
    op.create_index("ix_ledger_upstream_quarantine_platform", "ledger_upstream_quarantine", ["platform"])
    op.create_index(
        "uq_ledger_upstream_quarantine_unresolved",
        "ledger_upstream_quarantine",
        ["platform", "upstream_id"],
        unique=True,
        sqlite_where=UNRESOLVED,
        postgresql_where=UNRESOLVED,
    )


def downgrade() -> None:
    op.drop_index("uq_ledger_upstream_quarantine_unresolved", "ledger_upstream_quarantine")
    op.drop_index("ix_ledger_upstream_quarantine_platform", "ledger_upstream_quarantine")
    op.drop_table("ledger_upstream_quarantine")
    op.drop_table("ledger_upstream_items")
