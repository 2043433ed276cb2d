"""The rep's planning settings as the planner reads them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sfa_desktop.core.rules.geo import DriveModel, Point
from sfa_desktop.core.rules.visits import DEFAULT_VISIT_MINUTES


@dataclass(frozen=True)
class Rules:
    """The rep's planning settings; times in minutes after midnight."""

    base: Point
    day_start: int = 8 * 60
    day_end: int = 18 * 60
    days: int = 5
    max_drive: int = 240
    drive: DriveModel = field(default_factory=DriveModel)
    visit_minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_VISIT_MINUTES))

    def visit_length(self, grade: str) -> int:
        return self.visit_minutes.get(grade, min(self.visit_minutes.values(), default=45))
