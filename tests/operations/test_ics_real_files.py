""".ics files as Google, Outlook, Apple Calendar and Thunderbird write them, imported.

The oracle is the `recurring_ical_events` library (over `icalendar`) reading the same
file: the occurrences the CRM shows after the import must be the ones it finds, at the
same UTC instants (moved occurrences, RDATE extra dates, Windows zone names, DST)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import icalendar
import recurring_ical_events

from sfa_desktop.core.entities import Account, CalendarEvent, Contact
from sfa_desktop.core.rules.recurrence import expand_all
from sfa_desktop.operations.ics import import_ics
from sfa_desktop.store import Store

FILES = Path(__file__).parents[1] / "files" / "ics"
YEAR = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def _oracle(name: str) -> list[tuple[datetime, str]]:
    calendar = icalendar.Calendar.from_ical((FILES / name).read_bytes())
    found = recurring_ical_events.of(calendar).between(*YEAR)
    return sorted((o["DTSTART"].dt.astimezone(UTC), str(o["SUMMARY"])) for o in found)


def _shown(store: Store) -> list[tuple[datetime, str]]:
    events = store.get_many(CalendarEvent, store.ids(CalendarEvent))
    return sorted((o.starts_at, o.event.title) for o in expand_all(events, *YEAR))


def _events(store: Store) -> list[CalendarEvent]:
    return store.get_many(CalendarEvent, store.ids(CalendarEvent))


def test_google_moved_occurrence_replaces_its_series_start(signed_in: Store) -> None:
    result = import_ics(signed_in, (FILES / "google_moved_occurrence.ics").read_bytes())
    assert len(result.value.created) == 2
    assert result.value.skipped == []
    assert _shown(signed_in) == _oracle("google_moved_occurrence.ics")
    moved = next(e for e in _events(signed_in) if e.recurrence_id is not None)
    series = next(e for e in _events(signed_in) if e.recurrence_id is None)
    assert moved.recurrence_id == datetime(2026, 3, 30, 8, tzinfo=UTC)  # 10:00 CEST
    assert (moved.starts_at, moved.location) == (
        datetime(2026, 3, 31, 13, tzinfo=UTC),
        "Room Alster",
    )
    assert moved.external_uid == series.external_uid == "4l8n2k0q9d7c3v5b1m6p0r2s4t@google.com"
    assert moved.recurrence_id in series.exceptions
    again = import_ics(signed_in, (FILES / "google_moved_occurrence.ics").read_bytes())
    assert again.value.created == []
    assert len(again.value.skipped) == 2
    assert len(_events(signed_in)) == 2


def test_outlook_windows_zone_keeps_the_wall_clock_time_across_dst(signed_in: Store) -> None:
    data = (FILES / "outlook_windows_zone.ics").read_bytes()
    (event,) = import_ics(signed_in, data).value.created
    assert event.timezone == "Europe/Berlin"  # CLDR: W. Europe Standard Time
    shown = _shown(signed_in)
    assert shown == _oracle("outlook_windows_zone.ics")
    # hand-computed: 09:00 in Berlin is 08:00 UTC in March and 07:00 UTC after 29 March
    assert [when.hour for when, _title in shown] == [8, 8, 7, 7]
    assert len(event.external_uid) == 112
    assert event.reminder_minutes == 15
    again = import_ics(signed_in, data)
    assert again.value.created == []
    assert again.value.skipped == ["Forecast call: already in the calendar"]
    assert len(_events(signed_in)) == 1


def test_apple_extra_dates_are_kept(signed_in: Store) -> None:
    (event,) = import_ics(signed_in, (FILES / "apple_extra_dates.ics").read_bytes()).value.created
    assert event.extra_dates == (
        datetime(2026, 3, 19, 13, tzinfo=UTC),
        datetime(2026, 4, 16, 12, tzinfo=UTC),
    )
    assert _shown(signed_in) == _oracle("apple_extra_dates.ics")
    assert len(_shown(signed_in)) == 5


def test_thunderbird_meeting_keeps_a_fixed_alarm_and_says_what_it_left_out(
    signed_in: Store,
) -> None:
    account = signed_in.create(Account, {"name": "Nordwind"}).value
    jonas = signed_in.create(
        Contact, {"last_name": "Mueller", "email": "jm@nordwind.de", "account_id": account.id}
    ).value
    result = import_ics(signed_in, (FILES / "thunderbird_meeting.ics").read_bytes())
    (event,) = result.value.created
    assert event.attendee_ids == (jonas.id,)
    # TRIGGER;VALUE=DATE-TIME:20260311T160000Z, the meeting at 09:00 UTC the next day
    assert event.reminder_minutes == 17 * 60
    assert event.location == "Nordwind HQ, Hamburg"
    assert set(result.value.left_out) == {
        "organizer of 1 event",
        "categories of 1 event",
        "2 attendees who are not contacts",
        "1 more alarm (one reminder per event)",
    }
    assert result.value.summary().startswith("Imported 1 event. Not kept: ")


def test_outlook_update_moving_one_occurrence_of_a_series_imported_before(
    signed_in: Store,
) -> None:
    import_ics(signed_in, (FILES / "outlook_windows_zone.ics").read_bytes())
    (series,) = _events(signed_in)
    update = import_ics(signed_in, (FILES / "outlook_moved_occurrence_update.ics").read_bytes())
    (moved,) = update.value.created
    assert moved.recurrence_id == datetime(2026, 3, 25, 8, tzinfo=UTC)  # 09:00 CET
    both = icalendar.Calendar.from_ical((FILES / "outlook_windows_zone.ics").read_bytes())
    later = icalendar.Calendar.from_ical(
        (FILES / "outlook_moved_occurrence_update.ics").read_bytes()
    )
    both.add_component(later.walk("VEVENT")[0])
    found = recurring_ical_events.of(both).between(*YEAR)
    oracle = sorted((o["DTSTART"].dt.astimezone(UTC), str(o["SUMMARY"])) for o in found)
    assert _shown(signed_in) == oracle
    assert update.value.left_out == ("organizer of 1 event",)  # Max organised it, not Rita
    assert update.undo is not None
    update.undo.apply(signed_in)
    assert signed_in.get(CalendarEvent, series.id).exceptions == series.exceptions
    assert len(_events(signed_in)) == 1
