"""The server schema (SQLAlchemy 2 typed ORM).

Synced records live in one generic `records` table: every entity is validated by the core
models, so the server only needs the scope keys (org, owner, account) as columns and the
payload as JSON. One table gives one write path, one pull query and one version index.
Opportunity amounts are mirrored into `opportunity_facts` so forecasts aggregate in SQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.sql.types import UTCDateTime

# The kinds every user of an organisation pulls, and the condition naming them in the
# words of the partial index ix_records_org_wide: a query must state it literally (bound
# parameters hide the kinds from the planner) for SQLite and PostgreSQL to read the index.
ORG_WIDE = (EntityKind.USER.value, EntityKind.FIELD_DEFINITION.value)
ORG_WIDE_SQL = "entity IN ({})".format(", ".join(f"'{kind}'" for kind in ORG_WIDE))

Json = JSON().with_variant(JSONB(), "postgresql")
Id = String(64)


class Base(DeclarativeBase):
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: Json,
        int: BigInteger,
        str: String(200),
    }


class Org(Base):
    __tablename__ = "orgs"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[datetime]
    # The corporate currency: forecasts convert into it unless the viewer asks for another.
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"), index=True)
    username: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    email: Mapped[str]
    role: Mapped[str] = mapped_column(String(16))
    manager_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A pull from below this version must start over (scope grew through a hierarchy change).
    resync_floor: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"))
    name: Mapped[str]


class TeamMember(Base):
    __tablename__ = "team_members"
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class TeamAccount(Base):
    __tablename__ = "team_accounts"
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    account_id: Mapped[str] = mapped_column(Id, primary_key=True, index=True)


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str]
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_seq: Mapped[int] = mapped_column(default=0)
    token_epoch: Mapped[int] = mapped_column(Integer, default=0)
    # hex SHA-256 of the secret the device proves itself with on refresh; None for devices
    # signed in before device keys (they keep the retry grace window)
    key_hash: Mapped[str | None] = mapped_column(String(64))


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginFailure(Base):
    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(index=True)
    at: Mapped[datetime]


class Counter(Base):
    """One row: the server version counter and how far the log has been purged."""

    __tablename__ = "counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
    purged_through: Mapped[int] = mapped_column(default=0)


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_org_version", "org_id", "version"),
        # the org-wide kinds every user pulls (migration 0007)
        Index(
            "ix_records_org_wide",
            "org_id",
            "version",
            postgresql_where=text(ORG_WIDE_SQL),
            sqlite_where=text(ORG_WIDE_SQL),
        ),
        Index("ix_records_entity_owner", "entity", "owner_id"),
    )
    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"))
    owner_id: Mapped[str] = mapped_column(Id, index=True)
    account_id: Mapped[str | None] = mapped_column(Id, index=True)
    version: Mapped[int] = mapped_column(unique=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]]
    field_versions: Mapped[dict[str, Any]]
    updated_by: Mapped[str | None] = mapped_column(Id)
    changed_at: Mapped[datetime]


class Removal(Base):
    """A record left the scope it was in (its keys before the change) at `version`."""

    __tablename__ = "removals"
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(Id)
    prev_owner_id: Mapped[str | None] = mapped_column(Id, index=True)
    prev_account_id: Mapped[str | None] = mapped_column(Id)
    prev_account_owner_id: Mapped[str | None] = mapped_column(Id, index=True)
    changed_at: Mapped[datetime]


class OpportunityFact(Base):
    """The columns a forecast needs from each live opportunity."""

    __tablename__ = "opportunity_facts"
    __table_args__ = (
        Index(
            "ix_facts_org_close",
            "org_id",
            "close_date",
            postgresql_include=["owner_id", "category", "amount", "currency"],
        ),
        Index(
            "ix_facts_org_stage_close",
            "org_id",
            "stage",
            "close_date",
            postgresql_include=["owner_id"],
        ),
    )
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    org_id: Mapped[str] = mapped_column(Id)
    owner_id: Mapped[str] = mapped_column(Id)
    close_date: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    # For the insight views (migration 0005): the deal's account and stage, and how many
    # times its close date was moved later.
    account_id: Mapped[str | None] = mapped_column(Id)
    stage: Mapped[str | None] = mapped_column(String(32))
    close_pushes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


Index("ix_facts_owner_close", OpportunityFact.owner_id, OpportunityFact.close_date)
Index(  # an account's deals, moved when its grade or owner changes (migration 0008)
    "ix_facts_account",
    OpportunityFact.account_id,
    postgresql_include=["org_id", "owner_id", "close_date", "category", "amount", "currency"],
)
_SLIPPING = text("close_pushes >= 2 AND category IN ('pipeline', 'best_case', 'commit')")
Index(  # open deals pushed twice or more, most pushed first (pipeline; migration 0008)
    "ix_facts_slipping",
    OpportunityFact.org_id,
    OpportunityFact.close_pushes.desc(),
    OpportunityFact.close_date,
    OpportunityFact.id,
    postgresql_include=["owner_id"],
    postgresql_where=_SLIPPING,
    sqlite_where=_SLIPPING,
)


class ActivityFact(Base):
    """The columns the insight views count from each live activity."""

    __tablename__ = "activity_facts"
    __table_args__ = (
        Index(
            "ix_activity_facts_org_day",
            "org_id",
            "occurred_on",
            postgresql_include=["owner_id", "account_id", "channel"],
        ),
        Index(
            "ix_activity_facts_owner_day",
            "owner_id",
            "occurred_on",
            postgresql_include=["account_id", "channel"],
        ),
        Index(  # an account's touches, moved when its grade or owner changes (0008)
            "ix_activity_facts_account",
            "account_id",
            postgresql_include=["owner_id", "channel", "occurred_on"],
        ),
    )
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    org_id: Mapped[str] = mapped_column(Id)
    owner_id: Mapped[str] = mapped_column(Id)
    account_id: Mapped[str | None] = mapped_column(Id)
    channel: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date)


class AccountFact(Base):
    """Each live account's owner, name, grade and potential (in its own currency)."""

    __tablename__ = "account_facts"
    __table_args__ = (
        Index(
            "ix_account_facts_org_owner_grade",
            "org_id",
            "owner_id",
            postgresql_include=["grade", "potential", "currency"],
        ),
    )
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    org_id: Mapped[str] = mapped_column(Id)
    owner_id: Mapped[str] = mapped_column(Id)
    name: Mapped[str] = mapped_column(Text, default="", server_default="")
    grade: Mapped[str | None] = mapped_column(String(1))
    potential: Mapped[int] = mapped_column(default=0, server_default="0")
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")


