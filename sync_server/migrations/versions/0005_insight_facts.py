"""Facts for the managers' insight views; the projection kept with each weekly snapshot

`activity_facts`, `account_facts` and `stage_facts` mirror the columns the insight views
aggregate in SQL (as `opportunity_facts` does for forecasts), kept by the one write path.
`opportunity_facts` gains the account, the stage and how often the close date was pushed
later. Each weekly snapshot row keeps the history-based projection as it stood then
(`projected`, `projection_source`), so the back-test never sees later data. Existing
records are copied into the facts here; pushes are counted from the deal snapshots.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 10:00:00
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.String(length=64)


def upgrade() -> None:
    with op.batch_alter_table("opportunity_facts") as batch:
        batch.add_column(sa.Column("account_id", _ID, nullable=True))
        batch.add_column(sa.Column("stage", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("close_pushes", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_index("ix_facts_owner_close", "opportunity_facts", ["owner_id", "close_date"])
    op.create_table(
        "activity_facts",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("owner_id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
    )
    op.create_index(
        "ix_activity_facts_org_day",
        "activity_facts",
        ["org_id", "occurred_on"],
        postgresql_include=["owner_id", "account_id", "channel"],
    )
    op.create_index(
        "ix_activity_facts_owner_day",
        "activity_facts",
        ["owner_id", "occurred_on"],
        postgresql_include=["account_id", "channel"],
    )
    op.create_table(
        "account_facts",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("owner_id", _ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False, server_default=""),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("potential", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("currency", sa.String(length=3), nullable=False, server_default="EUR"),
    )
    op.create_index("ix_account_facts_org_owner", "account_facts", ["org_id", "owner_id"])
    op.create_table(
        "stage_facts",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("opportunity_id", _ID, nullable=False),
        sa.Column("to_stage", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_stage_facts_opportunity", "stage_facts", ["opportunity_id", "changed_at"])
    op.create_index("ix_stage_facts_org_changed", "stage_facts", ["org_id", "changed_at"])
    with op.batch_alter_table("forecast_snapshots") as batch:
        batch.add_column(sa.Column("projected", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("projection_source", sa.String(length=16), nullable=True))
    _copy_records()
    _count_pushes()


_records = sa.table(
    "records",
    sa.column("entity", sa.String),
    sa.column("id", sa.String),
    sa.column("org_id", sa.String),
    sa.column("owner_id", sa.String),
    sa.column("account_id", sa.String),
    sa.column("deleted", sa.Boolean),
    sa.column("data", sa.JSON),
)


def _day(text: str) -> date:
    return date.fromisoformat(str(text)[:10])


def _copy_records() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            _records.c.entity,
            _records.c.id,
            _records.c.org_id,
            _records.c.owner_id,
            _records.c.account_id,
            _records.c.data,
        ).where(
            _records.c.deleted.is_(False),
            _records.c.entity.in_(["account", "activity", "stage_change", "opportunity"]),
        )
    )
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entity, record_id, org_id, owner_id, account_id, data in rows:
        if entity == "account":
            found["account_facts"].append(
                {
                    "id": record_id,
                    "org_id": org_id,
                    "owner_id": owner_id,
                    "name": data.get("name", ""),
                    "grade": data.get("grade"),
                    "potential": int(data.get("potential_revenue", 0)),
                    "currency": data.get("currency", "EUR"),
                }
            )
        elif entity == "activity":
            found["activity_facts"].append(
                {
                    "id": record_id,
                    "org_id": org_id,
                    "owner_id": owner_id,
                    "account_id": data.get("account_id"),
                    "channel": data["channel"],
                    "occurred_on": _day(data["occurred_at"]),
                }
            )
        elif entity == "stage_change":
            found["stage_facts"].append(
                {
                    "id": record_id,
                    "org_id": org_id,
                    "opportunity_id": data["opportunity_id"],
                    "to_stage": data["to_stage"],
                    "changed_at": datetime.fromisoformat(data["changed_at"]),
                }
            )
        else:
            found["opportunities"].append(
                {"fact_id": record_id, "account": account_id, "stage": data.get("stage")}
            )
    for name in ("account_facts", "activity_facts", "stage_facts"):
        if found[name]:
            op.bulk_insert(_table(name), found[name])
    if found["opportunities"]:
        facts = sa.table(
            "opportunity_facts",
            sa.column("id", sa.String),
            sa.column("account_id", sa.String),
            sa.column("stage", sa.String),
        )
        bind.execute(
            facts.update()
            .where(facts.c.id == sa.bindparam("fact_id"))
            .values(account_id=sa.bindparam("account"), stage=sa.bindparam("stage")),
            found["opportunities"],
        )


def _table(name: str) -> sa.TableClause:
    columns: dict[str, list[sa.ColumnClause[Any]]] = {
        "account_facts": [
            sa.column("id", sa.String),
            sa.column("org_id", sa.String),
            sa.column("owner_id", sa.String),
            sa.column("name", sa.Text),
            sa.column("grade", sa.String),
            sa.column("potential", sa.BigInteger),
            sa.column("currency", sa.String),
        ],
        "activity_facts": [
            sa.column("id", sa.String),
            sa.column("org_id", sa.String),
            sa.column("owner_id", sa.String),
            sa.column("account_id", sa.String),
            sa.column("channel", sa.String),
            sa.column("occurred_on", sa.Date),
        ],
        "stage_facts": [
            sa.column("id", sa.String),
            sa.column("org_id", sa.String),
            sa.column("opportunity_id", sa.String),
            sa.column("to_stage", sa.String),
            sa.column("changed_at", sa.DateTime(timezone=True)),
        ],
    }
    return sa.table(name, *columns[name])


def _count_pushes() -> None:
    """Each deal's close-date pushes seen across the weekly deal snapshots."""
    bind = op.get_bind()
    snaps = sa.table(
        "forecast_deal_snapshots",
        sa.column("opportunity_id", sa.String),
        sa.column("taken_at", sa.DateTime),
        sa.column("close_date", sa.Date),
    )
    rows = bind.execute(
        sa.select(snaps.c.opportunity_id, snaps.c.taken_at, snaps.c.close_date)
        .distinct()
        .order_by(snaps.c.opportunity_id, snaps.c.taken_at)
    )
    pushes: dict[str, int] = defaultdict(int)
    last: dict[str, Any] = {}
    for opportunity_id, _, close_date in rows:
        before = last.get(opportunity_id)
        if before is not None and close_date > before:
            pushes[opportunity_id] += 1
        last[opportunity_id] = close_date
    if pushes:
        facts = sa.table(
            "opportunity_facts", sa.column("id", sa.String), sa.column("close_pushes", sa.Integer)
        )
        bind.execute(
            facts.update()
            .where(facts.c.id == sa.bindparam("fact_id"))
            .values(close_pushes=sa.bindparam("count")),
            [{"fact_id": key, "count": value} for key, value in pushes.items()],
        )


def downgrade() -> None:
    with op.batch_alter_table("forecast_snapshots") as batch:
        batch.drop_column("projection_source")
        batch.drop_column("projected")
    op.drop_index("ix_stage_facts_org_changed", table_name="stage_facts")
    op.drop_index("ix_stage_facts_opportunity", table_name="stage_facts")
    op.drop_table("stage_facts")
    op.drop_index("ix_account_facts_org_owner", table_name="account_facts")
    op.drop_table("account_facts")
    op.drop_index("ix_activity_facts_owner_day", table_name="activity_facts")
    op.drop_index("ix_activity_facts_org_day", table_name="activity_facts")
    op.drop_table("activity_facts")
    op.drop_index("ix_facts_owner_close", table_name="opportunity_facts")
    with op.batch_alter_table("opportunity_facts") as batch:
        batch.drop_column("close_pushes")
        batch.drop_column("stage")
        batch.drop_column("account_id")
