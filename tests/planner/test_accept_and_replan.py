"""Accepting a week writes planned visits that sync and undo as one; re-planning around a
cancelled visit or a new meeting keeps the rest of the week where it was."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from planner_geographies import BASE, MONDAY, at, rules
from store_keys import open_store

from sfa_desktop.core.entities import Account, AccountPlan, CalendarEvent, CoverageLine
from sfa_desktop.core.enums import Channel, EventStatus
from sfa_desktop.operations.visit_accept import accept_week
from sfa_desktop.operations.visit_plan import WeekFrame, propose_week
from sfa_desktop.store import Store

BERLIN = ZoneInfo("Europe/Berlin")
FRAME = WeekFrame(MONDAY, BERLIN)


def _seed(store: Store) -> None:
    for i in range(14):
        point = at(40 * math.cos(i * 0.45), 40 * math.sin(i * 0.45), BASE)
        account = store.create(
            Account,
            {
                "name": f"Customer {i:02d}",
                "grade": "B",
                "city": "Town",
                "latitude": point.latitude,
                "longitude": point.longitude,
            },
        ).value
        lines = tuple(
            CoverageLine(channel=Channel.VISIT, quarter=q, planned=4) for q in range(1, 5)
        )
        store.create(
            AccountPlan,
            {"account_id": account.id, "fiscal_year": 2026, "grade": "B", "coverage": lines},
        )


def _planned(store: Store) -> dict[str, CalendarEvent]:
    events = store.records(CalendarEvent)
    return {e.account_id or "": e for e in events if e.planned and e.channel is Channel.VISIT}


def _days(events: dict[str, CalendarEvent]) -> dict[str, object]:
    return {
        a: e.starts_at.astimezone(BERLIN).date()
        for a, e in events.items()
        if e.status is not EventStatus.CANCELLED
    }


def test_accept_undo_and_replan_keep_the_week_stable(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    _seed(store)
    settings = rules(days=3, max_drive=300)
    plan = propose_week(store, FRAME, settings, time_limit_s=0.5)
    assert len(plan.visits) >= 8
    outbox = store.outbox_count()
    accepted = accept_week(store, plan, FRAME)
    events = _planned(store)
    assert len(events) == len(plan.visits) == len(accepted.value)
    assert store.outbox_count() == outbox + len(events)  # each one syncs
    for stop in plan.visits:
        event = events[stop.account_id or ""]
        assert event.starts_at == FRAME.moment(stop.starts)
        assert event.location == "Town"
        assert event.travel_minutes == stop.travel_minutes
        assert event.channel is Channel.VISIT
    assert accepted.undo is not None
    accepted.undo.apply(store)
    assert _planned(store) == {}
    accept_week(store, plan, FRAME)
    before = _days(_planned(store))

    gone = sorted(before)[0]
    store.update(CalendarEvent, _planned(store)[gone].id, {"status": EventStatus.CANCELLED})
    again = propose_week(store, FRAME, settings, time_limit_s=0.3)
    assert gone not in {s.account_id for s in again.visits}
    kept = {s.account_id: s for s in again.visits if s.event_id}
    assert set(kept) == set(before) - {gone}
    for account_id, stop in kept.items():
        assert FRAME.moment(stop.starts).astimezone(BERLIN).date() == before[account_id]
    accept_week(store, again, FRAME)

    # A new meeting on top of the first visit of the first busy day, nowhere in particular.
    first = min(_planned(store).values(), key=lambda e: e.starts_at)
    store.create(
        CalendarEvent,
        {
            "title": "Board meeting",
            "channel": Channel.CALL,
            "starts_at": first.starts_at,
            "ends_at": first.ends_at,
        },
    )
    third = propose_week(store, FRAME, settings, time_limit_s=0.3)
    moved = {s.account_id: FRAME.moment(s.starts) for s in third.visits if s.event_id}
    now = _days(_planned(store))
    assert set(moved) == set(now)
    for account_id, when in moved.items():
        assert when.astimezone(BERLIN).date() == now[account_id]
    for stop in third.visits:
        starts, ends = FRAME.moment(stop.starts), FRAME.moment(stop.ends)
        assert ends <= first.starts_at or starts >= first.ends_at
    store.close()


def _seed_far(store: Store) -> None:
    """Ten A accounts 1 km apart, 200 km north: two days and a night away (see
    test_overnight), or four days from home."""
    for i in range(10):
        point = at(200, i)
        account = store.create(
            Account,
            {
                "name": f"Far {i}",
                "grade": "A",
                "city": "Farburg",
                "latitude": point.latitude,
                "longitude": point.longitude,
            },
        ).value
        lines = tuple(
            CoverageLine(channel=Channel.VISIT, quarter=q, planned=6) for q in range(1, 5)
        )
        store.create(
            AccountPlan,
            {"account_id": account.id, "fiscal_year": 2026, "grade": "A", "coverage": lines},
        )


def _notes(store: Store) -> list[CalendarEvent]:
    return [e for e in store.records(CalendarEvent) if e.channel is Channel.NOTE]


def test_a_night_away_is_an_all_day_note_kept_by_re_plans(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    _seed_far(store)
    away = rules(max_drive=420, hotel_nights=True, visit_minutes=dict.fromkeys("ABCDE", 60))
    plan = propose_week(store, FRAME, away, time_limit_s=0.5)
    assert len(plan.nights) == 1
    night = plan.nights[0]
    last = plan.days[night.day].stops[-1]
    accepted = accept_week(store, plan, FRAME)
    assert len(_notes(store)) == 1
    assert accepted.undo is not None
    accepted.undo.apply(store)  # one undo takes the visits and the note
    assert _notes(store) == []
    assert _planned(store) == {}
    accept_week(store, plan, FRAME)
    [note] = _notes(store)
    evening = MONDAY + timedelta(days=night.day)
    assert note.all_day
    assert note.planned
    assert note.starts_at.astimezone(BERLIN).date() == evening
    assert note.starts_at.astimezone(BERLIN).hour == 0
    assert note.account_id == last.account_id
    assert note.title == f"Night away near {night.near}"
    assert "hotel 110.00" in note.notes
    assert note.location == "Farburg"
    assert len(_planned(store)) == 10

    # Re-planned after a cancelled visit: the night stays where it was, not a blocked day.
    gone = plan.days[night.day + 1].stops[-1]
    cancelled = {"status": EventStatus.CANCELLED}
    store.update(CalendarEvent, _planned(store)[gone.account_id or ""].id, cancelled)
    again = propose_week(store, FRAME, away, time_limit_s=0.3)
    assert [(n.day, n.event_id, n.point) for n in again.nights] == [
        (night.day, note.id, night.point)
    ]
    assert len(again.visits) == 9
    assert {s.account_id for s in again.visits} == {s.account_id for s in plan.visits} - {
        gone.account_id
    }
    accept_week(store, again, FRAME)
    assert len(_notes(store)) == 1

    # With nights away turned off the week comes home every day; Accept cancels the note.
    home = propose_week(store, FRAME, rules(max_drive=420), time_limit_s=0.3)
    assert home.nights == ()
    moved = accept_week(store, home, FRAME)
    assert store.get(CalendarEvent, note.id).status is EventStatus.CANCELLED
    assert moved.undo is not None
    moved.undo.apply(store)
    assert store.get(CalendarEvent, note.id).status is EventStatus.CONFIRMED
    store.close()