class StageFact(Base):
    """One live stage change: which deal entered which stage, when, and when it entered its
    next stage (`left_at`, NULL while this is its last; migration 0006)."""

    __tablename__ = "stage_facts"
    __table_args__ = (
        Index(
            "ix_stage_facts_opportunity",
            "opportunity_id",
            "changed_at",
            postgresql_include=["to_stage", "left_at"],
        ),
        Index("ix_stage_facts_org_changed", "org_id", "changed_at"),
    )
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    org_id: Mapped[str] = mapped_column(Id)
    opportunity_id: Mapped[str] = mapped_column(Id)
    to_stage: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


class PlanFact(Base):
    """Planned touches of one account plan in one quarter through one channel."""

    __tablename__ = "plan_facts"
    __table_args__ = (
        Index(
            "ix_plan_facts_org_year",
            "org_id",
            "fiscal_year",
            "quarter",
            postgresql_include=["owner_id", "account_id", "channel", "planned"],
        ),
        Index("ix_plan_facts_account", "account_id"),  # moved with its account (0008)
    )
    plan_id: Mapped[str] = mapped_column(Id, primary_key=True)
    quarter: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    org_id: Mapped[str] = mapped_column(Id)
    owner_id: Mapped[str] = mapped_column(Id)
    account_id: Mapped[str] = mapped_column(Id)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    planned: Mapped[int] = mapped_column(Integer)


