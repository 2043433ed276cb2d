"""The rep's planning settings as the planner reads them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sfa_desktop.core.rules.coverage import travel_cost
from sfa_desktop.core.rules.geo import DriveModel, Point
from sfa_desktop.core.rules.visits import DEFAULT_VISIT_MINUTES


@dataclass(frozen=True)
class Rules:
    """The rep's planning settings; times in minutes after midnight, money in minor units."""

    base: Point
    day_start: int = 8 * 60
    day_end: int = 18 * 60
    days: int = 5
    max_drive: int = 240
    drive: DriveModel = field(default_factory=DriveModel)
    visit_minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_VISIT_MINUTES))
    hotel_nights: bool = False  # a day may end at a hotel near its last stop
    hotel_cents: int = 11_000  # a night at a hotel
    cents_per_km: int = 30  # the mileage rate: what a km of driving costs

    def visit_length(self, grade: str) -> int:
        return self.visit_minutes.get(grade, min(self.visit_minutes.values(), default=45))

    @property
    def hotel_minutes(self) -> int:
        """A night's hotel as the drive minutes that cost as much at the mileage rate (what
        a night away must save to be worth it); 0 without a mileage rate."""
        per_minute = self.cents_per_km * self.drive.speed_kmh / 60
        return round(self.hotel_cents / per_minute) if per_minute > 0 else 0

    def travel_cents(self, km: float, nights: int) -> int:
        """What driving `km` and sleeping `nights` away costs (minor units)."""
        return travel_cost(km, self.cents_per_km) + nights * self.hotel_cents
