"""Custom fields: an index for the records every user of an organisation pulls

Custom field definitions are records (`field_definition`) in `records`, pulled by every
user of the organisation like its users; the partial index lets the pull's org-wide
branch read only those from `since` instead of the organisation's whole log.
Values of custom fields live in each record's JSON payload: no column changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORG_WIDE = sa.text("entity IN ('user', 'field_definition')")


def upgrade() -> None:
    op.create_index(
        "ix_records_org_wide",
        "records",
        ["org_id", "version"],
        postgresql_where=_ORG_WIDE,
        sqlite_where=_ORG_WIDE,
    )


def downgrade() -> None:
    op.drop_index("ix_records_org_wide", table_name="records")
