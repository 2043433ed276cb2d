"""Write CRM events into a calendar object (one UID: the series, its overrides and extra
dates). An object the server holds is patched: only the properties whose values differ
are rewritten, so what the CRM does not model (other alarms, categories, attendees'
answers, X- properties) stays as the calendar app wrote it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vRecur

from sfa_desktop.connectors.calendar.event_values import (
    Values,
    channel_of,
    key,
    of_component,
    zone_of,
)
from sfa_desktop.interchange.ics_zones import is_iana, vtimezone

PRODID = "-//sfa-desktop//Calendar sync//EN"
_WHEN = ("starts_at", "ends_at", "all_day", "timezone")


@dataclass(frozen=True)
class Instance:
    """One CRM event in an object: the series ("" key) or one replaced occurrence of it
    (its key is the UTC start it replaces)."""

    key: str
    values: Values
    attendees: Sequence[str] = ()
    channel: str = ""


def parse(data: str) -> Calendar:
    return Calendar.from_ical(data)


def components(calendar: Calendar) -> dict[str, Any]:
    """The VEVENTs of an object by instance key ("" for the series or a single event)."""
    events = list(calendar.walk("VEVENT"))
    master = next((e for e in events if e.get("recurrence-id") is None), None)
    start = master.get("dtstart") if master is not None else None
    zone = zone_of(cast(Any, start).dt, "UTC") if start is not None else "UTC"
    found: dict[str, Any] = {}
    for event in events:
        rid = event.get("recurrence-id")
        found["" if rid is None else key(rid.dt, zone)] = event
    return found


def _moment(value: str, values: Values, as_date: bool) -> datetime | date:
    local = datetime.fromisoformat(value).astimezone(ZoneInfo(values["timezone"]))
    return local.date() if as_date else local


def _set(component: Any, name: str, value: Any) -> None:
    component.pop(name, None)
    if value not in (None, "", []):
        component.add(name, value)


def _write_when(component: Any, values: Values) -> None:
    all_day = values["all_day"]
    start = _moment(values["starts_at"], values, all_day)
    end_value = datetime.fromisoformat(values["ends_at"]) + timedelta(days=1 if all_day else 0)
    _set(component, "dtstart", start)
    component.pop("duration", None)
    _set(component, "dtend", _moment(end_value.isoformat(), values, all_day))


def _write_alarm(component: Any, values: Values) -> None:
    kept = [
        alarm
        for alarm in component.subcomponents
        if alarm.name == "VALARM" and not isinstance(alarm.get("trigger").dt, timedelta)
    ]
    component.subcomponents = [c for c in component.subcomponents if c.name != "VALARM"] + kept
    minutes = values["reminder_minutes"]
    if minutes is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", values["title"])
        alarm.add("trigger", timedelta(minutes=-minutes))
        component.add_component(alarm)


def _write_field(component: Any, name: str, values: Values, skipped: set[str]) -> None:
    if name == "title":
        _set(component, "summary", values["title"])
    elif name == "location":
        _set(component, "location", values["location"])
    elif name == "notes":
        _set(component, "description", values["notes"])
    elif name == "status":
        _set(component, "status", values["status"].upper())
    elif name == "recurrence":
        rule = values["recurrence"]
        _set(component, "rrule", vRecur.from_ical(rule) if rule else None)
    elif name == "exceptions":
        kept = [when for when in values["exceptions"] if when not in skipped]
        dates = [_moment(when, values, values["all_day"]) for when in kept]
        _set(component, "exdate", dates or None)
    elif name == "extra_dates":
        dates = [_moment(when, values, values["all_day"]) for when in values["extra_dates"]]
        _set(component, "rdate", dates or None)
    elif name == "reminder_minutes":
        _write_alarm(component, values)


def _write(
    component: Any, instance: Instance, old: Values | None, overridden: set[str], force: bool
) -> None:
    """Rewrite the properties of `component` whose values differ from `old` (and the
    series' EXDATE when `force`: its replaced occurrences changed)."""
    values = instance.values
    changed = [name for name in values if old is None or old.get(name) != values[name]]
    if force and "exceptions" not in changed:
        changed.append("exceptions")
    if any(name in _WHEN for name in changed):
        _write_when(component, values)
    for name in changed:
        if name not in _WHEN:
            _write_field(component, name, values, overridden)
    if instance.channel and component.get("x-sfa-channel") is None:
        component.add("x-sfa-channel", instance.channel)
    if instance.attendees and component.get("attendee") is None:
        for email in instance.attendees:
            component.add("attendee", vCalAddress(f"mailto:{email}"))
    if changed:
        component.pop("dtstamp", None)
        component.add("dtstamp", datetime.now(UTC))
        sequence = int(component.get("sequence", 0)) + (1 if old is not None else 0)
        _set(component, "sequence", sequence)


def _old_values(component: Any, zone: str, overridden: list[str]) -> Values | None:
    try:
        return of_component(component, zone, overridden)
    except ValueError:  # InvalidRecord: a component the CRM could not read is rewritten
        return None


def write_object(data: str | None, uid: str, instances: Sequence[Instance]) -> str:
    """The object `data` (None: a new one) with `instances` written into it; VEVENTs of
    instances no longer listed are dropped (their starts stay excluded from the series)."""
    calendar = parse(data) if data else _new_calendar()
    found_zones = list(calendar.subcomponents)
    found = components(calendar)
    series = next((i for i in instances if not i.key), None)
    zone = series.values["timezone"] if series else "UTC"
    as_date = bool(series and series.values["all_day"])
    overrides = {i.key for i in instances if i.key}
    keep: list[Any] = []
    for instance in instances:
        component = found.get(instance.key)
        old = None
        if component is not None:
            extra = sorted(k for k in found if k) if not instance.key else []
            old = _old_values(component, zone, extra)
        else:
            component = Event()
            component.add("uid", uid)
            if instance.key:
                component.add("recurrence-id", _moment(instance.key, {"timezone": zone}, as_date))
        series_side = not instance.key
        force = series_side and {k for k in found if k} != overrides
        _write(component, instance, old, overrides if series_side else set(), force)
        keep.append(component)
    others = [c for c in calendar.subcomponents if c.name not in ("VEVENT", "VTIMEZONE")]
    calendar.subcomponents = others + keep
    _zones(calendar, [c for c in found_zones if c.name == "VTIMEZONE"])
    return str(calendar.to_ical().decode())


def _zones(calendar: Calendar, had: list[Any]) -> None:
    """One VTIMEZONE per TZID the events use, first: the object's own where it had one,
    else the rule-based one the .ics export writes."""
    used = calendar.get_used_tzids() - {"UTC"}
    own = {str(zone.get("tzid")): zone for zone in had}
    zones = [own[name] if name in own else _vtimezone(name) for name in sorted(used)]
    calendar.subcomponents = [z for z in zones if z is not None] + calendar.subcomponents


@lru_cache(maxsize=64)
def _vtimezone(name: str) -> Any:
    """Built once per zone (building one takes milliseconds; a first sync writes thousands)."""
    return vtimezone(name) if is_iana(name) else None


def _new_calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    return calendar


@dataclass(frozen=True)
class Remote:
    """An instance as the server's object has it; `channel` from X-SFA-CHANNEL."""

    values: Values
    channel: str


def read_object(data: str, zone_hint: str) -> dict[str, Remote]:
    """Every instance of a server object by key, in the CRM's form: the series (its
    exceptions include the replaced occurrences) and each replaced occurrence.
    ValueError (InvalidRecord) when the CRM cannot hold one of them."""
    found = components(parse(data))
    master = found.get("")
    out: dict[str, Remote] = {}
    if master is not None:
        overridden = sorted(k for k in found if k)
        out[""] = Remote(of_component(master, zone_hint, overridden), channel_of(master).value)
        zone_hint = out[""].values["timezone"]
    for when, component in found.items():
        if when:
            values = of_component(component, zone_hint, [])
            values = {**values, "recurrence": "", "exceptions": [], "extra_dates": []}
            out[when] = Remote(values, channel_of(component).value)
    return out
