"""VEVENTs of an .ics file as CalendarEvent fields, and what the CRM could not keep.

Times are read in the IANA zone their TZID names (Windows names mapped, see
`ics_zones`), so a weekly meeting stays at its wall-clock time across a DST change. The
event keeps its UID as `external_uid`, whatever its length; a VEVENT with a
RECURRENCE-ID (one occurrence moved or changed, as Google and Outlook write it) becomes
an event of its own with that start as `recurrence_id`, and its series skips that start.
RDATE starts are kept as `extra_dates`. A fixed-time alarm becomes minutes before the
start. What an event has and the CRM keeps nowhere (organizer, categories, attendees who
are not contacts, more alarms) is counted by kind in `IcsEvents.left_out`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from sfa_desktop.core.enums import Channel, EventStatus
from sfa_desktop.core.errors import DomainError
from sfa_desktop.interchange.ics_zones import iana_name

_STATUS = {"TENTATIVE": EventStatus.TENTATIVE, "CANCELLED": EventStatus.CANCELLED}
MAX_REMINDER = 60 * 24 * 28  # minutes, as CalendarEvent allows

# What `left_out` counts, and how the import summary says it (one, many).
ORGANIZER = "organizer"
CATEGORIES = "categories"
NOT_CONTACTS = "strangers"
MORE_ALARMS = "more alarms"
LATE_ALARMS = "late alarms"
ZONE_UNKNOWN = "unknown zone"
_SAID = {
    ORGANIZER: ("organizer of 1 event", "organizers of {n} events"),
    CATEGORIES: ("categories of 1 event", "categories of {n} events"),
    NOT_CONTACTS: ("1 attendee who is not a contact", "{n} attendees who are not contacts"),
    MORE_ALARMS: ("1 more alarm (one reminder per event)", "{n} more alarms (one per event)"),
    LATE_ALARMS: ("1 alarm after the start", "{n} alarms after the start"),
    ZONE_UNKNOWN: (
        "1 unknown time zone (times kept, repeated in yours)",
        "{n} unknown time zones (times kept, repeated in yours)",
    ),
}


class BadCalendarFile(DomainError):
    """The file is not an iCalendar file we can read."""


@dataclass
class IcsEvents:
    """Field dicts (or a reason string per VEVENT left out), and what was not kept."""

    events: list[Any] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)

    def left_out_lines(self) -> list[str]:
        """One line per kind of thing left out, with how many."""
        return [
            _SAID[kind][count != 1].format(n=count)
            for kind, count in self.left_out.items()
            if count
        ]


def read_ics(
    data: bytes, contacts_by_email: Mapping[str, str], zone: str = "UTC", me: str = ""
) -> IcsEvents:
    """Every VEVENT of `data`; dates and floating times are placed in `zone`. An organizer
    with the address `me` (the rep importing) is the event's owner: nothing is lost."""
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise BadCalendarFile(f"This is not an iCalendar (.ics) file: {error}") from None
    items = list(calendar.walk("VEVENT"))
    if not items:
        raise BadCalendarFile("The file holds no events (no VEVENT).")
    found = IcsEvents()
    found.events = [
        vevent_fields(item, contacts_by_email, zone, found.left_out, me) for item in items
    ]
    _skip_overridden(found.events)
    return found


def _skip_overridden(events: list[Any]) -> None:
    """A series skips the starts its moved occurrences (same UID) replace."""
    moved: dict[str, set[datetime]] = {}
    for fields in events:
        if isinstance(fields, dict) and fields.get("recurrence_id") is not None:
            moved.setdefault(fields["external_uid"], set()).add(fields["recurrence_id"])
    for fields in events:
        if isinstance(fields, dict) and fields.get("recurrence_id") is None:
            replaced = moved.get(fields["external_uid"], set())
            fields["exceptions"] = tuple(sorted({*fields["exceptions"], *replaced}))


def _zone_of(prop: Any, default: str, left_out: Counter[str] | None = None) -> str:
    """The IANA zone of a date-time property: its TZID mapped, UTC, or `default`."""
    value = prop.dt
    tzid = prop.params.get("TZID")
    if tzid:
        name = iana_name(str(tzid))
        if name is None and left_out is not None:
            left_out[ZONE_UNKNOWN] += 1
        return name or default
    if isinstance(value, datetime) and value.tzinfo is not None:
        return getattr(value.tzinfo, "key", None) or "UTC"
    return default


