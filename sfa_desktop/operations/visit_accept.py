"""Accepting a proposed week: its visits become calendar events in one undoable change,
and each night away an all-day note on the evening it starts (see docs/decisions.md)."""

from __future__ import annotations

from typing import Any

from sfa_desktop.core.entities import CalendarEvent, new_id
from sfa_desktop.core.enums import Channel, EventStatus
from sfa_desktop.core.rules.visits import duration_text, is_night_note
from sfa_desktop.operations.result import OpResult, Undo
from sfa_desktop.operations.visit_plan import WeekFrame
from sfa_desktop.planner.week import DAY, Night, PlannedStop, WeekInput, WeekPlan
from sfa_desktop.store import Changes, Store
from sfa_desktop.store.batch import Create, Update

_MOVED = ("starts_at", "ends_at", "travel_minutes", "travel_km", "notes")


def _notes(stop: PlannedStop) -> str:
    drive = f"Drive {duration_text(stop.travel_minutes)}, {stop.travel_km:.0f} km."
    return f"{stop.reason}.\n{drive}" if stop.reason else drive


def _fields(stop: PlannedStop, frame: WeekFrame) -> dict[str, Any]:
    return {
        "starts_at": frame.moment(stop.starts),
        "ends_at": frame.moment(stop.ends),
        "travel_minutes": min(stop.travel_minutes, 24 * 60),
        "travel_km": round(min(stop.travel_km, 5_000), 1),
        "notes": _notes(stop),
    }


def accept_week(store: Store, plan: WeekPlan, frame: WeekFrame) -> OpResult[list[str]]:
    """New visits become events (linked to the account and the deal, with the address and
    the drive to them); visits planned before move to their new times. One transaction;
    the undo deletes the new events and puts moved ones back."""
    operations: list[Create | Update] = []
    made: list[str] = []
    before: dict[str, dict[str, Any]] = {}
    for stop in plan.visits:
        fields = _fields(stop, frame)
        if stop.event_id is None:
            event_id = new_id()
            made.append(event_id)
            fields |= {
                "id": event_id,
                "title": f"Visit: {stop.name}"[:200],
                "timezone": frame.zone.key,
                "location": stop.address[:200],
                "channel": Channel.VISIT,
                "account_id": stop.account_id,
                "opportunity_id": stop.opportunity_id,
                "planned": True,
            }
            operations.append(Create(CalendarEvent, fields))
            continue
        event = store.get(CalendarEvent, stop.event_id)
        old = {name: getattr(event, name) for name in _MOVED}
        if any(old[name] != fields[name] for name in ("starts_at", "ends_at")):
            before[event.id] = old
            operations.append(Update(CalendarEvent, event.id, fields))
    operations += _nights(store, plan, frame, made, before)
    result = store.write_batch(operations)

    def undo(s: Store) -> Changes:
        changes = Changes()
        for event_id in made:
            changes |= s.delete(CalendarEvent, event_id)
        for event_id, fields in before.items():
            changes |= s.update(CalendarEvent, event_id, fields).changes
        return changes

    label = f"accept {len(made)} planned visits" if made else "move planned visits"
    return OpResult(made, result.changes, Undo(label, (undo,)))


def _nights(
    store: Store,
    plan: WeekPlan,
    frame: WeekFrame,
    made: list[str],
    before: dict[str, dict[str, Any]],
) -> list[Create | Update]:
    """A note for each new night away; notes of nights the plan no longer has cancelled."""
    operations: list[Create | Update] = []
    kept = {night.event_id for night in plan.nights if night.event_id}
    for event in store.events_between(frame.moment(0), frame.moment(7 * DAY)):
        cancelled = event.status is EventStatus.CANCELLED
        if is_night_note(event) and event.id not in kept and not cancelled:
            before[event.id] = {"status": event.status}
            operations.append(Update(CalendarEvent, event.id, {"status": EventStatus.CANCELLED}))
    for night in plan.nights:
        if night.event_id is None:
            made.append(event_id := new_id())
            operations.append(Create(CalendarEvent, _night_fields(event_id, night, frame)))
    return operations


def _night_fields(event_id: str, night: Night, frame: WeekFrame) -> dict[str, Any]:
    evening = frame.moment(night.day * DAY)  # all day: local midnight, as the calendar does
    return {
        "id": event_id,
        "title": f"Night away near {night.near}"[:200],
        "starts_at": evening,
        "ends_at": evening,
        "all_day": True,
        "timezone": frame.zone.key,
        "location": night.address[:200],
        "channel": Channel.NOTE,
        "account_id": night.account_id,
        "planned": True,
        "reminder_minutes": None,
        "notes": f"Hotel near the last visit of the day: {night.reason}.",
    }


def pending_visits(week: WeekInput, plan: WeekPlan) -> int:
    """How many of the plan's visits Accept would write: new ones and planned ones moved."""
    starts = {b.event_id: b.starts for b in week.booked}
    return sum(
        1
        for stop in plan.visits
        if stop.event_id is None or starts.get(stop.event_id) != stop.starts
    )
