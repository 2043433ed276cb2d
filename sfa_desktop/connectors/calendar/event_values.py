"""The calendar fields both sides share, as comparable JSON values: from a CRM event, and
from a VEVENT (the `icalendar` library) read the way the CRM stores events."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import vRecur
from icalendar.timezone import tzid_from_dt

from sfa_desktop.core.entities import CalendarEvent
from sfa_desktop.core.enums import Channel, EventStatus
from sfa_desktop.core.errors import InvalidRecord

# What a calendar shows and may change; the rest (account, deal, attendees, channel) is
# the CRM's own and travels only from the CRM (attendees, X-SFA-CHANNEL).
SHARED = (
    "title",
    "starts_at",
    "ends_at",
    "all_day",
    "timezone",
    "location",
    "notes",
    "recurrence",
    "exceptions",
    "extra_dates",
    "reminder_minutes",
    "status",
)
Values = dict[str, Any]


def canonical_rule(rule: str) -> str:
    """An RRULE in one spelling (part order, case), so equal rules compare equal."""
    rule = rule.strip().removeprefix("RRULE:").removeprefix("rrule:")
    if not rule:
        return ""
    try:
        return str(vRecur.from_ical(rule).to_ical().decode())
    except ValueError:
        return rule


def of_event(event: CalendarEvent) -> Values:
    """The shared fields of a CRM event (a completed visit shows as confirmed)."""
    data = event.data_fields()
    values = {name: data[name] for name in SHARED}
    values["recurrence"] = canonical_rule(event.recurrence)
    values["exceptions"] = sorted(set(values["exceptions"]))
    values["extra_dates"] = sorted(set(values["extra_dates"]))
    if event.status is EventStatus.COMPLETED:
        values["status"] = EventStatus.CONFIRMED.value
    return values


def zone_of(value: datetime | date, fallback: str) -> str:
    """The IANA zone a DTSTART is in (Windows names mapped by icalendar), else `fallback`
    (floating times and dates)."""
    tzinfo = getattr(value, "tzinfo", None)
    if tzinfo is None:
        return fallback
    name = getattr(tzinfo, "key", None) or tzid_from_dt(value)  # type: ignore[arg-type]
    try:
        ZoneInfo(name or "")
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return str(name)


def instant(value: datetime | date, zone: str) -> datetime:
    """A DTSTART/EXDATE/RECURRENCE-ID value as a UTC instant (dates at midnight in `zone`,
    floating times as wall time there)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


def key(value: datetime | date, zone: str) -> str:
    """A recurrence instance's key: its UTC instant in ISO form."""
    return iso(instant(value, zone))


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _reminder(component: Any) -> int | None:
    for alarm in component.walk("VALARM"):
        trigger = alarm.get("trigger")
        if trigger is None or not isinstance(trigger.dt, timedelta):
            continue
        if str(trigger.params.get("RELATED", "START")).upper() != "START":
            continue
        if trigger.dt <= timedelta():
            return min(int(-trigger.dt.total_seconds() // 60), 60 * 24 * 28)
    return None


def _values_list(prop: Any) -> list[Any]:
    if prop is None:
        return []
    found = [
        value.dt for item in (prop if isinstance(prop, list) else [prop]) for value in item.dts
    ]
    return [value[0] if isinstance(value, tuple) else value for value in found]  # PERIOD: start


def of_component(component: Any, zone_hint: str, extra_exceptions: list[str]) -> Values:
    """The shared fields of a VEVENT as the CRM would store them. `zone_hint` places dates
    and floating times; `extra_exceptions` are the series' overridden instances (the CRM
    skips them in the series and keeps each as an event of its own, with the series'
    UID and the start it replaces). InvalidRecord when the CRM cannot hold it (no start,
    a rule it cannot read)."""
    start_prop = component.get("dtstart")
    if start_prop is None:
        raise InvalidRecord("event", {"starts_at": "is required"})
    start_value = start_prop.dt
    all_day = not isinstance(start_value, datetime)
    zone = zone_of(start_value, zone_hint)
    starts = instant(start_value, zone)
    end_prop = component.get("dtend")
    if end_prop is not None:
        ends = instant(end_prop.dt, zone)
    elif component.get("duration") is not None:
        ends = starts + component.get("duration").dt
    else:
        ends = starts + (timedelta(days=1) if all_day else timedelta())
    if all_day:  # the CRM keeps the last day's start, not the exclusive end
        ends = max(starts, ends - timedelta(days=1))
    ends = max(ends, starts)
    exdates = [key(value, zone) for value in _values_list(component.get("exdate"))]
    status = str(component.get("status", "CONFIRMED")).lower()
    rule = component.get("rrule")
    fields = {
        "title": str(component.get("summary", "")).strip()[:200] or "(no title)",
        "starts_at": starts,
        "ends_at": ends,
        "all_day": all_day,
        "timezone": zone,
        "location": str(component.get("location", "")).strip()[:200],
        "notes": str(component.get("description", ""))[:20_000],
        "recurrence": canonical_rule(rule.to_ical().decode()) if rule else "",
        "exceptions": sorted({*exdates, *extra_exceptions}),
        "extra_dates": rdate_keys(component, zone),
        "reminder_minutes": _reminder(component),
        "status": status if status in {s.value for s in EventStatus} else "confirmed",
    }
    event = CalendarEvent.parse(fields)  # the CRM's own checks; values in its form
    return of_event(event)


def channel_of(component: Any) -> Channel:
    """X-SFA-CHANNEL written by the CRM, else "event" (an appointment from the calendar)."""
    value = str(component.get("x-sfa-channel", Channel.EVENT.value)).lower()
    return Channel(value) if value in {c.value for c in Channel} else Channel.EVENT


def rdate_keys(component: Any, zone: str) -> list[str]:
    """The extra dates (RDATE) of a master component, as instance keys."""
    return [key(value, zone) for value in _values_list(component.get("rdate"))]
