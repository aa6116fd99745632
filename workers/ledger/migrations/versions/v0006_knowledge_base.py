"""The knowledge base (知识库): entries, their version history, and their segmented words with a
full-text index: FTS5 on SQLite, a table of `simple` tsvectors with a GIN index on PostgreSQL. Both
index objects are named `ledger_knowledge_fts*` and are not in models.py (they are dialect-specific).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)

# An entry's words as a weighted tsvector: question words weigh more (A) than those of the answer,
# topic and basis (B).
_PG_SYNC = """
CREATE FUNCTION ledger_knowledge_fts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_knowledge_fts (entry_id, vector)
    VALUES (NEW.entry_id, setweight(to_tsvector('simple', NEW.question_words), 'A')
                          || setweight(to_tsvector('simple', NEW.body_words), 'B'))
    ON CONFLICT (entry_id) DO UPDATE SET vector = EXCLUDED.vector;
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "ledger_knowledge_entries",
        sa.Column("id", Id, primary_key=True),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("policy_basis", sa.Text),
        sa.Column("valid_from", Time, nullable=False),
        sa.Column("valid_until", Time),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
    )
    op.create_index("ix_ledger_knowledge_entries_topic", "ledger_knowledge_entries", ["topic"])
    op.create_index("ix_ledger_knowledge_entries_unit", "ledger_knowledge_entries", ["unit"])
    op.create_index("ix_ledger_knowledge_entries_status", "ledger_knowledge_entries", ["status"])
    op.create_table(
        "ledger_knowledge_revisions",
        sa.Column("id", Id, primary_key=True),
        sa.Column("entry_id", sa.BigInteger, sa.ForeignKey("ledger_knowledge_entries.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("policy_basis", sa.Text),
        sa.Column("valid_from", Time, nullable=False),
        sa.Column("valid_until", Time),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("changed_at", Time, nullable=False),
        sa.UniqueConstraint("entry_id", "version", name="uq_ledger_knowledge_revisions_entry_version"),
    )
    op.create_table(
        "ledger_knowledge_search",
        sa.Column("entry_id", sa.BigInteger, sa.ForeignKey("ledger_knowledge_entries.id"), primary_key=True),
        sa.Column("question_words", sa.Text, nullable=False),
        sa.Column("body_words", sa.Text, nullable=False),
    )
    if op.get_context().dialect.name == "postgresql":
        # The tsvector is stored, not computed in an expression index: ranking reads it for every
        # matching row, and parsing the words again for each made searches several times slower.
        # A trigger fills it in the writing transaction, whoever writes.
        op.execute(
            "CREATE TABLE ledger_knowledge_fts (entry_id BIGINT PRIMARY KEY "
            "REFERENCES ledger_knowledge_search (entry_id) ON DELETE CASCADE, vector tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ledger_knowledge_fts_gin ON ledger_knowledge_fts USING gin (vector)")
        op.execute(_PG_SYNC)
        op.execute(
            "CREATE TRIGGER ledger_knowledge_fts_sync AFTER INSERT OR UPDATE ON ledger_knowledge_search "
            "FOR EACH ROW EXECUTE FUNCTION ledger_knowledge_fts_sync()"
        )
        return
    # External content: the words are stored once, in ledger_knowledge_search, and triggers keep
    # the index in step inside the writing transaction whoever writes.
    op.execute(
        "CREATE VIRTUAL TABLE ledger_knowledge_fts USING fts5(question_words, body_words, "
        "content='ledger_knowledge_search', content_rowid='entry_id')"
    )
    op.execute(
        "CREATE TRIGGER ledger_knowledge_fts_insert AFTER INSERT ON ledger_knowledge_search BEGIN "
        "INSERT INTO ledger_knowledge_fts(rowid, question_words, body_words) "
        "VALUES (new.entry_id, new.question_words, new.body_words); END"
    )
    op.execute(
        "CREATE TRIGGER ledger_knowledge_fts_delete AFTER DELETE ON ledger_knowledge_search BEGIN "
        "INSERT INTO ledger_knowledge_fts(ledger_knowledge_fts, rowid, question_words, body_words) "
        "VALUES ('delete', old.entry_id, old.question_words, old.body_words); END"
    )
    op.execute(
        "CREATE TRIGGER ledger_knowledge_fts_update AFTER UPDATE ON ledger_knowledge_search BEGIN "
        "INSERT INTO ledger_knowledge_fts(ledger_knowledge_fts, rowid, question_words, body_words) "
        "VALUES ('delete', old.entry_id, old.question_words, old.body_words); "
        "INSERT INTO ledger_knowledge_fts(rowid, question_words, body_words) "
        "VALUES (new.entry_id, new.question_words, new.body_words); END"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ledger_knowledge_fts_sync ON ledger_knowledge_search")
        op.execute("DROP FUNCTION ledger_knowledge_fts_sync()")
        op.execute("DROP TABLE ledger_knowledge_fts")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER ledger_knowledge_fts_{trigger}")
        op.execute("DROP TABLE ledger_knowledge_fts")
    op.drop_table("ledger_knowledge_search")
    op.drop_table("ledger_knowledge_revisions")
    op.drop_index("ix_ledger_knowledge_entries_status", "ledger_knowledge_entries")
    op.drop_index("ix_ledger_knowledge_entries_unit", "ledger_knowledge_entries")
    op.drop_index("ix_ledger_knowledge_entries_topic", "ledger_knowledge_entries")
    op.drop_table("ledger_knowledge_entries")
