"""Calendar geometry without painting: which days a view shows, lanes for overlapping events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sfa_desktop.core.enums import Channel, EventStatus
from sfa_desktop.core.rules.recurrence import Occurrence

SNAP_MINUTES = 15
CHANNEL_COLOURS = {
    Channel.VISIT: "#1a73e8",
    Channel.CALL: "#188038",
    Channel.EMAIL: "#8430ce",
    Channel.EVENT: "#e37400",
    Channel.MAIL: "#5f6368",
    Channel.NOTE: "#5f6368",
}


class Mode(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def visible_days(mode: Mode, anchor: date) -> list[date]:
    """The days a view shows: one, a Monday-to-Sunday week, or six weeks around a month."""
    if mode is Mode.DAY:
        return [anchor]
    if mode is Mode.WEEK:
        start = monday(anchor)
        return [start + timedelta(days=i) for i in range(7)]
    start = monday(anchor.replace(day=1))
    return [start + timedelta(days=i) for i in range(42)]


def step(mode: Mode, anchor: date, direction: int) -> date:
    """The anchor one page back (-1) or forward (+1)."""
    if mode is Mode.DAY:
        return anchor + timedelta(days=direction)
    if mode is Mode.WEEK:
        return anchor + timedelta(days=7 * direction)
    month = anchor.month - 1 + direction
    return date(anchor.year + month // 12, month % 12 + 1, 1)


def local_start(day: date) -> datetime:
    """Local midnight at the start of `day`, time-zone aware."""
    return datetime.combine(day, time()).astimezone()


def snap(minutes: float) -> int:
    return int(round(minutes / SNAP_MINUTES) * SNAP_MINUTES)


def is_all_day(occurrence: Occurrence) -> bool:
    """All-day events and anything spanning a whole day go in the all-day row."""
    return occurrence.event.all_day or occurrence.ends_at - occurrence.starts_at >= timedelta(
        hours=24
    )


@dataclass(frozen=True)
class Placed:
    """A timed occurrence within one day column: minutes from midnight, lane and lane count."""

    occurrence: Occurrence
    top: float
    bottom: float
    lane: int
    lanes: int


def place_day(occurrences: list[Occurrence], day: date, min_minutes: int = 20) -> list[Placed]:
    """Timed occurrences of `day`, clipped to the day, in side-by-side lanes where they overlap."""
    midnight = local_start(day)
    spans = []
    for occurrence in occurrences:
        if is_all_day(occurrence):
            continue
        top = (occurrence.starts_at - midnight).total_seconds() / 60
        bottom = (occurrence.ends_at - midnight).total_seconds() / 60
        if bottom <= 0 or top >= 24 * 60:
            continue
        top = max(top, 0.0)
        spans.append((top, min(max(bottom, top + min_minutes), 24 * 60.0), occurrence))
    spans.sort(key=lambda s: (s[0], -s[1]))
    placed: list[Placed] = []
    cluster: list[tuple[float, float, int, Occurrence]] = []
    cluster_end = -1.0

    def flush() -> None:
        lanes = max((lane for *_, lane, _ in cluster), default=-1) + 1
        placed.extend(Placed(o, t, b, lane, lanes) for t, b, lane, o in cluster)

    for top, bottom, occurrence in spans:
        if cluster and top >= cluster_end:
            flush()
            cluster, cluster_end = [], -1.0
        busy = {lane for t, b, lane, _ in cluster if b > top}
        lane = next(i for i in range(len(cluster) + 1) if i not in busy)
        cluster.append((top, bottom, lane, occurrence))
        cluster_end = max(cluster_end, bottom)
    flush()
    return placed


def on_day(occurrence: Occurrence, day: date) -> bool:
    """Whether the occurrence touches `day` (local time)."""
    start, end = local_start(day), local_start(day + timedelta(days=1))
    # An all-day event's end is the start of its last day (as in iCalendar, minus a day).
    finish = occurrence.ends_at + timedelta(days=1 if occurrence.event.all_day else 0)
    if occurrence.starts_at == finish:
        return start <= occurrence.starts_at < end
    return occurrence.starts_at < end and finish > start


def colour(occurrence: Occurrence) -> str:
    if occurrence.event.status is EventStatus.CANCELLED:
        return "#9aa0a6"
    return CHANNEL_COLOURS.get(occurrence.event.channel, "#1a73e8")
