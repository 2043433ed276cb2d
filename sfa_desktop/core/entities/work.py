"""The activity log, calendar events and tasks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, ClassVar, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from sfa_desktop.core.entities.base import (
    Customisable,
    LongText,
    Name,
    RecordId,
    ShortText,
    UtcDateTime,
    Value,
)
from sfa_desktop.core.enums import Channel, EntityKind, EventStatus, Priority


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory, too long
        raise ValueError(f"unknown time zone {name[:100]!r}") from None
    return name


def _check_rrule(rule: str) -> str:
    rule = rule.strip()
    if rule:
        if rule.upper().startswith("RRULE:"):
            rule = rule[len("RRULE:") :]
        try:
            utc_until = re.search(r"UNTIL=\d{8}(T\d{6})?Z", rule, re.IGNORECASE)
            start = datetime(2000, 1, 1, tzinfo=UTC if utc_until else None)
            rrulestr(rule, dtstart=start)
        except (ValueError, TypeError, OverflowError, IndexError, KeyError, AttributeError) as exc:
            # dateutil's parser fails in many ways on text that is no rule at all
            raise ValueError(f"not a valid RRULE: {str(exc)[:200] or type(exc).__name__}") from None
    return rule


TimeZoneName = Annotated[str, AfterValidator(_check_zone)]
RecurrenceRule = Annotated[str, AfterValidator(_check_rrule)]
# The UID another calendar gave an event (RFC 5545 puts no limit on its length).
ExternalUid = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]
# An email's way: received ("in"), sent ("out"), or "" for an activity that is no email.
EmailDirection = Literal["", "in", "out"]


class Attachment(Value):
    """An attachment of a captured email: its file name and size, never its content."""

    name: ShortText
    size: int = Field(ge=0, le=10**12)


class Activity(Customisable):
    """One logged contact with a customer (insert-mostly)."""

    entity: ClassVar[EntityKind] = EntityKind.ACTIVITY

    channel: Channel
    subject: Name
    notes: LongText = ""
    occurred_at: UtcDateTime
    duration_minutes: int = Field(default=0, ge=0, le=24 * 60)
    account_id: RecordId | None = None
    contact_ids: tuple[RecordId, ...] = ()
    opportunity_id: RecordId | None = None
    event_id: RecordId | None = None
    outcome: ShortText = ""
    # The drive to a visit (the mileage log): km driven, claimed at the per-km rate.
    travel_km: float | None = Field(default=None, ge=0, le=5_000)
    # A captured email: its way, Message-ID, thread (the root Message-ID of its
    # References/In-Reply-To chain) and attachments (names and sizes only).
    direction: EmailDirection = ""
    message_id: ExternalUid = ""
    thread_id: ExternalUid = ""
    attachments: tuple[Attachment, ...] = Field(default=(), max_length=100)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if len(set(self.contact_ids)) != len(self.contact_ids):
            raise ValueError("a contact is listed twice")
        return self


class CalendarEvent(Customisable):
    """A meeting or visit in the calendar, possibly recurring."""

    entity: ClassVar[EntityKind] = EntityKind.EVENT

    title: Name
    starts_at: UtcDateTime
    ends_at: UtcDateTime
    all_day: bool = False
    timezone: TimeZoneName = "UTC"
    location: ShortText = ""
    channel: Channel = Channel.VISIT
    recurrence: RecurrenceRule = ""
    exceptions: tuple[UtcDateTime, ...] = ()  # EXDATE: starts of the series left out
    extra_dates: tuple[UtcDateTime, ...] = ()  # RDATE: starts added to the series
    # The event's link to another calendar: its UID there, and for one moved or changed
    # occurrence of a series (RECURRENCE-ID) the start it replaces; the series (same
    # external_uid, no recurrence_id) lists that start in `exceptions`.
    external_uid: ExternalUid = ""
    recurrence_id: UtcDateTime | None = None
    attendee_ids: tuple[RecordId, ...] = ()
    account_id: RecordId | None = None
    opportunity_id: RecordId | None = None
    reminder_minutes: int | None = Field(default=15, ge=0, le=60 * 24 * 28)
    status: EventStatus = EventStatus.CONFIRMED
    notes: LongText = ""
    # A visit the planner proposed (it may move it when re-planning), and the drive to it.
    planned: bool = False
    travel_minutes: int = Field(default=0, ge=0, le=24 * 60)
    travel_km: float = Field(default=0, ge=0, le=5_000)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.ends_at < self.starts_at:
            raise ValueError("the event ends before it starts")
        if len(set(self.attendee_ids)) != len(self.attendee_ids):
            raise ValueError("an attendee is listed twice")
        if self.recurrence_id is not None and not self.external_uid:
            raise ValueError("a replaced occurrence needs the series' external UID")
        return self


class Task(Customisable):
    """A to-do with an optional due date and reminder."""

    entity: ClassVar[EntityKind] = EntityKind.TASK

    title: Name
    notes: LongText = ""
    due_date: date | None = None
    remind_at: UtcDateTime | None = None
    priority: Priority = Priority.NORMAL
    done: bool = False
    completed_at: UtcDateTime | None = None
    account_id: RecordId | None = None
    contact_id: RecordId | None = None
    opportunity_id: RecordId | None = None
    lead_id: RecordId | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.completed_at is not None and not self.done:
            raise ValueError("an open task cannot have a completion time")
        return self
