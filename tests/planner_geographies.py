"""Hand-made geographies for the planner tests: places by bearing and distance from a base.

Distances here come from the spherical law of cosines, not from the planner's haversine.
"""

from __future__ import annotations

import math
from datetime import date

from sfa_desktop.core.rules.geo import DriveModel, Point
from sfa_desktop.core.rules.visits import AccountState
from sfa_desktop.planner.rules import Rules
from sfa_desktop.planner.week import Place

BASE = Point(50.0, 10.0)
MONDAY = date(2026, 12, 7)  # ISO week 2026-W50
KM_PER_DEGREE = 6371.0088 * math.pi / 180
# Straight roads at 60 km/h: a km is a minute, so drive times can be checked by hand.
STRAIGHT = DriveModel(road_factor=1.0, speed_kmh=60.0)


def at(km_north: float, km_east: float, origin: Point = BASE) -> Point:
    """The point `km_north` and `km_east` of `origin` (small distances)."""
    latitude = origin.latitude + km_north / KM_PER_DEGREE
    longitude = origin.longitude + km_east / (KM_PER_DEGREE * math.cos(math.radians(latitude)))
    return Point(latitude, longitude)


def km_between(a: Point, b: Point) -> float:
    """Great-circle km by the spherical law of cosines (independent of the planner's)."""
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dl = math.radians(b.longitude - a.longitude)
    cosine = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0088 * math.acos(max(-1.0, min(1.0, cosine)))


def account(
    name: str, point: Point | None, grade: str = "B", behind: float = 1.0, value: int = 100_000
) -> Place:
    state = AccountState(
        account_id=name, name=name, grade=grade, value=value, behind=behind, last_visit=MONDAY
    )
    return Place(state, point, f"{name} street 1")


def rules(**changes: object) -> Rules:
    settings: dict[str, object] = {
        "base": BASE,
        "day_start": 8 * 60,
        "day_end": 18 * 60,
        "days": 5,
        "max_drive": 240,
        "drive": STRAIGHT,
        "visit_minutes": {"A": 60, "B": 60, "C": 60, "D": 60, "E": 60},
    }
    settings.update(changes)
    return Rules(**settings)  # type: ignore[arg-type]
