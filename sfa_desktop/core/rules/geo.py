"""Distances and drive times between coordinates: great circle × road factor at an average speed.

No road network is reachable offline, so a drive is estimated from the great-circle
(haversine) distance: road km = great-circle km × road factor, minutes = road km at the
average speed. The defaults (1.3, 60 km/h) are the planner settings' defaults; see
docs/decisions.md for how they were chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)


@dataclass(frozen=True)
class Point:
    """A place in WGS 84 degrees."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class DriveModel:
    """How road distance and drive time follow from the straight line."""

    road_factor: float = 1.3
    speed_kmh: float = 60.0

    def road_km(self, a: Point, b: Point) -> float:
        return haversine_km(a, b) * self.road_factor

    def minutes(self, a: Point, b: Point) -> int:
        """Whole minutes of driving, to the nearest minute."""
        return round(self.road_km(a, b) / self.speed_kmh * 60)


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance in km."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def parse_point(text: str) -> Point | None:
    """'48.137, 11.575' as a Point; None when it is not two numbers in range."""
    parts = text.replace(";", ",").split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat) or math.isnan(lon):
        return None
    return Point(lat, lon)


def point_problem(text: str) -> str | None:
    """Why `text` is not 'latitude, longitude' in degrees (None when it is)."""
    if parse_point(text) is None:
        return f"must be latitude, longitude in degrees such as 48.137, 11.575, got {text!r}"
    return None


def format_point(point: Point) -> str:
    return f"{point.latitude:.5f}, {point.longitude:.5f}"
