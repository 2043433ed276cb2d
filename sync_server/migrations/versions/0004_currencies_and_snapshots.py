"""Corporate currency per organisation; richer weekly forecast snapshots

`orgs.currency` is the corporate currency every forecast converts into by default, by the
dated rates in `exchange_rates`. Each weekly snapshot row also keeps the deals' own sum and
the person's call; `forecast_deal_snapshots` keeps every deal of the period as it stood, so
a manager sees what moved since; `snapshot_runs` lets one process take a week's snapshot.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOTALS = ("closed", "commit", "best_case", "pipeline", "omitted")


def upgrade() -> None:
    with op.batch_alter_table("orgs") as batch:
        batch.add_column(
            sa.Column("currency", sa.String(length=3), nullable=False, server_default="EUR")
        )
    with op.batch_alter_table("forecast_snapshots") as batch:
        for name in _TOTALS:
            batch.add_column(sa.Column(f"total_{name}", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("submitted_commit", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("submitted_best_case", sa.BigInteger(), nullable=True))
    op.create_table(
        "forecast_deal_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opportunity_id", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("close_date", sa.Date(), nullable=False),
    )
    op.create_index(
        "ix_deal_snapshots_org_period",
        "forecast_deal_snapshots",
        ["org_id", "period", "taken_at"],
    )
    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.String(length=64), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("org_id", "currency", "valid_from"),
    )
    op.create_index("ix_exchange_rates_org_id", "exchange_rates", ["org_id"])
    op.create_table(
        "snapshot_runs",
        sa.Column("week", sa.String(length=16), primary_key=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("snapshot_runs")
    op.drop_index("ix_exchange_rates_org_id", table_name="exchange_rates")
    op.drop_table("exchange_rates")
    op.drop_index("ix_deal_snapshots_org_period", table_name="forecast_deal_snapshots")
    op.drop_table("forecast_deal_snapshots")
    with op.batch_alter_table("forecast_snapshots") as batch:
        batch.drop_column("submitted_best_case")
        batch.drop_column("submitted_commit")
        for name in reversed(_TOTALS):
            batch.drop_column(f"total_{name}")
    with op.batch_alter_table("orgs") as batch:
        batch.drop_column("currency")
