"""Pipeline and forecast maths over opportunities (amounts in integer minor units)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sfa_desktop.core.entities.pipeline import Opportunity
from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.periods import Period


def _single_currency(opportunities: list[Opportunity]) -> str | None:
    currencies = {opp.currency for opp in opportunities}
    if len(currencies) > 1:
        raise ValueError(f"cannot add amounts in {', '.join(sorted(currencies))} together")
    return next(iter(currencies), None)


def weighted_pipeline(opportunities: Iterable[Opportunity]) -> int:
    """Sum of amount × probability over open opportunities."""
    open_opps = [opp for opp in opportunities if opp.is_open]
    _single_currency(open_opps)
    return sum(opp.weighted_amount for opp in open_opps)


@dataclass(frozen=True)
class ForecastTotals:
    """Amounts per forecast category, and the cumulative calls built from them."""

    closed: int = 0
    commit: int = 0
    best_case: int = 0
    pipeline: int = 0
    omitted: int = 0

    @property
    def commit_forecast(self) -> int:
        """What the rep is sure of: already closed plus committed."""
        return self.closed + self.commit

    @property
    def best_case_forecast(self) -> int:
        """What could land if the likely deals close too."""
        return self.commit_forecast + self.best_case

    @property
    def open_pipeline(self) -> int:
        """Every open amount that still counts toward the period."""
        return self.commit + self.best_case + self.pipeline

    def of(self, category: ForecastCategory) -> int:
        return int(getattr(self, category.value))

    def __add__(self, other: ForecastTotals) -> ForecastTotals:
        return ForecastTotals(**{c.value: self.of(c) + other.of(c) for c in ForecastCategory})


def forecast_totals(opportunities: Iterable[Opportunity], period: Period) -> ForecastTotals:
    """Amounts by forecast category for opportunities closing in `period`."""
    in_period = [opp for opp in opportunities if opp.close_date in period]
    _single_currency(in_period)
    sums = dict.fromkeys(ForecastCategory, 0)
    for opp in in_period:
        sums[opp.forecast_category] += opp.amount
    return ForecastTotals(**{category.value: amount for category, amount in sums.items()})


def attainment(closed: int, quota: int) -> float | None:
    """Closed revenue as a fraction of quota; None without a quota."""
    return closed / quota if quota > 0 else None
