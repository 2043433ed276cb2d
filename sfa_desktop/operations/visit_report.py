"""The proposed week as text and as JSON (the headless `plan-visits` command prints them)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sfa_desktop.core.rules.visits import duration_text
from sfa_desktop.operations.visit_plan import WeekFrame
from sfa_desktop.planner.week import DAY, Night, PlannedStop, WeekPlan


def _clock(minutes: int) -> str:
    rest = minutes % DAY
    return f"{rest // 60:02d}:{rest % 60:02d}"


def plan_as_json(plan: WeekPlan, frame: WeekFrame) -> dict[str, Any]:
    """Days, stops (local and UTC times, drive, km, reason), nights away, skips and
    warnings; money in currency units."""
    return {
        "week_start": plan.week_start.isoformat(),
        "total_km": round(plan.total_km, 1),
        "travel_cost": plan.travel_cost / 100,
        "hotel_cost": plan.hotel_cost / 100,
        "days": [
            {
                "date": day.date.isoformat(),
                "leaves": _clock(day.leaves) if day.stops or day.start else None,
                "returns": _clock(day.returns) if day.stops or day.night else None,
                "starts_at_hotel": day.start is not None,
                "km": round(day.km, 1),
                "drive_minutes": day.drive_minutes,
                "stops": [_stop(stop, frame) for stop in day.stops],
                "night": _night(day.night, plan.week_start) if day.night else None,
            }
            for day in plan.days
        ],
        "nights": [_night(night, plan.week_start) for night in plan.nights],
        "skipped": [
            {
                "account_id": s.account_id,
                "name": s.name,
                "grade": s.grade,
                "reason": s.reason,
                "suggestion": s.suggestion.value if s.suggestion else None,
            }
            for s in plan.skipped
        ],
        "warnings": list(plan.warnings),
    }


def _stop(stop: PlannedStop, frame: WeekFrame) -> dict[str, Any]:
    return {
        "account_id": stop.account_id,
        "name": stop.name,
        "grade": stop.grade,
        "starts": _clock(stop.starts),
        "ends": _clock(stop.ends),
        "starts_at": frame.moment(stop.starts).isoformat(),
        "ends_at": frame.moment(stop.ends).isoformat(),
        "drive_minutes": stop.travel_minutes,
        "km": round(stop.travel_km, 1),
        "fixed": stop.fixed,
        "address": stop.address,
        "opportunity_id": stop.opportunity_id,
        "reason": stop.reason,
    }


def _night(night: Night, week_start: date) -> dict[str, Any]:
    """A night away; `date` is the evening it starts."""
    return {
        "date": (week_start + timedelta(days=night.day)).isoformat(),
        "near": night.near,
        "latitude": round(night.point.latitude, 5),
        "longitude": round(night.point.longitude, 5),
        "account_id": night.account_id,
        "saves_drive_minutes": night.saves_minutes,
        "saves_km": round(night.saves_km, 1),
        "hotel_cost": night.cost / 100,
        "reason": night.reason,
    }


def plan_as_text(plan: WeekPlan) -> str:
    nights = len(plan.nights)
    away = f", {nights} night{'s' * (nights != 1)} away" if nights else ""
    lines = [
        f"Week of {plan.week_start:%a %d %b %Y}: {plan.total_km:.0f} km, "
        f"travel {plan.travel_cost / 100:.2f}{away}"
    ]
    for day in plan.days:
        if not day.stops and not day.start and not day.night:
            lines.append(f"\n{day.date:%a %d %b}: no visits")
            continue
        leave = "leave the hotel" if day.start else "leave"
        back = "at the hotel" if day.night else "back"
        lines.append(
            f"\n{day.date:%a %d %b}: {leave} {_clock(day.leaves)}, {back} "
            f"{_clock(day.returns)}, {day.km:.0f} km, {duration_text(day.drive_minutes)} driving"
        )
        for stop in day.stops:
            lines.append(
                f"  {_clock(stop.starts)}-{_clock(stop.ends)}  {stop.name}  "
                f"({stop.travel_km:.0f} km, {duration_text(stop.travel_minutes)})  {stop.reason}"
            )
        if day.night:
            lines.append(f"  Night: {day.night.reason}")
    if plan.skipped:
        lines.append(f"\nNot this week ({len(plan.skipped)}):")
        lines.extend(f"  {s.name}: {s.reason}" for s in plan.skipped)
    lines.extend(f"\nWarning: {w}" for w in plan.warnings)
    return "\n".join(lines)
