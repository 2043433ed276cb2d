"""Calendar writes: save, move/resize, edit one occurrence or the series, complete a visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sfa_desktop.core.entities import Account, Activity, CalendarEvent, Contact, Opportunity
from sfa_desktop.core.enums import Channel as EventChannel
from sfa_desktop.core.enums import EventStatus
from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.operations.records import create_record, update_record
from sfa_desktop.operations.result import OpResult, Undo
from sfa_desktop.store import Changes, Store

_SERIES_ONLY = ("recurrence", "exceptions", "extra_dates", "external_uid", "recurrence_id")
_COPY_EXCLUDE = {"id", "created_at", "updated_at", "version", *_SERIES_ONLY}


class Scope(StrEnum):
    """Which part of a recurring event an edit applies to."""

    OCCURRENCE = "occurrence"
    SERIES = "series"


def save_event(
    store: Store, event_id: str | None, fields: dict[str, Any]
) -> OpResult[CalendarEvent]:
    """Create an event (event_id None) or change fields of one (the whole series)."""
    if event_id is None:
        return create_record(store, CalendarEvent, fields)
    return update_record(store, CalendarEvent, event_id, fields)


def detach_occurrence(
    store: Store, event_id: str, occurrence_start: datetime, fields: dict[str, Any]
) -> OpResult[CalendarEvent]:
    """Edit one occurrence of a series: skip it in the series and make a standalone event."""
    master = store.get(CalendarEvent, event_id)
    duration = master.ends_at - master.starts_at
    base = master.model_dump(exclude=_COPY_EXCLUDE)
    data = {**base, "starts_at": occurrence_start, "ends_at": occurrence_start + duration}
    data.update({k: v for k, v in fields.items() if k not in _SERIES_ONLY})
    if master.external_uid:  # it replaces that occurrence in the other calendar too
        data.update(external_uid=master.external_uid, recurrence_id=occurrence_start)
    exceptions = (*master.exceptions, occurrence_start)
    changes = store.update(CalendarEvent, event_id, {"exceptions": exceptions}).changes
    saved = store.create(CalendarEvent, data)
    made = saved.value.id
    previous = master.exceptions

    def undo(s: Store) -> Changes:
        done = s.delete(CalendarEvent, made)
        return done | s.update(CalendarEvent, event_id, {"exceptions": previous}).changes

    return OpResult(saved.value, changes | saved.changes, Undo("edit occurrence", (undo,)))


def edit_occurrence(
    store: Store, occurrence: Occurrence, fields: dict[str, Any], scope: Scope
) -> OpResult[CalendarEvent]:
    """Apply `fields` to this occurrence only, or to the whole series."""
    event = occurrence.event
    if occurrence.is_recurring and scope is Scope.OCCURRENCE:
        return detach_occurrence(store, event.id, occurrence.starts_at, fields)
    if occurrence.is_recurring and "starts_at" in fields and "ends_at" in fields:
        # The form shows this occurrence's times: move the series by the same amount.
        moved = fields["starts_at"] - occurrence.starts_at
        length = fields["ends_at"] - fields["starts_at"]
        fields = {**fields, "starts_at": event.starts_at + moved}
        fields["ends_at"] = fields["starts_at"] + length
        if moved:
            for key in ("exceptions", "extra_dates"):
                fields.setdefault(key, tuple(when + moved for when in getattr(event, key)))
    return save_event(store, event.id, fields)


def reschedule(
    store: Store, occurrence: Occurrence, starts_at: datetime, ends_at: datetime, scope: Scope
) -> OpResult[CalendarEvent]:
    """Move or resize an occurrence by mouse; for the series, shift the master by the same."""
    event = occurrence.event
    if occurrence.is_recurring and scope is Scope.OCCURRENCE:
        fields = {"starts_at": starts_at, "ends_at": ends_at}
        return detach_occurrence(store, event.id, occurrence.starts_at, fields)
    moved = starts_at - occurrence.starts_at
    stretched = (ends_at - starts_at) - (occurrence.ends_at - occurrence.starts_at)
    changes: dict[str, Any] = {
        "starts_at": event.starts_at + moved,
        "ends_at": event.ends_at + moved + stretched,
    }
    for key in ("exceptions", "extra_dates"):
        if getattr(event, key) and moved:
            changes[key] = tuple(when + moved for when in getattr(event, key))
    return update_record(store, CalendarEvent, event.id, changes)


def complete_visit(
    store: Store,
    occurrence: Occurrence,
    outcome: str = "",
    notes: str = "",
    travel_km: float | None = None,
) -> OpResult[Activity]:
    """Log the Activity of a held visit and mark the event (or this occurrence) completed.

    A visit records the drive to it in the mileage log: `travel_km`, or else the km the
    planner estimated for the event."""
    event = occurrence.event
    completed = {"status": EventStatus.COMPLETED}
    if occurrence.is_recurring:
        marked = detach_occurrence(store, event.id, occurrence.starts_at, completed)
    else:
        marked = update_record(store, CalendarEvent, event.id, completed)
    minutes = (occurrence.ends_at - occurrence.starts_at) // timedelta(minutes=1)
    saved = store.log_activity(
        {
            "channel": event.channel,
            "subject": event.title,
            "notes": notes or event.notes,
            "outcome": outcome,
            "occurred_at": occurrence.starts_at,
            "duration_minutes": min(max(minutes, 0), 24 * 60),
            "account_id": event.account_id,
            "contact_ids": event.attendee_ids,
            "opportunity_id": event.opportunity_id,
            "event_id": marked.value.id,
            "travel_km": _driven(event, travel_km),
        }
    )
    activity_id = saved.value.id
    assert marked.undo is not None

    def undo(s: Store) -> Changes:
        return s.delete(Activity, activity_id) | marked.undo.apply(s)  # type: ignore[union-attr]

    changes = marked.changes | saved.changes
    return OpResult(saved.value, changes, Undo("complete visit", (undo,)))


def _driven(event: CalendarEvent, travel_km: float | None) -> float | None:
    if travel_km is not None:
        return round(travel_km, 1)
    if event.channel is EventChannel.VISIT and event.travel_km > 0:
        return event.travel_km
    return None


@dataclass(frozen=True)
class EventContext:
    """What the event dialog offers: the account's name, contacts and open deals."""

    account_name: str
    contacts: list[Contact]  # the account's contacts plus the attendees from elsewhere
    opportunities: list[Opportunity]


def load_context(
    store: Store, account_id: str | None, attendee_ids: tuple[str, ...]
) -> EventContext:
    name, contacts, opportunities = "", [], []
    if account_id:
        name = store.get(Account, account_id).name
        contacts = store.get_many(Contact, store.contact_ids(account_id=account_id))
        ids = store.ids(Opportunity, where={"account_id": account_id}, sort="close_date")
        opportunities = [o for o in store.get_many(Opportunity, ids) if o.is_open]
    known = {c.id for c in contacts}
    contacts += store.get_many(Contact, [i for i in attendee_ids if i not in known])
    return EventContext(name, contacts, opportunities)
