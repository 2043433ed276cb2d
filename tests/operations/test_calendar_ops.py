"""Calendar operations: one occurrence vs the series, moving, completing a visit, undo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sfa_desktop.core.entities import Account, Activity, CalendarEvent, Contact
from sfa_desktop.core.enums import Channel, EventStatus
from sfa_desktop.core.rules.recurrence import expand_occurrences
from sfa_desktop.operations.calendar import Scope, complete_visit, edit_occurrence, reschedule
from sfa_desktop.store import Store

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
WINDOW = (START - timedelta(days=1), START + timedelta(days=60))


def _series(store: Store, **extra: object) -> CalendarEvent:
    fields = {
        "title": "Visit",
        "starts_at": START,
        "ends_at": START + timedelta(hours=1),
        "recurrence": "FREQ=WEEKLY;COUNT=4",
        **extra,
    }
    return store.create(CalendarEvent, fields).value


def test_edit_one_occurrence_detaches_it(signed_in: Store) -> None:
    series = _series(signed_in)
    second = expand_occurrences(series, *WINDOW)[1]
    result = edit_occurrence(signed_in, second, {"title": "Special visit"}, Scope.OCCURRENCE)
    master = signed_in.get(CalendarEvent, series.id)
    assert master.exceptions == (second.starts_at,)
    assert len(expand_occurrences(master, *WINDOW)) == 3
    single = result.value
    assert (single.title, single.recurrence, single.starts_at) == (
        "Special visit",
        "",
        second.starts_at,
    )
    assert result.undo is not None
    result.undo.apply(signed_in)
    assert signed_in.get(CalendarEvent, series.id).exceptions == ()
    assert signed_in.count(CalendarEvent) == 1


def test_edit_series_and_move_series(signed_in: Store) -> None:
    series = _series(signed_in, exceptions=(START + timedelta(days=21),))
    first = expand_occurrences(series, *WINDOW)[0]
    edit_occurrence(signed_in, first, {"title": "Renamed"}, Scope.SERIES)
    series = signed_in.get(CalendarEvent, series.id)
    assert series.title == "Renamed"
    occurrence = expand_occurrences(series, *WINDOW)[1]
    later = occurrence.starts_at + timedelta(hours=2)
    reschedule(signed_in, occurrence, later, later + timedelta(hours=2), Scope.SERIES)
    moved = signed_in.get(CalendarEvent, series.id)
    assert moved.starts_at == START + timedelta(hours=2)
    assert moved.ends_at - moved.starts_at == timedelta(hours=2)
    assert moved.exceptions == (START + timedelta(days=21, hours=2),)
    assert len(expand_occurrences(moved, *WINDOW)) == 3


def test_reschedule_single_event(signed_in: Store) -> None:
    event = _series(signed_in, recurrence="")
    occurrence = expand_occurrences(event, *WINDOW)[0]
    new_start = START + timedelta(days=1, minutes=30)
    result = reschedule(
        signed_in, occurrence, new_start, new_start + timedelta(minutes=45), Scope.SERIES
    )
    assert (result.value.starts_at, result.value.ends_at) == (
        new_start,
        new_start + timedelta(minutes=45),
    )


def test_complete_visit_logs_activity(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Acme"}).value
    contact = signed_in.create(Contact, {"last_name": "Doe", "account_id": account.id}).value
    event = _series(
        signed_in, recurrence="", account_id=account.id, attendee_ids=(contact.id,), channel="call"
    )
    occurrence = expand_occurrences(event, *WINDOW)[0]
    result = complete_visit(signed_in, occurrence, outcome="Order promised")
    activity = result.value
    assert activity.channel is Channel.CALL
    assert (activity.account_id, activity.contact_ids, activity.event_id) == (
        account.id,
        (contact.id,),
        event.id,
    )
    assert activity.occurred_at == START
    assert activity.duration_minutes == 60
    assert activity.outcome == "Order promised"
    assert signed_in.get(CalendarEvent, event.id).status is EventStatus.COMPLETED
    assert result.undo is not None
    result.undo.apply(signed_in)
    assert signed_in.count(Activity) == 0
    assert signed_in.get(CalendarEvent, event.id).status is EventStatus.CONFIRMED


def test_complete_one_occurrence_of_a_series(signed_in: Store) -> None:
    series = _series(signed_in)
    third = expand_occurrences(series, *WINDOW)[2]
    activity = complete_visit(signed_in, third).value
    done = signed_in.get(CalendarEvent, activity.event_id or "")
    assert done.status is EventStatus.COMPLETED
    assert done.starts_at == third.starts_at
    assert signed_in.get(CalendarEvent, series.id).status is EventStatus.CONFIRMED


def test_series_edit_from_a_later_occurrence_keeps_the_series_start(signed_in: Store) -> None:
    series = _series(signed_in)
    third = expand_occurrences(series, *WINDOW)[2]
    fields = {"title": "Moved", "starts_at": third.starts_at + timedelta(hours=1)}
    fields["ends_at"] = fields["starts_at"] + timedelta(minutes=30)
    edit_occurrence(signed_in, third, fields, Scope.SERIES)
    moved = signed_in.get(CalendarEvent, series.id)
    assert moved.starts_at == START + timedelta(hours=1)
    assert moved.ends_at == START + timedelta(hours=1, minutes=30)
