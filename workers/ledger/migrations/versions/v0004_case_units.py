"""Each case's units, lead and co-units, one row apiece, for the console's unit scope; cases by due date.

A unit's scope asked for the cases it leads or co-handles; co-units are a JSON list, which no
index serves, so a unit with few cases cost a scan of every case (0.6-0.8 s over a million, see
docs/performance.md). Here every unit of a case has a row, indexed by unit and time of receipt,
filled from the cases already there; the ledger keeps it from then on.

Also an index on cases' due dates: the dashboard's cases due soon are open cases (`status NOT IN`
the completed ones, which `(status, due_at)` cannot serve) due within days, for which PostgreSQL
scanned every case (0.3-0.5 s over a million).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Each co-unit of a case, from its JSON list, in each dialect's words.
_CO_UNITS = {
    "sqlite": "SELECT DISTINCT c.id, j.value, c.received_at FROM ledger_cases c, json_each(c.co_units) j",
    "postgresql": (
        "SELECT DISTINCT c.id, j.value, c.received_at "
        "FROM ledger_cases c, json_array_elements_text(c.co_units) j(value)"
    ),
}


def upgrade() -> None:
    op.create_table(
        "ledger_case_units",
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("ledger_cases.id"), primary_key=True),
        sa.Column("unit", sa.String(100), primary_key=True),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO ledger_case_units (case_id, unit, role, received_at) "
        "SELECT id, lead_unit, 'lead', received_at FROM ledger_cases WHERE lead_unit IS NOT NULL"
    )
    # A unit named both lead and co-unit keeps its lead row.
    op.execute(
        "INSERT INTO ledger_case_units (case_id, unit, role, received_at) "
        f"SELECT co.id, co.value, 'co', co.received_at FROM ({_CO_UNITS[op.get_context().dialect.name]}) co "
        "WHERE NOT EXISTS (SELECT 1 FROM ledger_case_units u WHERE u.case_id = co.id AND u.unit = co.value)"
    )
    op.create_index(
        "ix_ledger_case_units_unit_received", "ledger_case_units", ["unit", "received_at", "case_id"]
    )
    op.create_index("ix_ledger_cases_due", "ledger_cases", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_ledger_cases_due", "ledger_cases")
    op.drop_index("ix_ledger_case_units_unit_received", "ledger_case_units")
    op.drop_table("ledger_case_units")
