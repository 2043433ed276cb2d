"""audit trail entries pulled from the server, and merges in the outbox

`audit_entries` holds who changed what on each record (written by the server, pulled like
any server-owned kind); `outbox.merged_ids` lists the records a `merge` mutation folds
into its entity (the server re-points everything that refers to them in one transaction).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sfa_desktop.store.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("owner_id", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("record_entity", sa.String(32), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=True),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("device_name", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_audit_entries_owner_id", "audit_entries", ["owner_id"])
    op.create_index("ix_audit_entries_record", "audit_entries", ["record_id", "at"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("merged_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("merged_ids")
    op.drop_table("audit_entries")
