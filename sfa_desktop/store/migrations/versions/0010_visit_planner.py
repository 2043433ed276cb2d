"""visit planner: where accounts are, planned visits and the drive to them

Accounts keep their coordinates (WGS 84 degrees) and whether the gazetteer (their city)
or a manual pin placed them. Calendar events say whether the visit planner proposed them
and the drive to them (minutes, km); activities keep the km driven to a visit (the
mileage log).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-12 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (a batch would copy the table and lose its triggers).
    op.add_column("accounts", sa.Column("latitude", sa.Double(), nullable=True))
    op.add_column("accounts", sa.Column("longitude", sa.Double(), nullable=True))
    op.add_column("accounts", sa.Column("located_by", sa.String(8), nullable=True))
    op.add_column("activities", sa.Column("travel_km", sa.Double(), nullable=True))
    events = "calendar_events"
    op.add_column(events, sa.Column("planned", sa.Boolean(), server_default="0", nullable=False))
    op.add_column(
        events, sa.Column("travel_minutes", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(events, sa.Column("travel_km", sa.Double(), server_default="0", nullable=False))


def downgrade() -> None:
    for column in ("travel_km", "travel_minutes", "planned"):
        op.drop_column("calendar_events", column)
    op.drop_column("activities", "travel_km")
    for column in ("located_by", "longitude", "latitude"):
        op.drop_column("accounts", column)
