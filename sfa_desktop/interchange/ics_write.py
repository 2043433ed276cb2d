"""CalendarEvents as an iCalendar (.ics) file that other calendars read as we mean it.

One VEVENT per event, under the UID it has elsewhere (`external_uid`) or its id. A
moved occurrence of a series in the same file is written as that series' VEVENT with a
RECURRENCE-ID (and not as an EXDATE too, which some readers take as "cancelled");
extra dates as RDATE. Each time zone used gets a rule-based VTIMEZONE (`ics_zones`).
STATUS is upper case as RFC 5545 spells it; an event with attendees names its
ORGANIZER (the rep who owns it), as calendars expect of a meeting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vRecur

from sfa_desktop.core.entities import CalendarEvent
from sfa_desktop.core.enums import EventStatus
from sfa_desktop.interchange.ics_zones import vtimezone

PRODID = "-//sfa-desktop//Calendar//EN"


def link_uid(event: CalendarEvent) -> str:
    """The UID an event has outside: the one it came with, else its id."""
    return event.external_uid or event.id


def _moment(event: CalendarEvent, value: datetime) -> datetime | date:
    local = value.astimezone(ZoneInfo(event.timezone))
    return local.date() if event.all_day else local


def status_text(status: EventStatus) -> str:
    """RFC 5545's STATUS of an event (a completed visit was confirmed)."""
    return "CONFIRMED" if status is EventStatus.COMPLETED else status.value.upper()


def _vevent(
    event: CalendarEvent,
    emails: Mapping[str, str],
    organizer: str | None,
    skip: set[datetime],
) -> Event:
    item = Event()
    item.add("uid", link_uid(event))
    item.add("summary", event.title)
    item.add("dtstamp", event.updated_at)
    item.add("dtstart", _moment(event, event.starts_at))
    end = event.ends_at + (timedelta(days=1) if event.all_day else timedelta())
    item.add("dtend", _moment(event, max(end, event.starts_at)))
    if event.location:
        item.add("location", event.location)
    if event.notes:
        item.add("description", event.notes)
    item.add("status", status_text(event.status))
    item.add("x-sfa-channel", event.channel.value)
    if event.recurrence:
        item.add("rrule", vRecur.from_ical(event.recurrence))
    exdates = [when for when in event.exceptions if when not in skip]
    if exdates:
        item.add("exdate", [_moment(event, when) for when in exdates])
    if event.extra_dates:
        item.add("rdate", [_moment(event, when) for when in event.extra_dates])
    attendees = [emails[c] for c in event.attendee_ids if c in emails]
    if attendees and organizer:
        item.add("organizer", vCalAddress(f"mailto:{organizer}"))
    for email in attendees:
        item.add("attendee", vCalAddress(f"mailto:{email}"))
    if event.reminder_minutes is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.title)
        alarm.add("trigger", timedelta(minutes=-event.reminder_minutes))
        item.add_component(alarm)
    return item


def to_ics(
    events: Sequence[CalendarEvent],
    emails: Mapping[str, str],
    organizers: Mapping[str, str] | None = None,
) -> bytes:
    """A VCALENDAR of `events`; attendees as mailto: addresses from `emails` (contact id →
    address), the organizer of each event with attendees from `organizers` (event id →
    address)."""
    organizers = organizers or {}
    series = {link_uid(e): e for e in events if e.recurrence_id is None}
    moved: dict[str, set[datetime]] = {}
    for event in events:
        if event.recurrence_id is not None and event.external_uid in series:
            moved.setdefault(event.external_uid, set()).add(event.recurrence_id)
    items: list[Event] = []
    zones: dict[str, None] = {}
    for event in events:
        master = series.get(event.external_uid) if event.recurrence_id is not None else None
        if event.recurrence_id is not None and master is None:
            # Its series is not in the file: a single event under its own id.
            event = event.model_copy(update={"external_uid": "", "recurrence_id": None})
        skip = moved.get(link_uid(event), set()) if event.recurrence_id is None else set()
        item = _vevent(event, emails, organizers.get(event.id), skip)
        if master is not None and event.recurrence_id is not None:
            item.add("recurrence-id", _moment(master, event.recurrence_id))
            zones[master.timezone] = None
        if not event.all_day:
            zones[event.timezone] = None
        items.append(item)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    for name in zones:
        if name != "UTC":
            calendar.add_component(vtimezone(name))
    for item in items:
        calendar.add_component(item)
    return bytes(calendar.to_ical())
