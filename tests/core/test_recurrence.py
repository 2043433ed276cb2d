"""Recurring events expand in their own time zone, honour COUNT/UNTIL and exceptions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sfa_desktop.core.entities import CalendarEvent
from sfa_desktop.core.rules.recurrence import (
    expand_all,
    expand_occurrences,
    next_occurrence_after,
)

BERLIN = ZoneInfo("Europe/Berlin")


def _event(start: datetime, rule: str = "", minutes: int = 60, **extra: object) -> CalendarEvent:
    return CalendarEvent(
        title="Review",
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        recurrence=rule,
        **extra,  # type: ignore[arg-type]
    )


def _window(days: int = 120) -> tuple[datetime, datetime]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return start, start + timedelta(days=days)


def test_single_event_overlapping_the_window() -> None:
    event = _event(datetime(2026, 1, 5, 9, tzinfo=UTC))
    assert [o.starts_at for o in expand_occurrences(event, *_window())] == [event.starts_at]
    late = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert len(expand_occurrences(event, late, late + timedelta(hours=1))) == 1
    after = datetime(2026, 1, 5, 10, tzinfo=UTC)
    assert expand_occurrences(event, after, after + timedelta(hours=1)) == []


def test_weekly_rule_in_window() -> None:
    event = _event(datetime(2026, 1, 5, 9, tzinfo=UTC), "FREQ=WEEKLY")
    found = expand_occurrences(event, *_window(28))
    assert [o.starts_at.day for o in found] == [5, 12, 19, 26]
    assert all(o.ends_at - o.starts_at == timedelta(hours=1) for o in found)
    assert all(o.is_recurring for o in found)


def test_weekly_by_day_with_count() -> None:
    event = _event(datetime(2026, 1, 5, 9, tzinfo=UTC), "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5")
    days = [o.starts_at.day for o in expand_occurrences(event, *_window())]
    assert days == [5, 7, 12, 14, 19]


def test_until_in_utc_and_floating() -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    utc = _event(start, "FREQ=DAILY;UNTIL=20260108T090000Z")
    assert len(expand_occurrences(utc, *_window())) == 4
    floating = _event(start, "FREQ=DAILY;UNTIL=20260107")
    assert len(expand_occurrences(floating, *_window())) == 3


def test_exceptions_are_skipped() -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    event = _event(start, "FREQ=WEEKLY;COUNT=4", exceptions=(start + timedelta(days=7),))
    days = [o.starts_at.day for o in expand_occurrences(event, *_window())]
    assert days == [5, 19, 26]


def test_wall_clock_kept_across_dst() -> None:
    # 09:00 in Berlin every Monday from early March to April: 08:00 UTC, then 07:00 UTC.
    start = datetime(2026, 3, 16, 9, tzinfo=BERLIN)
    event = _event(start, "FREQ=WEEKLY;COUNT=4", timezone="Europe/Berlin")
    found = expand_occurrences(event, *_window())
    assert [o.starts_at.astimezone(BERLIN).hour for o in found] == [9, 9, 9, 9]
    assert [o.starts_at.hour for o in found] == [8, 8, 7, 7]  # DST began on 29 March


def test_exception_after_dst_change() -> None:
    start = datetime(2026, 3, 16, 9, tzinfo=BERLIN)
    skipped = datetime(2026, 3, 30, 9, tzinfo=BERLIN)
    event = _event(start, "FREQ=WEEKLY;COUNT=4", timezone="Europe/Berlin", exceptions=(skipped,))
    days = [o.starts_at.day for o in expand_occurrences(event, *_window())]
    assert days == [16, 23, 6]


def test_occurrence_running_into_the_window_is_included() -> None:
    event = _event(datetime(2026, 1, 4, 23, tzinfo=UTC), "FREQ=DAILY;COUNT=3", minutes=120)
    window = datetime(2026, 1, 5, 0, tzinfo=UTC)
    found = expand_occurrences(event, window, window + timedelta(hours=1))
    assert [o.starts_at.day for o in found] == [4]


def test_expand_all_sorts_and_next_occurrence() -> None:
    a = _event(datetime(2026, 1, 6, 9, tzinfo=UTC), "FREQ=DAILY;COUNT=3")
    b = _event(datetime(2026, 1, 5, 12, tzinfo=UTC))
    found = expand_all([a, b], *_window())
    assert [o.event.id for o in found] == [b.id, a.id, a.id, a.id]
    after = datetime(2026, 1, 6, 9, tzinfo=UTC)
    assert next_occurrence_after(a, after) == datetime(2026, 1, 7, 9, tzinfo=UTC)
    assert next_occurrence_after(a, datetime(2026, 1, 9, tzinfo=UTC)) is None
    assert next_occurrence_after(b, after) is None
