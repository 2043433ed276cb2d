"""RDATE starts (`extra_dates`) join a series or a single event; EXDATE still removes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sfa_desktop.core.entities import CalendarEvent
from sfa_desktop.core.rules.recurrence import expand_occurrences, next_occurrence_after

MONDAY = datetime(2026, 3, 2, 8, tzinfo=UTC)  # 09:00 in Berlin (winter time)
EXTRA = datetime(2026, 3, 12, 14, tzinfo=UTC)  # a Thursday afternoon added by RDATE
WINDOW = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 30, tzinfo=UTC))


def _event(rule: str = "", **extra: object) -> CalendarEvent:
    return CalendarEvent(
        title="Review",
        starts_at=MONDAY,
        ends_at=MONDAY + timedelta(hours=1),
        timezone="Europe/Berlin",
        recurrence=rule,
        **extra,  # type: ignore[arg-type]
    )


def test_a_series_with_an_extra_date_has_it_between_its_weekly_starts() -> None:
    event = _event("FREQ=WEEKLY;COUNT=3", extra_dates=(EXTRA,))
    starts = [o.starts_at for o in expand_occurrences(event, *WINDOW)]
    # hand-computed: Mondays 2, 9, 16 March at 08:00 UTC, the extra Thursday in between
    assert starts == [
        MONDAY,
        MONDAY + timedelta(days=7),
        EXTRA,
        MONDAY + timedelta(days=14),
    ]
    assert next_occurrence_after(event, MONDAY + timedelta(days=8)) == EXTRA


def test_a_single_event_with_extra_dates_repeats_on_them_only() -> None:
    event = _event(extra_dates=(EXTRA,))
    assert [o.starts_at for o in expand_occurrences(event, *WINDOW)] == [MONDAY, EXTRA]
    assert next_occurrence_after(event, MONDAY) == EXTRA
    assert next_occurrence_after(event, EXTRA) is None


def test_an_exception_removes_an_extra_date_too() -> None:
    event = _event("FREQ=WEEKLY;COUNT=3", extra_dates=(EXTRA,), exceptions=(EXTRA,))
    starts = [o.starts_at for o in expand_occurrences(event, *WINDOW)]
    assert EXTRA not in starts
    assert len(starts) == 3
