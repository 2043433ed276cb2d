"""Two-way CalDAV sync against a real Radicale; "the phone" is the caldav library.

Oracles: what the phone reads back (icalendar, recurring-ical-events for the expansion)
and hand-written times: Europe/Berlin is UTC+1 in winter and UTC+2 in summer; in 2026 the
clocks go forward on 29 March and back on 25 October.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar
from radicale_kit import PASSWORD, USER, Radicale, make_calendar

from sfa_desktop.connectors.calendar.connect import connect_calendars, sync_calendar
from sfa_desktop.connectors.calendar.engine import Report
from sfa_desktop.connectors.dav.session import ConnectorError
from sfa_desktop.core.entities import CalendarEvent
from sfa_desktop.core.protocol import DELETED_FIELD
from sfa_desktop.core.rules.recurrence import expand_occurrences
from sfa_desktop.store import Store
from sfa_desktop.store.store_dav import DavAccount
from sfa_desktop.sync.credentials import Credentials

BERLIN = ZoneInfo("Europe/Berlin")


class Rep:
    """The CRM side: a signed-in store with one connected calendar."""

    def __init__(self, store: Store, server: Radicale) -> None:
        self.store = store
        self.credentials = Credentials(vault=store)
        [self.account] = connect_calendars(store, self.credentials, server.url, USER, PASSWORD)

    def sync(self) -> Report:
        return sync_calendar(self.store, self.credentials, self.store.dav_account(self.account.id))

    def events(self) -> dict[str, CalendarEvent]:
        return {event.title: event for event in self.store.records(CalendarEvent)}

    @property
    def connection(self) -> DavAccount:
        return self.store.dav_account(self.account.id)


@pytest.fixture
def phone(radicale: Radicale) -> Any:
    return make_calendar(radicale)


@pytest.fixture
def crm(signed_in: Store, radicale: Radicale, phone: Any) -> Rep:
    return Rep(signed_in, radicale)


def _vevents(phone: Any) -> list[Any]:
    found = []
    for item in phone.events():
        found += list(Calendar.from_ical(item.data).walk("VEVENT"))
    return found


def _one(phone: Any) -> Any:
    [item] = phone.events()
    return item


def _berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def _create(store: Store, **fields: Any) -> CalendarEvent:
    return store.create(CalendarEvent, fields).value


def test_a_crm_series_across_the_clock_change_keeps_its_wall_time_on_the_phone(
    crm: Rep, phone: Any
) -> None:
    _create(
        crm.store,
        title="Visit Contoso",
        starts_at=datetime(2026, 3, 28, 8, 0, tzinfo=UTC),  # 09:00 in Berlin, winter time
        ends_at=datetime(2026, 3, 28, 9, 0, tzinfo=UTC),
        timezone="Europe/Berlin",
        recurrence="FREQ=DAILY;COUNT=3",
        reminder_minutes=30,
        location="Contoso HQ",
    )
    assert crm.sync().sent == 1
    [event] = _vevents(phone)
    assert str(event["summary"]) == "Visit Contoso"
    assert str(event["location"]) == "Contoso HQ"
    assert event["dtstart"].dt == _berlin(2026, 3, 28, 9, 0)
    [alarm] = event.walk("VALARM")
    assert alarm["trigger"].dt == timedelta(minutes=-30)
    calendar = Calendar.from_ical(_one(phone).data)
    starts = [
        occurrence["dtstart"].dt.astimezone(UTC)
        for occurrence in recurring_ical_events.of(calendar).between(
            date(2026, 3, 27), date(2026, 4, 1)
        )
    ]
    # 09:00 each day: 08:00 UTC before the change, 07:00 UTC after it
    assert starts == [
        datetime(2026, 3, 28, 8, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
    ]
    assert crm.sync().sent == 0  # nothing changed: nothing written again


def test_a_phone_series_across_the_clock_change_lands_in_the_crm_at_its_wall_time(
    crm: Rep, phone: Any
) -> None:
    phone.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\n"
        "UID:phone-weekly\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20261024T100000\r\n"
        "DTEND;TZID=Europe/Berlin:20261024T110000\r\n"
        "RRULE:FREQ=DAILY;COUNT=2\r\nSUMMARY:Team call\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    report = crm.sync()
    assert report.received == 1
    event = crm.events()["Team call"]
    assert event.external_uid == "phone-weekly"
    assert event.reminder_minutes == 10
    assert event.starts_at == datetime(2026, 10, 24, 8, 0, tzinfo=UTC)  # 10:00 CEST
    window = (datetime(2026, 10, 23, tzinfo=UTC), datetime(2026, 10, 27, tzinfo=UTC))
    starts = [o.starts_at for o in expand_occurrences(event, *window)]
    assert starts == [
        datetime(2026, 10, 24, 8, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 9, 0, tzinfo=UTC),  # 10:00 CET after the change
    ]
    mutations = crm.store.pending_mutations()
    assert [(m.entity_id, m.op) for m in mutations] == [(event.id, "upsert")]  # via the outbox


def test_edits_moves_and_deletes_go_both_ways(crm: Rep, phone: Any) -> None:
    visit = _create(
        crm.store,
        title="Visit",
        starts_at=datetime(2026, 6, 1, 7, 0, tzinfo=UTC),
        ends_at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
        timezone="Europe/Berlin",
    )
    phone.save_event(
        dtstart=_berlin(2026, 6, 2, 14, 0),
        dtend=_berlin(2026, 6, 2, 15, 0),
        summary="Lunch",
        uid="l1",
    )
    crm.sync()
    # the phone moves the CRM visit by an hour and renames the lunch
    item = phone.event_by_uid(visit.id)
    component = item.icalendar_component
    component.pop("dtstart")
    component.pop("dtend")
    component.add("dtstart", _berlin(2026, 6, 1, 10, 0))
    component.add("dtend", _berlin(2026, 6, 1, 11, 0))
    item.save()
    lunch = phone.event_by_uid("l1")
    lunch.icalendar_component["summary"] = "Lunch with Ann"
    lunch.save()
    crm.sync()
    events = crm.events()
    assert events["Visit"].starts_at == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 10:00 CEST
    assert "Lunch with Ann" in events
    # the CRM moves it back and deletes the lunch
    crm.store.update(
        CalendarEvent,
        visit.id,
        {
            "starts_at": datetime(2026, 6, 1, 6, 0, tzinfo=UTC),
            "ends_at": datetime(2026, 6, 1, 7, 0, tzinfo=UTC),
        },
    )
    crm.store.delete(CalendarEvent, events["Lunch with Ann"].id)
    crm.sync()
    [event] = _vevents(phone)
    assert event["dtstart"].dt == _berlin(2026, 6, 1, 8, 0)
    # the phone deletes the visit: the CRM deletes it too
    phone.event_by_uid(visit.id).delete()
    crm.sync()
    assert crm.events() == {}


def test_an_override_and_an_exdate_from_the_phone_round_trip(crm: Rep, phone: Any) -> None:
    phone.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\n"
        "BEGIN:VEVENT\r\nUID:series-1\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20260601T090000\r\n"
        "DTEND;TZID=Europe/Berlin:20260601T100000\r\n"
        "RRULE:FREQ=DAILY;COUNT=5\r\n"
        "EXDATE;TZID=Europe/Berlin:20260603T090000\r\n"
        "RDATE;TZID=Europe/Berlin:20260610T090000\r\n"
        "SUMMARY:Stand-up\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:series-1\r\nDTSTAMP:20260101T000000Z\r\n"
        "RECURRENCE-ID;TZID=Europe/Berlin:20260602T090000\r\n"
        "DTSTART;TZID=Europe/Berlin:20260602T113000\r\n"
        "DTEND;TZID=Europe/Berlin:20260602T123000\r\n"
        "SUMMARY:Stand-up (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    crm.sync()
    events = crm.events()
    series, moved = events["Stand-up"], events["Stand-up (moved)"]
    assert set(series.exceptions) == {
        datetime(2026, 6, 3, 7, 0, tzinfo=UTC),
        datetime(2026, 6, 2, 7, 0, tzinfo=UTC),
    }
    assert series.extra_dates == (datetime(2026, 6, 10, 7, 0, tzinfo=UTC),)
    assert moved.recurrence_id == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    assert moved.starts_at == datetime(2026, 6, 2, 9, 30, tzinfo=UTC)
    window = (datetime(2026, 5, 31, tzinfo=UTC), datetime(2026, 6, 12, tzinfo=UTC))
    shown = sorted(o.starts_at for e in events.values() for o in expand_occurrences(e, *window))
    assert [(s.day, s.hour, s.minute) for s in shown] == [
        (1, 7, 0),
        (2, 9, 30),
        (4, 7, 0),
        (5, 7, 0),
        (10, 7, 0),
    ]
    # the CRM moves the moved occurrence again; the phone sees the override change only
    crm.store.update(
        CalendarEvent,
        moved.id,
        {
            "starts_at": datetime(2026, 6, 2, 13, 0, tzinfo=UTC),
            "ends_at": datetime(2026, 6, 2, 14, 0, tzinfo=UTC),
        },
    )
    crm.sync()
    calendar = Calendar.from_ical(_one(phone).data)
    starts = [
        o["dtstart"].dt.astimezone(UTC)
        for o in recurring_ical_events.of(calendar).between(date(2026, 5, 31), date(2026, 6, 12))
    ]
    assert sorted((s.day, s.hour, s.minute) for s in starts) == [
        (1, 7, 0),
        (2, 13, 0),
        (4, 7, 0),
        (5, 7, 0),
        (10, 7, 0),
    ]


def test_an_edit_on_both_sides_lands_in_the_review_inbox(crm: Rep, phone: Any) -> None:
    event = _create(
        crm.store,
        title="Quarterly review",
        starts_at=datetime(2026, 6, 1, 7, 0, tzinfo=UTC),
        ends_at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
    )
    crm.sync()
    item = phone.event_by_uid(event.id)
    item.icalendar_component["summary"] = "QBR (phone)"
    item.icalendar_component["location"] = "Room 4"
    item.save()
    crm.store.update(CalendarEvent, event.id, {"title": "QBR (desk)"})
    report = crm.sync()
    assert report.conflicts == 1
    [conflict] = crm.store.conflicts()
    assert (conflict.entity_id, conflict.field) == (event.id, "title")
    assert (conflict.kept_value, conflict.lost_value) == ("QBR (desk)", "QBR (phone)")
    kept = crm.store.get(CalendarEvent, event.id)
    assert (kept.title, kept.location) == ("QBR (desk)", "Room 4")  # the other field merged
    [vevent] = _vevents(phone)
    assert (str(vevent["summary"]), str(vevent["location"])) == ("QBR (desk)", "Room 4")
    crm.store.restore_conflict(conflict.id)  # the rep takes the phone's title after all
    crm.sync()
    [vevent] = _vevents(phone)
    assert str(vevent["summary"]) == "QBR (phone)"


def test_offline_edits_on_both_sides_are_reconciled_at_the_next_sync(
    crm: Rep, phone: Any, radicale: Radicale
) -> None:
    one = _create(
        crm.store,
        title="One",
        starts_at=datetime(2026, 6, 1, 7, tzinfo=UTC),
        ends_at=datetime(2026, 6, 1, 8, tzinfo=UTC),
    )
    two = _create(
        crm.store,
        title="Two",
        starts_at=datetime(2026, 6, 2, 7, tzinfo=UTC),
        ends_at=datetime(2026, 6, 2, 8, tzinfo=UTC),
    )
    three = _create(
        crm.store,
        title="Three",
        starts_at=datetime(2026, 6, 3, 7, tzinfo=UTC),
        ends_at=datetime(2026, 6, 3, 8, tzinfo=UTC),
    )
    crm.sync()
    # the phone changes one and deletes two while the laptop is offline
    item = phone.event_by_uid(one.id)
    item.icalendar_component["summary"] = "One (phone)"
    item.save()
    phone.event_by_uid(two.id).delete()
    radicale.stop()
    crm.store.update(CalendarEvent, three.id, {"title": "Three (desk)"})
    with pytest.raises(ConnectorError, match="no answer from"):
        crm.sync()
    assert "no answer from" in crm.connection.last_error
    radicale.start()
    try:
        crm.sync()
        assert set(crm.events()) == {"One (phone)", "Three (desk)"}
        titles = sorted(str(e["summary"]) for e in _vevents(phone))
        assert titles == ["One (phone)", "Three (desk)"]
        assert crm.connection.last_error == ""
    finally:
        radicale.stop()


def test_deletes_on_both_sides_and_a_delete_against_an_edit(crm: Rep, phone: Any) -> None:
    gone_here = _create(
        crm.store,
        title="Gone here",
        starts_at=datetime(2026, 6, 1, 7, tzinfo=UTC),
        ends_at=datetime(2026, 6, 1, 8, tzinfo=UTC),
    )
    gone_there = _create(
        crm.store,
        title="Gone there",
        starts_at=datetime(2026, 6, 2, 7, tzinfo=UTC),
        ends_at=datetime(2026, 6, 2, 8, tzinfo=UTC),
    )
    edited_here = _create(
        crm.store,
        title="Edited here",
        starts_at=datetime(2026, 6, 3, 7, tzinfo=UTC),
        ends_at=datetime(2026, 6, 3, 8, tzinfo=UTC),
    )
    crm.sync()
    crm.store.delete(CalendarEvent, gone_here.id)
    phone.event_by_uid(gone_there.id).delete()
    phone.event_by_uid(edited_here.id).delete()
    crm.store.update(CalendarEvent, edited_here.id, {"notes": "bring the contract"})
    report = crm.sync()
    assert set(crm.events()) == {"Edited here"}  # kept: changed here after the phone deleted it
    [conflict] = crm.store.conflicts()
    assert (conflict.entity_id, conflict.field) == (edited_here.id, DELETED_FIELD)
    assert report.received >= 1
    # the kept event goes back to the calendar; the one deleted here stays deleted there
    crm.sync()
    assert [str(e["summary"]) for e in _vevents(phone)] == ["Edited here"]


def test_a_wrong_password_is_one_line(signed_in: Store, radicale: Radicale, phone: Any) -> None:
    with pytest.raises(ConnectorError, match="refused the user name or password") as caught:
        connect_calendars(signed_in, Credentials(vault=signed_in), radicale.url, USER, "wrong")
    assert "\n" not in str(caught.value)
    assert signed_in.dav_accounts() == []
