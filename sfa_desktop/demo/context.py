"""What every part of the generator shares: the seed, the day, and working hours."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.demo.randomness import some_days

_WORKDAY_START = 8  # local hour of the first appointment slot
_WORKDAY_SLOTS = 20  # half-hour slots from 08:00 to 18:00


@dataclass(frozen=True)
class Context:
    """The seed and the day the demo is made for; `now` is 06:00 UTC that day."""

    seed: int
    today: date
    now: datetime = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", datetime.combine(self.today, time(6, 0), tzinfo=UTC))

    @property
    def quarter(self) -> Period:
        return Period.containing(self.today, PeriodKind.QUARTER)

    def rng(self, part: str) -> random.Random:
        """An independent random stream per part, so parts do not shift each other."""
        return random.Random(f"sfa-demo:{self.seed}:{part}")

    def days_ago(self, rng: random.Random, low: float, high: float) -> datetime:
        """A moment between `high` and `low` days before now."""
        return self.now - some_days(rng, low, high)


def workday(day: date) -> date:
    """The day itself on Monday to Friday, otherwise the Friday before."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def business_time(day: date, zone: str, rng: random.Random) -> datetime:
    """A half-hour slot between 08:00 and 18:00 local time on the workday at or before `day`."""
    slot = rng.randrange(_WORKDAY_SLOTS)
    local = datetime.combine(
        workday(day),
        time(_WORKDAY_START + slot // 2, 30 * (slot % 2)),
        tzinfo=ZoneInfo(zone),
    )
    return local.astimezone(UTC)
