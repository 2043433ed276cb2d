"""iCalendar (.ics) export and import of calendar events (the `icalendar` library)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vRecur

from sfa_desktop.core.entities import CalendarEvent, Contact
from sfa_desktop.core.enums import Channel, EventStatus
from sfa_desktop.core.errors import DomainError, InvalidRecord
from sfa_desktop.operations.result import OpResult, Undo
from sfa_desktop.store import Changes, Store

PRODID = "-//sfa-desktop//Calendar//EN"
_STATUS = {"TENTATIVE": EventStatus.TENTATIVE, "CANCELLED": EventStatus.CANCELLED}


class BadCalendarFile(DomainError):
    """The file is not an iCalendar file we can read."""


@dataclass(frozen=True)
class ImportResult:
    created: list[CalendarEvent]
    skipped: list[str]  # why each skipped VEVENT was left out

    def summary(self) -> str:
        text = f"Imported {len(self.created)} event{'s' if len(self.created) != 1 else ''}"
        return text + (f", skipped {len(self.skipped)}" if self.skipped else "")


# -- pure conversion -----------------------------------------------------------------------


def _moment(event: CalendarEvent, value: datetime) -> datetime | date:
    local = value.astimezone(ZoneInfo(event.timezone))
    return local.date() if event.all_day else local


def to_ics(events: Sequence[CalendarEvent], emails: Mapping[str, str]) -> bytes:
    """A VCALENDAR with one VEVENT per event; attendees as mailto: addresses from `emails`."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    for event in events:
        item = Event()
        item.add("uid", event.id)
        item.add("summary", event.title)
        item.add("dtstamp", event.updated_at)
        item.add("dtstart", _moment(event, event.starts_at))
        end = event.ends_at + (timedelta(days=1) if event.all_day else timedelta())
        item.add("dtend", _moment(event, max(end, event.starts_at)))
        if event.location:
            item.add("location", event.location)
        if event.notes:
            item.add("description", event.notes)
        item.add("status", "CONFIRMED" if event.status.value == "completed" else event.status.value)
        item.add("x-sfa-channel", event.channel.value)
        if event.recurrence:
            item.add("rrule", vRecur.from_ical(event.recurrence))
        if event.exceptions:
            item.add("exdate", [_moment(event, when) for when in event.exceptions])
        for contact_id in event.attendee_ids:
            if contact_id in emails:
                item.add("attendee", vCalAddress(f"mailto:{emails[contact_id]}"))
        if event.reminder_minutes is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", event.title)
            alarm.add("trigger", timedelta(minutes=-event.reminder_minutes))
            item.add_component(alarm)
        calendar.add_component(item)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _aware(value: datetime | date, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), zone)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def parse_ics(data: bytes, contacts_by_email: Mapping[str, str], zone: str = "UTC") -> list[Any]:
    """Field dicts for CalendarEvent from an .ics file, or a reason string per bad VEVENT."""
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise BadCalendarFile(f"This is not an iCalendar (.ics) file: {error}") from None
    items = list(calendar.walk("VEVENT"))
    if not items:
        raise BadCalendarFile("The file holds no events (no VEVENT).")
    return [_event_fields(item, contacts_by_email, zone) for item in items]


def _event_fields(item: Any, contacts: Mapping[str, str], default_zone: str) -> Any:
    title = str(item.get("summary", "")).strip() or "(no title)"
    start_prop = item.get("dtstart")
    if start_prop is None:
        return f"{title}: no start time"
    start_value = start_prop.dt
    all_day = not isinstance(start_value, datetime)
    tzinfo = getattr(start_value, "tzinfo", None)
    zone_name = getattr(tzinfo, "key", None) or ("UTC" if tzinfo is not None else default_zone)
    zone = ZoneInfo(zone_name)
    starts = _aware(start_value, zone)
    end_prop = item.get("dtend")
    if end_prop is not None:
        ends = _aware(end_prop.dt, zone)
    elif item.get("duration") is not None:
        ends = starts + item.get("duration").dt
    else:
        ends = starts + (timedelta(days=1) if all_day else timedelta())
    if all_day:
        ends = max(starts, ends - timedelta(days=1))
    exceptions = [
        _aware(value.dt, zone).astimezone(UTC)
        for exdate in _list(item.get("exdate"))
        for value in exdate.dts
    ]
    emails = [
        str(a).removeprefix("mailto:").removeprefix("MAILTO:").lower()
        for a in _list(item.get("attendee"))
    ]
    attendees = list(dict.fromkeys(contacts[e] for e in emails if e in contacts))
    reminder = None
    for alarm in item.walk("VALARM"):
        trigger = alarm.get("trigger")
        if trigger is not None and isinstance(trigger.dt, timedelta) and trigger.dt <= timedelta():
            reminder = int(-trigger.dt.total_seconds() // 60)
            break
    channel = str(item.get("x-sfa-channel", Channel.VISIT.value))
    uid = str(item.get("uid", ""))
    fields: dict[str, Any] = {
        "title": title[:200],
        "starts_at": starts,
        "ends_at": ends,
        "all_day": all_day,
        "timezone": zone_name,
        "location": str(item.get("location", ""))[:200],
        "notes": str(item.get("description", "")),
        "channel": channel if channel in Channel.__members__.values() else Channel.VISIT,
        "recurrence": item.get("rrule").to_ical().decode() if item.get("rrule") else "",
        "exceptions": tuple(exceptions),
        "attendee_ids": tuple(attendees),
        "reminder_minutes": reminder,
        "status": _STATUS.get(str(item.get("status", "")).upper(), EventStatus.CONFIRMED),
    }
    if uid and len(uid) <= 64:
        fields["id"] = uid
    return fields


# -- operations over the store ---------------------------------------------------------------


def export_events(store: Store, event_ids: Sequence[str]) -> bytes:
    events = store.get_many(CalendarEvent, list(event_ids))
    wanted = list({cid for event in events for cid in event.attendee_ids})
    emails = {c.id: c.email for c in store.get_many(Contact, wanted) if c.email}
    return to_ics(events, emails)


def export_range(store: Store, start: datetime, end: datetime) -> bytes:
    """Every event (series whole) with an occurrence in [start, end)."""
    from sfa_desktop.core.rules.recurrence import expand_occurrences

    events = [e for e in store.events_between(start, end) if expand_occurrences(e, start, end)]
    return export_events(store, [event.id for event in events])


def import_ics(store: Store, data: bytes, zone: str = "UTC") -> OpResult[ImportResult]:
    """Create an event per VEVENT, attendees matched to contacts by email; undo deletes them."""
    contacts = {c.email: c.id for c in store.get_many(Contact, store.ids(Contact)) if c.email}
    created: list[CalendarEvent] = []
    skipped: list[str] = []
    changes = Changes()
    for fields in parse_ics(data, contacts, zone):
        if isinstance(fields, str):
            skipped.append(fields)
            continue
        if "id" in fields and store.get_many(CalendarEvent, [fields["id"]]):
            skipped.append(f"{fields['title']}: already in the calendar")
            continue
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
        return done

    undo = Undo("import events", (remove,)) if ids else None
    return OpResult(ImportResult(created, skipped), changes, undo)
