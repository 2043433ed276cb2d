"""iCalendar export and import: a round trip keeps rules, exceptions, attendees and alarms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sfa_desktop.core.entities import Account, CalendarEvent, Contact
from sfa_desktop.operations.ics import BadCalendarFile, export_events, import_ics, parse_ics
from sfa_desktop.store import Store

BERLIN = ZoneInfo("Europe/Berlin")


def _setup(store: Store) -> tuple[Contact, CalendarEvent]:
    account = store.create(Account, {"name": "Nordwind"}).value
    contact = store.create(
        Contact, {"last_name": "Müller", "email": "jm@nordwind.de", "account_id": account.id}
    ).value
    start = datetime(2026, 3, 16, 9, tzinfo=BERLIN)
    event = store.create(
        CalendarEvent,
        {
            "title": "Weekly review",
            "starts_at": start,
            "ends_at": start + timedelta(hours=1),
            "timezone": "Europe/Berlin",
            "recurrence": "FREQ=WEEKLY;COUNT=6",
            "exceptions": (start + timedelta(days=14),),
            "attendee_ids": (contact.id,),
            "account_id": account.id,
            "location": "Hamburg",
            "reminder_minutes": 30,
        },
    ).value
    return contact, event


def test_round_trip_between_stores(signed_in: Store, tmp_path: object) -> None:
    contact, event = _setup(signed_in)
    data = export_events(signed_in, [event.id])
    assert b"RRULE:FREQ=WEEKLY;COUNT=6" in data
    assert b"mailto:jm@nordwind.de" in data
    assert b"EXDATE;TZID=Europe/Berlin:20260330T090000" in data
    signed_in.delete(CalendarEvent, event.id)
    result = import_ics(signed_in, data)
    assert result.value.summary() == "Imported 1 event"
    back = result.value.created[0]
    # the UID (our id) is kept as the link to the file; the new event has an id of its own
    assert (back.external_uid, back.title, back.timezone) == (
        event.id,
        event.title,
        "Europe/Berlin",
    )
    assert (back.starts_at, back.ends_at) == (event.starts_at, event.ends_at)
    assert back.recurrence == event.recurrence
    assert back.exceptions == event.exceptions
    assert back.attendee_ids == (contact.id,)
    assert back.reminder_minutes == 30
    assert back.location == "Hamburg"
    again = import_ics(signed_in, data)
    assert again.value.created == []
    assert again.value.skipped == ["Weekly review: already in the calendar"]
    assert result.undo is not None
    result.undo.apply(signed_in)
    assert signed_in.get_many(CalendarEvent, [back.id]) == []


def test_all_day_and_foreign_file() -> None:
    text = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:a-very-foreign-uid@example.com\r\nSUMMARY:Trade fair\r\n"
        b"DTSTART;VALUE=DATE:20260310\r\nDTEND;VALUE=DATE:20260313\r\n"
        b"ATTENDEE:mailto:JM@nordwind.de\r\nSTATUS:TENTATIVE\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nSUMMARY:No start\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nSUMMARY:Call\r\nDTSTART:20260311T100000Z\r\nDURATION:PT30M\r\n"
        b"RRULE:FREQ=DAILY;UNTIL=20260313T100000Z\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    fair, missing, call = parse_ics(text, {"jm@nordwind.de": "con-1"}, "Europe/Berlin")
    assert missing == "No start: no start time"
    assert fair["all_day"]
    assert fair["timezone"] == "Europe/Berlin"
    assert fair["ends_at"] - fair["starts_at"] == timedelta(days=2)
    assert fair["attendee_ids"] == ("con-1",)
    assert fair["status"] == "tentative"
    event = CalendarEvent(**call)
    assert event.ends_at - event.starts_at == timedelta(minutes=30)
    assert event.recurrence == "FREQ=DAILY;UNTIL=20260313T100000Z"
    assert event.starts_at == datetime(2026, 3, 11, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not a calendar", "not an iCalendar"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no events"),
    ],
)
def test_bad_files_say_why(data: bytes, message: str) -> None:
    with pytest.raises(BadCalendarFile, match=message):
        parse_ics(data, {})
