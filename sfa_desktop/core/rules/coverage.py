"""Coverage: planned contacts per channel and quarter against logged activities."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sfa_desktop.core.entities.plans import AccountPlan
from sfa_desktop.core.entities.work import Activity
from sfa_desktop.core.enums import CONTACT_CHANNELS, DEFAULT_CHANNEL_COST, Channel
from sfa_desktop.core.periods import Period


@dataclass(frozen=True)
class CoverageCell:
    channel: Channel
    quarter: int
    planned: int
    actual: int
    cost_per_contact: int

    @property
    def gap(self) -> int:
        """Contacts still missing (negative when ahead of plan)."""
        return self.planned - self.actual

    @property
    def planned_cost(self) -> int:
        return self.planned * self.cost_per_contact

    @property
    def actual_cost(self) -> int:
        return self.actual * self.cost_per_contact


@dataclass(frozen=True)
class CoverageReport:
    """A plan's coverage grid with totals and its pro-rata position on a given day."""

    cells: tuple[CoverageCell, ...]
    expected_to_date: float
    actual_to_date: int

    @property
    def planned(self) -> int:
        return sum(cell.planned for cell in self.cells)

    @property
    def actual(self) -> int:
        return sum(cell.actual for cell in self.cells)

    @property
    def planned_cost(self) -> int:
        return sum(cell.planned_cost for cell in self.cells)

    @property
    def actual_cost(self) -> int:
        return sum(cell.actual_cost for cell in self.cells)

    @property
    def is_behind(self) -> bool:
        """Fewer contacts so far than the plan asks for by today (pro rata within quarters)."""
        return self.actual_to_date < self.expected_to_date

    def cell(self, channel: Channel, quarter: int) -> CoverageCell:
        return next(c for c in self.cells if c.channel is channel and c.quarter == quarter)


def _quarter_elapsed(quarter: Period, today: date) -> float:
    if today >= quarter.end:
        return 1.0
    if today < quarter.start:
        return 0.0
    return (today - quarter.start).days / (quarter.end - quarter.start).days


def coverage_report(
    plan: AccountPlan,
    activities: Iterable[Activity],
    today: date,
    costs: Mapping[Channel, int] = DEFAULT_CHANNEL_COST,
) -> CoverageReport:
    """Compare the plan's coverage lines with the activities logged in its fiscal year."""
    actual: Counter[tuple[Channel, int]] = Counter()
    actual_to_date = 0
    for activity in activities:
        when: datetime = activity.occurred_at
        if when.year != plan.fiscal_year or activity.channel not in CONTACT_CHANNELS:
            continue
        actual[(activity.channel, (when.month - 1) // 3 + 1)] += 1
        if when.date() <= today:
            actual_to_date += 1
    quarters = [Period.parse(f"{plan.fiscal_year}-Q{q}") for q in range(1, 5)]
    cells = tuple(
        CoverageCell(
            channel=channel,
            quarter=index + 1,
            planned=plan.planned(channel, index + 1),
            actual=actual[(channel, index + 1)],
            cost_per_contact=costs.get(channel, 0),
        )
        for channel in CONTACT_CHANNELS
        for index in range(4)
    )
    expected = sum(
        cell.planned * _quarter_elapsed(quarters[cell.quarter - 1], today) for cell in cells
    )
    return CoverageReport(cells=cells, expected_to_date=expected, actual_to_date=actual_to_date)


def expense_to_revenue(cost: int, revenue: int) -> float | None:
    """Cost to serve as a fraction of revenue; None when there is no revenue."""
    return cost / revenue if revenue > 0 else None


def behind_plan(
    plan: AccountPlan, activities: Iterable[Activity], day: date, channel: Channel
) -> float:
    """Contacts of `channel` the plan expects by `day` in its quarter (pro rata) and not yet
    made in that quarter; negative when ahead. Activities may include booked ones."""
    quarter = (day.month - 1) // 3 + 1
    cell = coverage_report(plan, activities, day).cell(channel, quarter)
    elapsed = _quarter_elapsed(Period.parse(f"{day.year}-Q{quarter}"), day)
    return cell.planned * elapsed - cell.actual


def travel_cost(km: float, cents_per_km: int) -> int:
    """What `km` driven cost, in minor units (rounded to the cent)."""
    return round(km * cents_per_km)
