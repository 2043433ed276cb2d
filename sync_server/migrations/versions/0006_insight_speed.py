"""Insight at scale: when each stage was left, planned touches as facts, covering indexes

`stage_facts.left_at` is when the deal entered its next stage (NULL while it is the last),
so days in stage need no window over every stage change; back-filled here. `plan_facts`
holds each account plan's planned touches per quarter and channel (copied from the plan
records here, kept by the write path), so coverage sums them in SQL instead of reading
plan JSON. Indexes let coverage and pipeline read their facts without the table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 15:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.String(length=64)


def upgrade() -> None:
    with op.batch_alter_table("stage_facts") as batch:
        batch.add_column(sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        """
        UPDATE stage_facts SET left_at = (
            SELECT min(later.changed_at) FROM stage_facts AS later
            WHERE later.opportunity_id = stage_facts.opportunity_id
              AND later.changed_at > stage_facts.changed_at)
        """
    )
    op.drop_index("ix_stage_facts_opportunity", table_name="stage_facts")
    op.create_index(
        "ix_stage_facts_opportunity",
        "stage_facts",
        ["opportunity_id", "changed_at"],
        postgresql_include=["to_stage", "left_at"],
    )
    op.create_table(
        "plan_facts",
        sa.Column("plan_id", _ID, primary_key=True),
        sa.Column("quarter", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(length=16), primary_key=True),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("owner_id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("planned", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_plan_facts_org_year",
        "plan_facts",
        ["org_id", "fiscal_year", "quarter"],
        postgresql_include=["owner_id", "account_id", "channel", "planned"],
    )
    op.create_index(
        "ix_account_facts_org_owner_grade",
        "account_facts",
        ["org_id", "owner_id"],
        postgresql_include=["grade", "potential", "currency"],
    )
    op.drop_index("ix_account_facts_org_owner", table_name="account_facts")
    op.create_index(
        "ix_facts_org_stage_close",
        "opportunity_facts",
        ["org_id", "stage", "close_date"],
        postgresql_include=["owner_id"],
    )
    _copy_plans()


def _copy_plans() -> None:
    records = sa.table(
        "records",
        sa.column("entity", sa.String),
        sa.column("id", sa.String),
        sa.column("org_id", sa.String),
        sa.column("owner_id", sa.String),
        sa.column("deleted", sa.Boolean),
        sa.column("data", sa.JSON),
    )
    rows = op.get_bind().execute(
        sa.select(records.c.id, records.c.org_id, records.c.owner_id, records.c.data).where(
            records.c.entity == "account_plan", records.c.deleted.is_(False)
        )
    )
    found: list[dict[str, Any]] = []
    for plan_id, org_id, owner_id, data in rows:
        for line in data.get("coverage", []):
            found.append(
                {
                    "plan_id": plan_id,
                    "quarter": int(line["quarter"]),
                    "channel": line["channel"],
                    "org_id": org_id,
                    "owner_id": owner_id,
                    "account_id": data.get("account_id", ""),
                    "fiscal_year": int(data.get("fiscal_year", 0)),
                    "planned": int(line.get("planned", 0)),
                }
            )
    if found:
        plans = sa.table(
            "plan_facts",
            sa.column("plan_id", sa.String),
            sa.column("quarter", sa.Integer),
            sa.column("channel", sa.String),
            sa.column("org_id", sa.String),
            sa.column("owner_id", sa.String),
            sa.column("account_id", sa.String),
            sa.column("fiscal_year", sa.Integer),
            sa.column("planned", sa.Integer),
        )
        op.bulk_insert(plans, found)


def downgrade() -> None:
    op.drop_index("ix_facts_org_stage_close", table_name="opportunity_facts")
    op.create_index("ix_account_facts_org_owner", "account_facts", ["org_id", "owner_id"])
    op.drop_index("ix_account_facts_org_owner_grade", table_name="account_facts")
    op.drop_index("ix_plan_facts_org_year", table_name="plan_facts")
    op.drop_table("plan_facts")
    op.drop_index("ix_stage_facts_opportunity", table_name="stage_facts")
    op.create_index("ix_stage_facts_opportunity", "stage_facts", ["opportunity_id", "changed_at"])
    with op.batch_alter_table("stage_facts") as batch:
        batch.drop_column("left_at")
