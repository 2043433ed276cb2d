"""iCalendar (.ics) export and import of calendar events over the store.

The file format itself (reading VEVENTs, writing them with rule-based VTIMEZONEs) lives in
`interchange.ics_read` / `ics_write`; here the store is asked and written. An import
finds events it made before by their external UID (and a moved occurrence by its
RECURRENCE-ID too), so importing the same file twice makes nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sfa_desktop.core.entities import CalendarEvent, Contact, User
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.interchange.ics_read import BadCalendarFile, read_ics
from sfa_desktop.interchange.ics_write import PRODID, to_ics
from sfa_desktop.operations.result import OpResult, Undo
from sfa_desktop.store import Changes, Store

__all__ = [
    "PRODID",
    "BadCalendarFile",
    "ImportResult",
    "export_events",
    "export_range",
    "import_ics",
    "parse_ics",
    "to_ics",
]


@dataclass(frozen=True)
class ImportResult:
    created: list[CalendarEvent]
    skipped: list[str]  # why each skipped VEVENT was left out
    left_out: tuple[str, ...] = ()  # one line per kind of thing the CRM does not keep

    def summary(self) -> str:
        text = f"Imported {len(self.created)} event{'s' if len(self.created) != 1 else ''}"
        text += f", skipped {len(self.skipped)}" if self.skipped else ""
        return text + (f". Not kept: {'; '.join(self.left_out)}" if self.left_out else "")


def parse_ics(data: bytes, contacts_by_email: Mapping[str, str], zone: str = "UTC") -> list[Any]:
    """Field dicts for CalendarEvent from an .ics file, or a reason string per bad VEVENT."""
    return read_ics(data, contacts_by_email, zone).events


# -- export ------------------------------------------------------------------------------------


def export_events(store: Store, event_ids: Sequence[str]) -> bytes:
    events = store.get_many(CalendarEvent, list(event_ids))
    wanted = list({cid for event in events for cid in event.attendee_ids})
    emails = {c.id: c.email for c in store.get_many(Contact, wanted) if c.email}
    me = store.current_user_id()
    owners = {event.id: event.owner_id or me for event in events if event.attendee_ids}
    users = {u.id: u.email for u in store.get_many(User, [o for o in owners.values() if o])}
    organizers = {eid: users[o] for eid, o in owners.items() if o in users}
    return to_ics(events, emails, organizers)


def export_range(store: Store, start: datetime, end: datetime) -> bytes:
    """Every event (series whole) with an occurrence in [start, end)."""
    from sfa_desktop.core.rules.recurrence import expand_occurrences

    events = [e for e in store.events_between(start, end) if expand_occurrences(e, start, end)]
    return export_events(store, [event.id for event in events])


# -- import ------------------------------------------------------------------------------------


def _existing(store: Store, fields: dict[str, Any]) -> list[CalendarEvent]:
    """Events of the store that are this VEVENT's series (or this moved occurrence)."""
    uid = fields["external_uid"]
    if not uid:
        return []
    linked = store.get_many(CalendarEvent, store.ids(CalendarEvent, where={"external_uid": uid}))
    if fields["recurrence_id"] is None and len(uid) <= 64:
        linked += store.get_many(CalendarEvent, [uid])  # our own export: UID is the id
    return linked


def _same(event: CalendarEvent, fields: dict[str, Any]) -> bool:
    return bool(event.recurrence_id == fields["recurrence_id"])


def import_ics(store: Store, data: bytes, zone: str = "UTC") -> OpResult[ImportResult]:
    """Create an event per VEVENT, attendees matched to contacts by email; undo deletes them
    (and gives series the exceptions they had back)."""
    contacts = {c.email: c.id for c in store.get_many(Contact, store.ids(Contact)) if c.email}
    me = store.current_user_id()
    users = store.get_many(User, [me]) if me else []
    reading = read_ics(data, contacts, zone, users[0].email if users else "")
    created: list[CalendarEvent] = []
    skipped: list[str] = []
    changes = Changes()
    restore: dict[str, tuple[datetime, ...]] = {}  # series given more exceptions
    for fields in reading.events:
        if isinstance(fields, str):
            skipped.append(fields)
            continue
        linked = _existing(store, fields)
        if any(_same(event, fields) for event in linked):
            skipped.append(f"{fields['title']}: already in the calendar")
            continue
        if fields["recurrence_id"] is not None:
            changes |= _skip_in_series(store, linked, fields["recurrence_id"], restore)
        else:
            fields.pop("recurrence_id")
        try:
            saved = store.create(CalendarEvent, fields)
        except InvalidRecord as error:
            skipped.append(f"{fields['title']}: {error}")
            continue
        created.append(saved.value)
        changes |= saved.changes
    ids = [event.id for event in created]

    def remove(s: Store) -> Changes:
        done = Changes()
        for event_id in ids:
            done |= s.delete(CalendarEvent, event_id)
        for event_id, exceptions in restore.items():
            done |= s.update(CalendarEvent, event_id, {"exceptions": exceptions}).changes
        return done

    undo = Undo("import events", (remove,)) if ids or restore else None
    result = ImportResult(created, skipped, tuple(reading.left_out_lines()))
    return OpResult(result, changes, undo)


def _skip_in_series(
    store: Store,
    linked: list[CalendarEvent],
    start: datetime,
    restore: dict[str, tuple[datetime, ...]],
) -> Changes:
    """A series already in the store skips the start a newly imported occurrence replaces."""
    series = next((e for e in linked if e.recurrence_id is None), None)
    if series is None or start in series.exceptions:
        return Changes()
    restore.setdefault(series.id, series.exceptions)
    current = store.get(CalendarEvent, series.id)
    exceptions = (*current.exceptions, start)
    return store.update(CalendarEvent, series.id, {"exceptions": exceptions}).changes
