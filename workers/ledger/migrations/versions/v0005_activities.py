"""The steps of the communication channels other than appeals (meetings, Weibo releases, online
interviews and surveys, leaders' receptions, radio call-ins), with their figures, for the case
timeline and the channel sections of the bulletins, which count them by name within a period.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ledger_activities",
        sa.Column("id", Id, primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("ledger_cases.id"), nullable=False),
        sa.Column("recorded_at", Time, nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("unit", sa.String(100)),
        sa.Column("actor", sa.String(100)),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("occurred_at", Time, nullable=False),
    )
    op.create_index("ix_ledger_activities_case_id", "ledger_activities", ["case_id"])
    op.create_index("ix_ledger_activities_name_occurred", "ledger_activities", ["name", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_ledger_activities_name_occurred", "ledger_activities")
    op.drop_index("ix_ledger_activities_case_id", "ledger_activities")
    op.drop_table("ledger_activities")