class ConflictRecord(Base):
    """A value that lost a conflict (or a write the server refused), kept so the user who
    lost it can review and restore it.

    Each gets its own `delivery_version` from the version counter: the losing user's
    devices pull it like a record (whatever answer was lost on the way), each once.
    `version` is the version of the write that caused it. A refusal has an empty `field`,
    the refused write as `loser` and the reason in `reason`.
    """

    __tablename__ = "conflicts"
    __table_args__ = (
        Index("ix_conflicts_loser_delivery", "loser_user_id", "delivery_version"),
        Index("ix_conflicts_delivery_version", "delivery_version", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(Id)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(Id)
    owner_id: Mapped[str] = mapped_column(Id, index=True)
    field: Mapped[str]
    winner: Mapped[dict[str, Any]]
    loser: Mapped[dict[str, Any]]
    winner_user_id: Mapped[str | None] = mapped_column(Id)
    loser_user_id: Mapped[str | None] = mapped_column(Id, index=True)
    version: Mapped[int]
    created_at: Mapped[datetime]
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_version: Mapped[int | None]
    loser_device_id: Mapped[str | None] = mapped_column(Id)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class AdjustmentAudit(Base):
    __tablename__ = "adjustment_audit"
    __table_args__ = (Index("ix_audit_subject", "subject_user_id", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(Id)
    adjustment_id: Mapped[str] = mapped_column(Id)
    manager_id: Mapped[str] = mapped_column(Id)
    subject_user_id: Mapped[str] = mapped_column(Id)
    period: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    old_amount: Mapped[int | None]
    new_amount: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class ForecastSnapshot(Base):
    __tablename__ = "forecast_snapshots"
    __table_args__ = (Index("ix_snapshots_user_period", "user_id", "period", "taken_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(Id)
    user_id: Mapped[str] = mapped_column(Id)
    period: Mapped[str] = mapped_column(String(16))
    taken_at: Mapped[datetime]
    closed: Mapped[int]
    commit: Mapped[int]
    best_case: Mapped[int]
    pipeline: Mapped[int]
    omitted: Mapped[int]
    quota: Mapped[int]
    # The deals' own sum beside the adjusted figures, and the person's call (migration 0004).
    total_closed: Mapped[int | None]
    total_commit: Mapped[int | None]
    total_best_case: Mapped[int | None]
    total_pipeline: Mapped[int | None]
    total_omitted: Mapped[int | None]
    submitted_commit: Mapped[int | None]
    submitted_best_case: Mapped[int | None]
    # The history-based projection as it stood when the snapshot was taken (migration 0005):
    # closed plus the open deals' expected value; whose history ("rep", "team", "defaults").
    projected: Mapped[int | None]
    projection_source: Mapped[str | None] = mapped_column(String(16))


class DealSnapshot(Base):
    """A deal of the period as it stood at a weekly snapshot (what moved since)."""

    __tablename__ = "forecast_deal_snapshots"
    __table_args__ = (Index("ix_deal_snapshots_org_period", "org_id", "period", "taken_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(Id)
    period: Mapped[str] = mapped_column(String(16))
    taken_at: Mapped[datetime]
    opportunity_id: Mapped[str] = mapped_column(Id)
    owner_id: Mapped[str] = mapped_column(Id)
    name: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    close_date: Mapped[date] = mapped_column(Date)


class ExchangeRate(Base):
    """What one unit of `currency` is worth in the org's corporate currency from a day on."""

    __tablename__ = "exchange_rates"
    __table_args__ = (UniqueConstraint("org_id", "currency", "valid_from"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date] = mapped_column(Date)
    rate: Mapped[str] = mapped_column(String(40))  # decimal text: exact, on every backend
    set_at: Mapped[datetime]


class SnapshotRun(Base):
    """One row per week snapshotted: the first process to insert it takes the snapshot."""

    __tablename__ = "snapshot_runs"
    week: Mapped[str] = mapped_column(String(16), primary_key=True)
    taken_at: Mapped[datetime]
