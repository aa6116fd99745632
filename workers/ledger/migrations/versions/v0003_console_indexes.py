"""Indexes for the console's case lists: a unit's cases by status and date, overdue cases.

Over a million cases these lists sorted or counted the unit's or the status's every row (on SQLite
up to 1.5 s a page); with these, the page and its count read only the rows they show or count
(see docs/performance.md).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_ledger_cases_unit_status_received", "ledger_cases", ["lead_unit", "status", "received_at"]
    )
    op.create_index("ix_ledger_cases_unit_received", "ledger_cases", ["lead_unit", "received_at"])
    op.create_index("ix_ledger_cases_status_due", "ledger_cases", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_ledger_cases_status_due", "ledger_cases")
    op.drop_index("ix_ledger_cases_unit_received", "ledger_cases")
    op.drop_index("ix_ledger_cases_unit_status_received", "ledger_cases")
