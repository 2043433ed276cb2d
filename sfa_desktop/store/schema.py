"""SQLAlchemy schema of the local store: one table per entity, plus sync bookkeeping."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.sql.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Synced(Base):
    """Columns every synced table has."""

    __abstract__ = True
    entity: EntityKind

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int | None]


class CustomValues:
    """The `custom` column of a kind admins add fields to: its `cf_` values as one JSON
    object (NULL when it has none); lists sort and filter on them by expression indexes
    (store.custom_fields)."""

    custom: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class UserRow(Synced):
    __tablename__ = "users"
    entity = EntityKind.USER
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    manager_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool]


class AccountRow(CustomValues, Synced):
    __tablename__ = "accounts"
    entity = EntityKind.ACCOUNT
    name: Mapped[str] = mapped_column(String(200), index=True)
    domain: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(200))
    grade: Mapped[str | None] = mapped_column(String(1), index=True)
    parent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    street: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    potential_revenue: Mapped[int]
    orientation: Mapped[str] = mapped_column(String(16))
    is_partner: Mapped[bool]
    revenue_history: Mapped[list[Any]]
    notes: Mapped[str] = mapped_column(Text)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    located_by: Mapped[str | None] = mapped_column(String(8))


class ContactRow(CustomValues, Synced):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_name", "last_name", "first_name"),)
    entity = EntityKind.CONTACT
    account_id: Mapped[str | None] = mapped_column(String(64), index=True)
    first_name: Mapped[str] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    buying_role: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    mobile: Mapped[str | None] = mapped_column(String(40))
    preferred_channel: Mapped[str | None] = mapped_column(String(16))
    do_not_call: Mapped[bool]
    do_not_email: Mapped[bool]
    do_not_mail: Mapped[bool]
    notes: Mapped[str] = mapped_column(Text)


class ActivityRow(CustomValues, Synced):
    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_account_time", "account_id", "occurred_at"),)
    entity = EntityKind.ACTIVITY
    channel: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int]
    account_id: Mapped[str | None] = mapped_column(String(64))
    contact_ids: Mapped[list[Any]]
    opportunity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    event_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(8), server_default="")
    message_id: Mapped[str] = mapped_column(Text, server_default="", index=True)
    thread_id: Mapped[str] = mapped_column(Text, server_default="", index=True)
    attachments: Mapped[list[Any]] = mapped_column(JSON, server_default="[]")
    travel_km: Mapped[float | None]


class ActivityContactRow(Base):
    """Index of Activity.contact_ids, kept by triggers, for a contact's timeline."""

    __tablename__ = "activity_contacts"
    activity_id: Mapped[str] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class CalendarEventRow(CustomValues, Synced):
    __tablename__ = "calendar_events"
    entity = EntityKind.EVENT
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    all_day: Mapped[bool]
    timezone: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    recurrence: Mapped[str] = mapped_column(String(500))
    exceptions: Mapped[list[Any]]
    extra_dates: Mapped[list[Any]] = mapped_column(JSON, server_default="[]")
    external_uid: Mapped[str] = mapped_column(Text, server_default="", index=True)
    recurrence_id: Mapped[datetime | None]
    attendee_ids: Mapped[list[Any]]
    account_id: Mapped[str | None] = mapped_column(String(64), index=True)
    opportunity_id: Mapped[str | None] = mapped_column(String(64))
    reminder_minutes: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text)
    planned: Mapped[bool] = mapped_column(server_default="0")
    travel_minutes: Mapped[int] = mapped_column(server_default="0")
    travel_km: Mapped[float] = mapped_column(server_default="0")


class EventAttendeeRow(Base):
    """Index of CalendarEvent.attendee_ids, kept by triggers."""

    __tablename__ = "event_attendees"
    event_id: Mapped[str] = mapped_column(
        ForeignKey("calendar_events.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class TaskRow(CustomValues, Synced):
    __tablename__ = "tasks"
    entity = EntityKind.TASK
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(index=True)
    remind_at: Mapped[datetime | None]
    priority: Mapped[str] = mapped_column(String(16))
    done: Mapped[bool]
    completed_at: Mapped[datetime | None]
    account_id: Mapped[str | None] = mapped_column(String(64), index=True)
    contact_id: Mapped[str | None] = mapped_column(String(64))
    opportunity_id: Mapped[str | None] = mapped_column(String(64))
    lead_id: Mapped[str | None] = mapped_column(String(64))


class LeadRow(CustomValues, Synced):
    __tablename__ = "leads"
    entity = EntityKind.LEAD
    first_name: Mapped[str] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(200))
    campaign: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    notes: Mapped[str] = mapped_column(Text)
    disqualify_reason: Mapped[str] = mapped_column(String(200))
    converted_account_id: Mapped[str | None] = mapped_column(String(64))
    converted_contact_id: Mapped[str | None] = mapped_column(String(64))
    converted_opportunity_id: Mapped[str | None] = mapped_column(String(64))


class OpportunityRow(CustomValues, Synced):
    __tablename__ = "opportunities"
    entity = EntityKind.OPPORTUNITY
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    primary_contact_id: Mapped[str | None] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(32), index=True)
    probability: Mapped[int]
    probability_overridden: Mapped[bool]
    forecast_category: Mapped[str] = mapped_column(String(16))
    category_overridden: Mapped[bool]
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    close_date: Mapped[date] = mapped_column(index=True)
    next_step: Mapped[str] = mapped_column(String(200))
    competitor: Mapped[str] = mapped_column(String(200))
    loss_reason: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime | None]


