"""Our .ics export as other calendars read it: Mozilla's ical.js (Thunderbird, Nextcloud)
and `icalendar` + `recurring_ical_events` made to use our VTIMEZONE (its TZID renamed to
one no library knows). A summer series must come out at the hand-computed UTC instants,
its last occurrence kept, a moved occurrence moved and an extra date added."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from ical_js_kit import ical_js_occurrences

from sfa_desktop.core.entities import Account, CalendarEvent, Contact
from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.operations.calendar import Scope, edit_occurrence
from sfa_desktop.operations.ics import export_events
from sfa_desktop.store import Store

BERLIN = ZoneInfo("Europe/Berlin")
FIRST = datetime(2026, 6, 3, 9, tzinfo=BERLIN)  # a Wednesday, summer time: 07:00 UTC
MOVED_FROM = datetime(2026, 6, 17, 7, tzinfo=UTC)
MOVED_TO = datetime(2026, 6, 18, 12, tzinfo=UTC)  # Thursday 14:00 in Berlin
EXTRA = datetime(2026, 8, 6, 8, tzinfo=UTC)  # Thursday 10:00 in Berlin
LAST = datetime(2026, 9, 30, 7, tzinfo=UTC)


def _expected() -> list[datetime]:
    """Every Wednesday 3 June – 30 September at 07:00 UTC, one moved, one date added."""
    weekly = [datetime(2026, 6, 3, 7, tzinfo=UTC) + timedelta(weeks=n) for n in range(18)]
    assert weekly[-1] == LAST
    return sorted({*weekly, MOVED_TO, EXTRA} - {MOVED_FROM})


def _export(store: Store, path: Path) -> Path:
    account = store.create(Account, {"name": "Nordwind"}).value
    contact = store.create(
        Contact, {"last_name": "Mueller", "email": "jm@nordwind.de", "account_id": account.id}
    ).value
    series = store.create(
        CalendarEvent,
        {
            "title": "Summer review",
            "starts_at": FIRST,
            "ends_at": FIRST + timedelta(hours=1),
            "timezone": "Europe/Berlin",
            "recurrence": "FREQ=WEEKLY;UNTIL=20260930T070000Z",
            "extra_dates": (EXTRA,),
            "attendee_ids": (contact.id,),
            "status": "tentative",
            "external_uid": "summer-review-2026@calendar.example.com",
        },
    ).value
    occurrence = Occurrence(series, MOVED_FROM, MOVED_FROM + timedelta(hours=1))
    moved = {"starts_at": MOVED_TO, "ends_at": MOVED_TO + timedelta(hours=1)}
    override = edit_occurrence(store, occurrence, moved, Scope.OCCURRENCE).value
    path.write_bytes(export_events(store, [series.id, override.id]))
    return path


def test_ical_js_reads_the_summer_series_at_the_right_instants(
    signed_in: Store, tmp_path: Path
) -> None:
    path = _export(signed_in, tmp_path / "export.ics")
    read = ical_js_occurrences(path, datetime(2027, 1, 1, tzinfo=UTC))
    assert sorted(start for _title, start in read) == _expected()
    assert max(start for _title, start in read) == LAST


def test_icalendar_reads_the_same_from_our_vtimezone_alone(
    signed_in: Store, tmp_path: Path
) -> None:
    text = _export(signed_in, tmp_path / "export.ics").read_text()
    renamed = text.replace("Europe/Berlin", "Sales Region/Own Zone")  # no library knows it
    calendar = icalendar.Calendar.from_ical(renamed)
    found = recurring_ical_events.of(calendar).between(
        datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert sorted(o["DTSTART"].dt.astimezone(UTC) for o in found) == _expected()


def test_the_file_says_it_the_way_calendars_expect(signed_in: Store, tmp_path: Path) -> None:
    text = _export(signed_in, tmp_path / "export.ics").read_text()
    zone = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE")]
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in zone
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in zone
    assert "RDATE" not in zone
    assert "STATUS:TENTATIVE" in text
    assert "ORGANIZER:mailto:rita@example.com" in text  # the signed-in rep owns the event
    assert "RECURRENCE-ID;TZID=Europe/Berlin:20260617T090000" in text
    assert "EXDATE" not in text  # the moved start is an override, not a cancellation
    assert text.count("UID:summer-review-2026@calendar.example.com") == 2
