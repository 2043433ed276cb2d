"""Conflict records are pulled by the device that lost: each gets its own version

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conflicts") as batch:
        batch.add_column(sa.Column("delivery_version", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("loser_device_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
    op.create_index(
        "ix_conflicts_loser_delivery",
        "conflicts",
        ["loser_user_id", "delivery_version"],
        unique=False,
    )
    op.create_index("ix_conflicts_delivery_version", "conflicts", ["delivery_version"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_conflicts_delivery_version", table_name="conflicts")
    op.drop_index("ix_conflicts_loser_delivery", table_name="conflicts")
    with op.batch_alter_table("conflicts") as batch:
        batch.drop_column("reason")
        batch.drop_column("loser_device_id")
        batch.drop_column("delivery_version")