class StageChangeRow(Synced):
    __tablename__ = "stage_changes"
    entity = EntityKind.STAGE_CHANGE
    opportunity_id: Mapped[str] = mapped_column(String(64), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(32))
    to_stage: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime]
    amount: Mapped[int]


class AccountPlanRow(Synced):
    __tablename__ = "account_plans"
    __table_args__ = (UniqueConstraint("account_id", "fiscal_year"),)
    entity = EntityKind.ACCOUNT_PLAN
    account_id: Mapped[str] = mapped_column(String(64))
    fiscal_year: Mapped[int]
    grade: Mapped[str | None] = mapped_column(String(1))
    grade_overridden: Mapped[bool]
    currency: Mapped[str] = mapped_column(String(3))
    revenue_target: Mapped[int]
    share_of_wallet_target: Mapped[int]
    objectives: Mapped[list[Any]]
    key_contacts: Mapped[list[Any]]
    actions: Mapped[list[Any]]
    coverage: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(16))


class ForecastSubmissionRow(Synced):
    __tablename__ = "forecast_submissions"
    entity = EntityKind.FORECAST_SUBMISSION
    period: Mapped[str] = mapped_column(String(16), index=True)
    commit: Mapped[int]
    best_case: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    comment: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime]


class ManagerAdjustmentRow(Synced):
    __tablename__ = "manager_adjustments"
    entity = EntityKind.MANAGER_ADJUSTMENT
    subject_user_id: Mapped[str] = mapped_column(String(64), index=True)
    period: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    comment: Mapped[str] = mapped_column(Text)


class QuotaRow(Synced):
    __tablename__ = "quotas"
    entity = EntityKind.QUOTA
    period: Mapped[str] = mapped_column(String(16), index=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))


class AuditEntryRow(Synced):
    """Who changed what on a record (server-written, pulled; see migration 0005)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_record", "record_id", "at"),)
    entity = EntityKind.AUDIT_ENTRY
    record_entity: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200))
    device_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    changes: Mapped[list[Any]]
    note: Mapped[str] = mapped_column(Text)


class FieldDefinitionRow(Synced):
    """An admin's custom field, pulled from the server (core.entities.FieldDefinition)."""

    __tablename__ = "field_definitions"
    entity = EntityKind.FIELD_DEFINITION
    for_entity: Mapped[str] = mapped_column(String(32), index=True)
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    field_type: Mapped[str] = mapped_column(String(16))
    required: Mapped[bool]
    required_since: Mapped[datetime | None]
    choices: Mapped[list[Any]]
    retired_choices: Mapped[list[Any]]
    minimum: Mapped[float | None] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float)
    default: Mapped[Any] = mapped_column(JSON, nullable=True)
    read_only_for_rep: Mapped[bool]
    position: Mapped[int]
    retired: Mapped[bool]


class OutboxRow(Base):
    """A local write waiting to be pushed, in write order."""

    __tablename__ = "outbox"
    # AUTOINCREMENT: a seq is never reused after the outbox empties (the server dedupes by it).
    __table_args__ = {"sqlite_autoincrement": True}
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mutation_id: Mapped[str] = mapped_column(String(64), unique=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    op: Mapped[str] = mapped_column(String(8))
    fields: Mapped[dict[str, Any]]
    base_version: Mapped[int | None]
    created_at: Mapped[datetime]
    # For a merge: the records folded into `entity_id` (the server re-points their references).
    merged_ids: Mapped[list[Any] | None]


class SyncStateRow(Base):
    """Small key/value facts about this device: signed-in user, pull cursor, device id."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ConflictRow(Base):
    """A value that lost a conflict (or a write the server refused), kept for review."""

    __tablename__ = "conflicts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(64))  # empty for a refused write
    reason: Mapped[str] = mapped_column(Text)
    kept_value: Mapped[Any] = mapped_column(JSON)
    lost_value: Mapped[Any] = mapped_column(JSON)
    detected_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


TABLES: dict[EntityKind, type[Synced]] = {
    cls.entity: cls
    for cls in (
        UserRow,
        AccountRow,
        ContactRow,
        ActivityRow,
        CalendarEventRow,
        TaskRow,
        LeadRow,
        OpportunityRow,
        StageChangeRow,
        AccountPlanRow,
        ForecastSubmissionRow,
        ManagerAdjustmentRow,
        QuotaRow,
        AuditEntryRow,
        FieldDefinitionRow,
    )
}
