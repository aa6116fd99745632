"""The case ledger (台账): SQLAlchemy models, Alembic migrations, encryption and masking of
appellants' personal data, and the service the `ledger_tasks` router and the console use."""
