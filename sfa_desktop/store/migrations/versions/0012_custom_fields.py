"""custom fields: the admins' definitions and a `custom` JSON column on each kind

Values of an admin's fields live in `custom` (one JSON object of `cf_` keys); sorting and
filtering by one uses an expression index the store adds when its definition arrives
(store.custom_fields).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sfa_desktop.sql.types import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "accounts",
    "contacts",
    "activities",
    "calendar_events",
    "tasks",
    "leads",
    "opportunities",
)


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("custom", sa.JSON(), nullable=True))
    op.create_table(
        "field_definitions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("owner_id", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("for_entity", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("field_type", sa.String(16), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("required_since", UTCDateTime(), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("retired_choices", sa.JSON(), nullable=False),
        sa.Column("minimum", sa.Float(), nullable=True),
        sa.Column("maximum", sa.Float(), nullable=True),
        sa.Column("default", sa.JSON(), nullable=True),
        sa.Column("read_only_for_rep", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_field_definitions_owner_id", "field_definitions", ["owner_id"])
    op.create_index("ix_field_definitions_for_entity", "field_definitions", ["for_entity"])


def downgrade() -> None:
    op.drop_table("field_definitions")
    for table in TABLES:
        # SQLite drops a column in place (a batch copy of the table would lose its triggers)
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN custom')
