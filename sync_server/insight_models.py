"""The insight views' summaries per owner and quarter, kept on write by
services.insight_sums (server migration 0008): what the top manager's coverage and
pipeline read instead of every activity and stage change. Their tables join
models.Base's metadata when this module is imported (the services that use them and the
migrations' env do)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.models import Base, Id


class DealFlowSum(Base):
    """Deals closed per owner, quarter of the close date, closing stage, open stages passed
    (bit i: the i-th open stage) and won (a closed-won stage change); kept on write
    (migration 0008)."""

    __tablename__ = "deal_flow_sums"
    org_id: Mapped[str] = mapped_column(Id, primary_key=True)
    quarter: Mapped[date] = mapped_column(Date, primary_key=True)
    owner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    stage: Mapped[str] = mapped_column(String(32), primary_key=True)  # closed won or lost
    mask: Mapped[int] = mapped_column(Integer, primary_key=True)  # -1: no stage changes
    won: Mapped[int] = mapped_column(Integer, primary_key=True)
    deals: Mapped[int] = mapped_column(Integer, default=0)


class StaySum(Base):
    """Completed stays of closed deals in an open stage, per owner, quarter of the deal's
    close date, stage and whole days; kept on write (migration 0008)."""

    __tablename__ = "stage_stay_sums"
    org_id: Mapped[str] = mapped_column(Id, primary_key=True)
    quarter: Mapped[date] = mapped_column(Date, primary_key=True)
    owner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    stage: Mapped[str] = mapped_column(String(32), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True)
    stays: Mapped[int] = mapped_column(Integer, default=0)


class WonSum(Base):
    """Won revenue (closed deals) per quarter of the close date, the account's owner and
    grade ('' for none) as they are now, the deal's owner and its currency, for deals on an
    existing account; kept on write (migration 0008)."""

    __tablename__ = "won_sums"
    org_id: Mapped[str] = mapped_column(Id, primary_key=True)
    quarter: Mapped[date] = mapped_column(Date, primary_key=True)
    account_owner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    grade: Mapped[str] = mapped_column(String(1), primary_key=True)
    owner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    amount: Mapped[int] = mapped_column(default=0)


class PlanSum(Base):
    """Planned touches per quarter, the account's owner and grade ('' for none) as they are
    now, the plan's owner and channel, for plans of an existing account; kept on write
    (migration 0008)."""

    __tablename__ = "plan_sums"
    org_id: Mapped[str] = mapped_column(Id, primary_key=True)
    quarter: Mapped[date] = mapped_column(Date, primary_key=True)
    account_owner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    grade: Mapped[str] = mapped_column(String(1), primary_key=True)
    owner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    planned: Mapped[int] = mapped_column(default=0)


class AccountSum(Base):
    """Accounts and their potential per owner, grade ('' for none) and currency; kept on
    write (migration 0008)."""

    __tablename__ = "account_sums"
    org_id: Mapped[str] = mapped_column(Id, primary_key=True)
    owner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    grade: Mapped[str] = mapped_column(String(1), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    potential: Mapped[int] = mapped_column(default=0)


class AccountQuarterSum(Base):
    """One account's touches (contacts) and their cost at the default channel costs in one
    quarter, by anyone, with the account's owner and grade ('' for none) as they are now
    (no owner: no such account); kept on write (migration 0008)."""

    __tablename__ = "account_quarter_sums"
    __table_args__ = (
        Index(
            "ix_account_quarter_sums_cost",
            "org_id",
            "quarter",
            "grade",
            "cost",
            "account_id",
            postgresql_include=["account_owner_id", "touches"],
        ),
    )
    account_id: Mapped[str] = mapped_column(Id, primary_key=True)
    quarter: Mapped[date] = mapped_column(Date, primary_key=True)
    org_id: Mapped[str] = mapped_column(Id)
    account_owner_id: Mapped[str | None] = mapped_column(Id)
    grade: Mapped[str | None] = mapped_column(String(1))
    cost: Mapped[int] = mapped_column(default=0)
    touches: Mapped[int] = mapped_column(Integer, default=0)


class TouchSum(Base):
    """Activities on existing accounts per quarter, the account's owner and grade ('' for
    none) as they are now, the activity's owner and channel; kept on write (0008)."""

    __tablename__ = "touch_sums"
    org_id: Mapped[str] = mapped_column(Id, primary_key=True)
    quarter: Mapped[date] = mapped_column(Date, primary_key=True)
    account_owner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    grade: Mapped[str] = mapped_column(String(1), primary_key=True)
    owner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    touches: Mapped[int] = mapped_column(Integer, default=0)
