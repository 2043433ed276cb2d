"""Insight summaries kept on write: closed deals per stage mask, stays per stage and whole
days, and touches per grade and channel, each per owner and quarter

`deal_flow_sums` counts the deals closed (won or lost) per (owner, quarter of the close
date, closing stage, open stages passed as a bit mask or -1 without stage changes, won as
the stage changes say); `stage_stay_sums` counts their completed stays in an open stage
per (owner, quarter, stage, whole days). `touch_sums` counts activities per (quarter, the
account's owner and grade, the activity's owner, channel), for activities on an account
that exists; `account_quarter_sums` holds each account's contacts and their cost per
quarter, by anyone, with its owner and grade (the whole organisation's out-of-line
verdicts read medians and the most out of line from it). The write path keeps them (an
account's grade or owner change moves its activities' counts: `ix_activity_facts_account`
finds them); back-filled here from the facts. Closed quarters are then never rescanned.
`ix_facts_slipping` holds the open deals pushed twice or more, most pushed first.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.String(length=64)
# Open stages in pipeline order (bit i of a mask is the i-th), and the closed ones.
_OPEN = ("prospecting", "qualification", "needs_analysis", "proposal", "negotiation")
_CLOSED = "('closed_won', 'closed_lost')"
# A contact's cost per channel (core.enums.DEFAULT_CHANNEL_COST; a note is no contact).
_COSTS = {"visit": 25_000, "call": 1_500, "email": 200, "event": 40_000, "mail": 500}
_SLIPPING = sa.text("close_pushes >= 2 AND category IN ('pipeline', 'best_case', 'commit')")


def upgrade() -> None:
    op.create_table(
        "deal_flow_sums",
        sa.Column("org_id", _ID, primary_key=True),
        sa.Column("quarter", sa.Date(), primary_key=True),
        sa.Column("owner_id", _ID, primary_key=True),
        sa.Column("stage", sa.String(length=32), primary_key=True),
        sa.Column("mask", sa.Integer(), primary_key=True),
        sa.Column("won", sa.Integer(), primary_key=True),
        sa.Column("deals", sa.Integer(), nullable=False),
    )
    op.create_table(
        "stage_stay_sums",
        sa.Column("org_id", _ID, primary_key=True),
        sa.Column("quarter", sa.Date(), primary_key=True),
        sa.Column("owner_id", _ID, primary_key=True),
        sa.Column("stage", sa.String(length=32), primary_key=True),
        sa.Column("days", sa.Integer(), primary_key=True),
        sa.Column("stays", sa.Integer(), nullable=False),
    )
    op.create_table(
        "touch_sums",
        sa.Column("org_id", _ID, primary_key=True),
        sa.Column("quarter", sa.Date(), primary_key=True),
        sa.Column("account_owner_id", _ID, primary_key=True),
        sa.Column("grade", sa.String(length=1), primary_key=True),
        sa.Column("owner_id", _ID, primary_key=True),
        sa.Column("channel", sa.String(length=16), primary_key=True),
        sa.Column("touches", sa.Integer(), nullable=False),
    )
    op.create_table(
        "account_quarter_sums",
        sa.Column("account_id", _ID, primary_key=True),
        sa.Column("quarter", sa.Date(), primary_key=True),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("account_owner_id", _ID, nullable=True),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("touches", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_account_quarter_sums_cost",
        "account_quarter_sums",
        ["org_id", "quarter", "grade", "cost", "account_id"],
        postgresql_include=["account_owner_id", "touches"],
    )
    op.create_table(
        "won_sums",
        sa.Column("org_id", _ID, primary_key=True),
        sa.Column("quarter", sa.Date(), primary_key=True),
        sa.Column("account_owner_id", _ID, primary_key=True),
        sa.Column("grade", sa.String(length=1), primary_key=True),
        sa.Column("owner_id", _ID, primary_key=True),
        sa.Column("currency", sa.String(length=3), primary_key=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "plan_sums",
        sa.Column("org_id", _ID, primary_key=True),
        sa.Column("quarter", sa.Date(), primary_key=True),
        sa.Column("account_owner_id", _ID, primary_key=True),
        sa.Column("grade", sa.String(length=1), primary_key=True),
        sa.Column("owner_id", _ID, primary_key=True),
        sa.Column("channel", sa.String(length=16), primary_key=True),
        sa.Column("planned", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "account_sums",
        sa.Column("org_id", _ID, primary_key=True),
        sa.Column("owner_id", _ID, primary_key=True),
        sa.Column("grade", sa.String(length=1), primary_key=True),
        sa.Column("currency", sa.String(length=3), primary_key=True),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("potential", sa.BigInteger(), nullable=False),
    )
    op.create_index(
        "ix_facts_account",
        "opportunity_facts",
        ["account_id"],
        postgresql_include=["org_id", "owner_id", "close_date", "category", "amount", "currency"],
    )
    op.create_index("ix_plan_facts_account", "plan_facts", ["account_id"])
    op.create_index(
        "ix_facts_slipping",
        "opportunity_facts",
        ["org_id", sa.text("close_pushes DESC"), "close_date", "id"],
        postgresql_include=["owner_id"],
        postgresql_where=_SLIPPING,
        sqlite_where=_SLIPPING,
    )
    op.create_index(
        "ix_activity_facts_account",
        "activity_facts",
        ["account_id"],
        postgresql_include=["owner_id", "channel", "occurred_on"],
    )
    _back_fill()
    _back_fill_accounts()
    _back_fill_coverage()


def _quarter(column: str) -> str:
    """SQL for the first day of the quarter holding the date `column`."""
    if op.get_bind().dialect.name == "postgresql":
        return f"CAST(date_trunc('quarter', {column}) AS date)"
    return (
        f"date({column}, 'start of month', "
        f"'-' || ((CAST(strftime('%m', {column}) AS INTEGER) - 1) % 3) || ' months')"
    )


def _days() -> str:
    """SQL for the whole days between s.changed_at and s.left_at (as pipeline counts)."""
    if op.get_bind().dialect.name == "postgresql":
        return "CAST(floor(EXTRACT(epoch FROM s.left_at - s.changed_at) / 86400) AS INTEGER)"
    return "CAST(julianday(s.left_at) - julianday(s.changed_at) AS INTEGER)"


def _back_fill() -> None:
    quarter = _quarter("o.close_date")
    mask = " + ".join(
        f"MAX(CASE WHEN to_stage = '{stage}' THEN {1 << bit} ELSE 0 END)"
        for bit, stage in enumerate(_OPEN)
    )
    op.execute(
        f"""
        INSERT INTO deal_flow_sums (org_id, quarter, owner_id, stage, mask, won, deals)
        SELECT o.org_id, {quarter}, o.owner_id, o.stage, COALESCE(d.mask, -1),
               COALESCE(d.won, 0), COUNT(*)
        FROM opportunity_facts AS o
        LEFT JOIN (SELECT opportunity_id AS deal, {mask} AS mask,
                          MAX(CASE WHEN to_stage = 'closed_won' THEN 1 ELSE 0 END) AS won
                   FROM stage_facts GROUP BY opportunity_id) AS d ON d.deal = o.id
        WHERE o.stage IN {_CLOSED}
        GROUP BY o.org_id, {quarter}, o.owner_id, o.stage, COALESCE(d.mask, -1),
                 COALESCE(d.won, 0)
        """
    )
    open_stages = ", ".join(f"'{stage}'" for stage in _OPEN)
    op.execute(
        f"""
        INSERT INTO stage_stay_sums (org_id, quarter, owner_id, stage, days, stays)
        SELECT o.org_id, {quarter}, o.owner_id, s.to_stage, {_days()}, COUNT(*)
        FROM opportunity_facts AS o JOIN stage_facts AS s ON s.opportunity_id = o.id
        WHERE o.stage IN {_CLOSED} AND s.left_at IS NOT NULL
          AND s.to_stage IN ({open_stages})
        GROUP BY o.org_id, {quarter}, o.owner_id, s.to_stage, {_days()}
        """
    )
    day = _quarter("x.occurred_on")
    op.execute(
        f"""
        INSERT INTO touch_sums (org_id, quarter, account_owner_id, grade, owner_id, channel,
                                touches)
        SELECT x.org_id, {day}, a.owner_id, COALESCE(a.grade, ''), x.owner_id, x.channel,
               COUNT(*)
        FROM activity_facts AS x JOIN account_facts AS a ON a.id = x.account_id
        GROUP BY x.org_id, {day}, a.owner_id, COALESCE(a.grade, ''), x.owner_id, x.channel
        """
    )


def _back_fill_accounts() -> None:
    day = _quarter("x.occurred_on")
    cost = " ".join(f"WHEN '{channel}' THEN {cents}" for channel, cents in _COSTS.items())
    contact = ", ".join(f"'{channel}'" for channel in _COSTS)
    op.execute(
        f"""
        INSERT INTO account_quarter_sums (account_id, quarter, org_id, account_owner_id,
                                          grade, cost, touches)
        SELECT x.account_id, {day}, MIN(x.org_id), a.owner_id,
               CASE WHEN a.id IS NULL THEN NULL ELSE COALESCE(a.grade, '') END,
               SUM(CASE x.channel {cost} ELSE 0 END),
               SUM(CASE WHEN x.channel IN ({contact}) THEN 1 ELSE 0 END)
        FROM activity_facts AS x LEFT JOIN account_facts AS a ON a.id = x.account_id
        WHERE x.account_id IS NOT NULL
        GROUP BY x.account_id, {day}, a.id, a.owner_id, a.grade
        """
    )


def _back_fill_coverage() -> None:
    close = _quarter("o.close_date")
    op.execute(
        f"""
        INSERT INTO won_sums (org_id, quarter, account_owner_id, grade, owner_id, currency,
                              amount)
        SELECT o.org_id, {close}, a.owner_id, COALESCE(a.grade, ''), o.owner_id, o.currency,
               SUM(o.amount)
        FROM opportunity_facts AS o JOIN account_facts AS a ON a.id = o.account_id
        WHERE o.category = 'closed'
        GROUP BY o.org_id, {close}, a.owner_id, COALESCE(a.grade, ''), o.owner_id, o.currency
        """
    )
    if op.get_bind().dialect.name == "postgresql":
        start = "make_date(p.fiscal_year, 3 * p.quarter - 2, 1)"
    else:
        start = "printf('%04d-%02d-01', p.fiscal_year, 3 * p.quarter - 2)"
    op.execute(
        f"""
        INSERT INTO plan_sums (org_id, quarter, account_owner_id, grade, owner_id, channel,
                               planned)
        SELECT p.org_id, {start}, a.owner_id, COALESCE(a.grade, ''), p.owner_id, p.channel,
               SUM(p.planned)
        FROM plan_facts AS p JOIN account_facts AS a ON a.id = p.account_id
        GROUP BY p.org_id, {start}, a.owner_id, COALESCE(a.grade, ''), p.owner_id, p.channel
        """
    )
    op.execute(
        """
        INSERT INTO account_sums (org_id, owner_id, grade, currency, accounts, potential)
        SELECT org_id, owner_id, COALESCE(grade, ''), currency, COUNT(*), SUM(potential)
        FROM account_facts GROUP BY org_id, owner_id, COALESCE(grade, ''), currency
        """
    )


def downgrade() -> None:
    for table in ("account_sums", "plan_sums", "won_sums"):
        op.drop_table(table)
    op.drop_index("ix_plan_facts_account", table_name="plan_facts")
    op.drop_index("ix_facts_account", table_name="opportunity_facts")
    op.drop_index("ix_account_quarter_sums_cost", table_name="account_quarter_sums")
    op.drop_table("account_quarter_sums")
    op.drop_index("ix_activity_facts_account", table_name="activity_facts")
    op.drop_index("ix_facts_slipping", table_name="opportunity_facts")
    op.drop_table("touch_sums")
    op.drop_table("stage_stay_sums")
    op.drop_table("deal_flow_sums")
