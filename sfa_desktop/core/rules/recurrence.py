"""Recurring events: expand an RRULE in the event's own time zone, skipping exceptions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from sfa_desktop.core.entities.work import CalendarEvent

_UNTIL = re.compile(r"UNTIL=(\d{8})(T(\d{6}))?(Z?)", re.IGNORECASE)
# Safety net: never produce more than this many occurrences for one window.
MAX_OCCURRENCES = 5_000


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a (possibly recurring) event, in UTC."""

    event: CalendarEvent
    starts_at: datetime
    ends_at: datetime

    @property
    def is_recurring(self) -> bool:
        return bool(self.event.recurrence or self.event.extra_dates)

    @property
    def key(self) -> tuple[str, datetime]:
        return self.event.id, self.starts_at


def _aware_until(rule: str, zone: ZoneInfo) -> str:
    """RFC 5545 wants UNTIL in UTC; read a floating UNTIL as wall time in the event's zone."""

    def fix(match: re.Match[str]) -> str:
        day, _, clock, utc = match.groups()
        if utc:
            return match.group(0)
        when = datetime.strptime(day + (clock or "235959"), "%Y%m%d%H%M%S").replace(tzinfo=zone)
        return "UNTIL=" + when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    return _UNTIL.sub(fix, rule)


def series_rule(event: CalendarEvent) -> rrule:
    """The event's rule anchored at its start as wall-clock time in its time zone."""
    zone = ZoneInfo(event.timezone)
    start = event.starts_at.astimezone(zone)
    rule = rrulestr(_aware_until(event.recurrence, zone), dtstart=start)
    assert isinstance(rule, rrule)
    return rule


def expand_occurrences(
    event: CalendarEvent, window_start: datetime, window_end: datetime
) -> list[Occurrence]:
    """Occurrences of `event` overlapping [window_start, window_end), earliest first.

    A recurring event repeats at the same wall-clock time in its time zone (so a 09:00
    meeting stays at 09:00 across a DST change); starts listed in `exceptions` are skipped.
    """
    duration = event.ends_at - event.starts_at
    if not event.recurrence and not event.extra_dates:
        starts = [event.starts_at]
    else:
        skipped = {when.astimezone(UTC) for when in event.exceptions}
        if event.recurrence:
            found = series_rule(event).between(window_start - duration, window_end, inc=True)
            starts = [when.astimezone(UTC) for when in found[:MAX_OCCURRENCES]]
        else:
            starts = [event.starts_at]
        starts = sorted({*starts, *_extra_starts(event, window_start - duration, window_end)})
        starts = [when for when in starts if when not in skipped]
    return [
        Occurrence(event, start, start + duration)
        for start in starts
        if _overlaps(start, start + duration, window_start, window_end)
    ]


def _extra_starts(event: CalendarEvent, start: datetime, end: datetime) -> list[datetime]:
    """The event's RDATE starts in [start, end]."""
    return [when.astimezone(UTC) for when in event.extra_dates if start <= when <= end]


def _overlaps(start: datetime, end: datetime, window_start: datetime, window_end: datetime) -> bool:
    if start >= window_end:
        return False
    return end > window_start or (end == start and start >= window_start)


def expand_all(
    events: list[CalendarEvent], window_start: datetime, window_end: datetime
) -> list[Occurrence]:
    """Every occurrence of `events` in the window, by start time then title."""
    found = [o for event in events for o in expand_occurrences(event, window_start, window_end)]
    return sorted(found, key=lambda o: (o.starts_at, o.event.title, o.event.id))


def next_occurrence_after(event: CalendarEvent, moment: datetime) -> datetime | None:
    """The first start of `event` strictly after `moment` that is not an exception."""
    skipped = {when.astimezone(UTC) for when in event.exceptions}
    extra = [when for when in event.extra_dates if when > moment and when not in skipped]
    if not event.recurrence:
        starts = [*extra, event.starts_at] if event.starts_at > moment else extra
        return min(starts, default=None)
    rule = series_rule(event)
    when = rule.after(moment, inc=False)
    for _ in range(MAX_OCCURRENCES):
        if when is None:
            break
        utc: datetime = when.astimezone(UTC)
        if utc not in skipped:
            return min([utc, *extra])
        when = rule.after(when, inc=False)
    return min(extra, default=None)