def _instant(value: date | datetime, zone: str, tzid: Any = None) -> datetime:
    """A DATE or DATE-TIME as an aware datetime; wall times with a known zone are read in
    that zone (not in the file's VTIMEZONE), the rest keep the instant icalendar read."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), ZoneInfo(zone))
    if value.tzinfo is None or (tzid and iana_name(str(tzid))):
        return value.replace(tzinfo=ZoneInfo(zone))
    return value


def _instants(prop: Any, zone: str) -> list[datetime]:
    """The UTC instants of an EXDATE/RDATE property (one or a list; a PERIOD's start)."""
    found = []
    for item in _as_list(prop):
        tzid = item.params.get("TZID")
        item_zone = (iana_name(str(tzid)) or zone) if tzid else zone
        for value in item.dts:
            when = value.dt[0] if isinstance(value.dt, tuple) else value.dt
            found.append(_instant(when, item_zone, tzid).astimezone(UTC))
    return found


def _original_start(prop: Any, zone: str) -> datetime | None:
    """The UTC start a RECURRENCE-ID names (None for a series or a single event)."""
    if prop is None:
        return None
    own_zone = _zone_of(prop, zone)
    return _instant(prop.dt, own_zone, prop.params.get("TZID")).astimezone(UTC)


def _address(value: Any) -> str:
    """The email address of an ORGANIZER or ATTENDEE ("" if none)."""
    if value is None:
        return ""
    text = str(value).strip()
    return text[7:].strip().lower() if text[:7].lower() == "mailto:" else text.lower()


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _reminder(item: Any, starts: datetime, ends: datetime, left_out: Counter[str]) -> int | None:
    """Minutes before the start of the first alarm at or before the start."""
    minutes: list[int] = []
    for alarm in item.walk("VALARM"):
        trigger = alarm.get("trigger")
        if trigger is None:
            continue
        if isinstance(trigger.dt, timedelta):
            related_end = str(trigger.params.get("RELATED", "START")).upper() == "END"
            moment = (ends if related_end else starts) + trigger.dt
        else:  # a fixed time (TRIGGER;VALUE=DATE-TIME)
            moment = _instant(trigger.dt, "UTC")
        before = int((starts - moment).total_seconds() // 60)
        if 0 <= before <= MAX_REMINDER:
            minutes.append(before)
        else:
            left_out[LATE_ALARMS] += 1
    if len(minutes) > 1:
        left_out[MORE_ALARMS] += len(minutes) - 1
    return minutes[0] if minutes else None


def _times(item: Any, start_prop: Any, zone: str) -> tuple[datetime, datetime, bool]:
    start_value = start_prop.dt
    all_day = not isinstance(start_value, datetime)
    starts = _instant(start_value, zone, start_prop.params.get("TZID"))
    end_prop = item.get("dtend")
    if end_prop is not None:
        end_zone = _zone_of(end_prop, zone)
        ends = _instant(end_prop.dt, end_zone, end_prop.params.get("TZID"))
    elif item.get("duration") is not None:
        ends = starts + item.get("duration").dt
    else:
        ends = starts + (timedelta(days=1) if all_day else timedelta())
    if all_day:
        ends = max(starts, ends - timedelta(days=1))
    return starts, max(starts, ends), all_day


def vevent_fields(
    item: Any,
    contacts: Mapping[str, str],
    default_zone: str,
    left_out: Counter[str],
    me: str = "",
) -> Any:
    """CalendarEvent fields of one VEVENT, or the reason it cannot be one."""
    title = str(item.get("summary", "")).strip() or "(no title)"
    start_prop = item.get("dtstart")
    if start_prop is None:
        return f"{title}: no start time"
    zone = _zone_of(start_prop, default_zone, left_out)
    starts, ends, all_day = _times(item, start_prop, zone)
    emails = [_address(a) for a in _as_list(item.get("attendee"))]
    attendees = list(dict.fromkeys(contacts[e] for e in emails if e in contacts))
    organizer = _address(item.get("organizer"))
    strangers = {e for e in emails if e and e not in contacts and e not in (organizer, me)}
    if strangers:
        left_out[NOT_CONTACTS] += len(strangers)
    if organizer and organizer != me.lower():
        left_out[ORGANIZER] += 1
    if item.get("categories") is not None:
        left_out[CATEGORIES] += 1
    channel = str(item.get("x-sfa-channel", Channel.VISIT.value))
    recurrence_id = item.get("recurrence-id")
    rule = item.get("rrule")
    return {
        "title": title[:200],
        "starts_at": starts,
        "ends_at": ends,
        "all_day": all_day,
        "timezone": zone,
        "location": str(item.get("location", ""))[:200],
        "notes": str(item.get("description", "")),
        "channel": channel if channel in Channel.__members__.values() else Channel.VISIT,
        "recurrence": rule.to_ical().decode() if rule and recurrence_id is None else "",
        "exceptions": tuple(_instants(item.get("exdate"), zone)),
        "extra_dates": tuple(_instants(item.get("rdate"), zone)),
        "attendee_ids": tuple(attendees),
        "reminder_minutes": _reminder(item, starts, ends, left_out),
        "status": _STATUS.get(str(item.get("status", "")).upper(), EventStatus.CONFIRMED),
        "external_uid": str(item.get("uid", "")).strip(),
        "recurrence_id": _original_start(recurrence_id, zone),
    }
