"""calendar events keep their link to another calendar and their extra dates

An event imported from an .ics file (or synced with a CalDAV calendar) keeps the UID it
has there, of any length (`external_uid`, indexed: importing the same file again finds
it), and a moved occurrence of a series the start it replaces (`recurrence_id`, the
RECURRENCE-ID). RDATE starts added to a series are kept in `extra_dates`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sfa_desktop.sql.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (a batch would copy the table and lose its triggers).
    table = "calendar_events"
    op.add_column(table, sa.Column("extra_dates", sa.JSON(), server_default="[]", nullable=False))
    op.add_column(table, sa.Column("external_uid", sa.Text(), server_default="", nullable=False))
    op.add_column(table, sa.Column("recurrence_id", UTCDateTime(), nullable=True))
    op.create_index("ix_calendar_events_external_uid", "calendar_events", ["external_uid"])


def downgrade() -> None:
    op.drop_index("ix_calendar_events_external_uid", "calendar_events")
    for column in ("recurrence_id", "external_uid", "extra_dates"):
        op.drop_column("calendar_events", column)
