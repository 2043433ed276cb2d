"""case-insensitive sort indexes for the default order of the big lists

Lists sort text case-insensitively with the id as tie-breaker (store.queries.sorted_ids);
without an index SQLite sorts every row first (20k accounts: ~55 ms, 100k contacts:
~215 ms before the first page shows). These indexes are kept by migrations only: the
models cannot declare a column index with a collation, and the schema comparison skips
indexes named sort_* (store.migrate.include_name).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# index name, table, text column (each list's default sort)
SORT_INDEXES = (
    ("sort_accounts_name", "accounts", "name"),
    ("sort_contacts_last_name", "contacts", "last_name"),
    ("sort_leads_last_name", "leads", "last_name"),
    ("sort_opportunities_name", "opportunities", "name"),
)


def upgrade() -> None:
    for name, table, column in SORT_INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column} COLLATE NOCASE, id)")


def downgrade() -> None:
    for name, _table, _column in SORT_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
