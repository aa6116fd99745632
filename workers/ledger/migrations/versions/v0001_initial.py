"""The initial ledger: cases and their numbering, their history, the inbox and job receipts.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def _case_event(name: str, *columns: sa.Column[object]) -> None:
    """A table of a case's history: its id, its case and when the ledger recorded it, then `columns`."""
    op.create_table(
        name,
        sa.Column("id", Id, primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("ledger_cases.id"), nullable=False),
        sa.Column("recorded_at", Time, nullable=False),
        *columns,
    )
    op.create_index(f"ix_{name}_case_id", name, ["case_id"])


def upgrade() -> None:
    op.create_table(
        "ledger_case_sequences",
        sa.Column("prefix", sa.String(16), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "ledger_cases",
        sa.Column("id", Id, primary_key=True),
        sa.Column("case_number", sa.String(40), nullable=False, unique=True),
        sa.Column("channel", sa.String(40), nullable=False, index=True),
        sa.Column("received_at", Time, nullable=False, index=True),
        sa.Column("appellant_name", sa.LargeBinary),
        sa.Column("appellant_phone", sa.LargeBinary),
        sa.Column("appellant_address", sa.LargeBinary),
        sa.Column("appellant_key_id", sa.String(16), nullable=False),
        sa.Column("confidential", sa.Boolean, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("content", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("category", sa.String(40), index=True),
        sa.Column("accepted", sa.Boolean),
        sa.Column("acceptance_reason", sa.Text),
        sa.Column("lead_unit", sa.String(100), index=True),
        sa.Column("co_units", sa.JSON, nullable=False),
        sa.Column("due_at", Time),
        sa.Column("status", sa.String(40), nullable=False, index=True),
        sa.Column("archived_at", Time),
        sa.Column("process_instance_key", sa.BigInteger, index=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
    )
    _case_event(
        "ledger_status_transitions",
        sa.Column("from_status", sa.String(40)),
        sa.Column("to_status", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(100)),
        sa.Column("note", sa.Text),
    )
    _case_event(
        "ledger_deadline_changes",
        sa.Column("previous_due_at", Time),
        sa.Column("due_at", Time, nullable=False),
        sa.Column("reason", sa.Text),
    )
    _case_event("ledger_reminders", sa.Column("unit", sa.String(100)), sa.Column("note", sa.Text))
    _case_event(
        "ledger_returns", sa.Column("unit", sa.String(100)), sa.Column("reason", sa.Text, nullable=False)
    )
    _case_event(
        "ledger_extensions",
        sa.Column("unit", sa.String(100)),
        sa.Column("requested_at", Time, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("signer", sa.String(100)),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("new_due_at", Time),
    )
    _case_event(
        "ledger_escalations", sa.Column("unit", sa.String(100)), sa.Column("reason", sa.Text, nullable=False)
    )
    _case_event(
        "ledger_replies",
        sa.Column("unit", sa.String(100)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("signer", sa.String(100)),
        sa.Column("grade", sa.String(1)),
    )
    _case_event(
        "ledger_satisfaction",
        sa.Column("visited_at", Time, nullable=False),
        sa.Column("result", sa.String(40), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "ledger_inbox",
        sa.Column("id", Id, primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey("ledger_cases.id"), index=True),
        sa.Column("recipient_role", sa.String(100), index=True),
        sa.Column("recipient_unit", sa.String(100), index=True),
        sa.Column("recipient_user", sa.String(100), index=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("read_at", Time),
    )
    op.create_table(
        "ledger_job_receipts",
        sa.Column("id", Id, primary_key=True),
        sa.Column("job_key", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("outcome", sa.JSON, nullable=False),
        sa.Column("recorded_at", Time, nullable=False),
        sa.UniqueConstraint("job_key", "kind", name="uq_ledger_job_receipts_job_key_kind"),
    )


def downgrade() -> None:
    for name in (
        "ledger_job_receipts",
        "ledger_inbox",
        "ledger_satisfaction",
        "ledger_replies",
        "ledger_escalations",
        "ledger_extensions",
        "ledger_returns",
        "ledger_reminders",
        "ledger_deadline_changes",
        "ledger_status_transitions",
        "ledger_cases",
        "ledger_case_sequences",
    ):
        op.drop_table(name)
