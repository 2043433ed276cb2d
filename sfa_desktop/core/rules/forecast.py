"""Pipeline and forecast maths over opportunities (amounts in integer minor units)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sfa_desktop.core.entities.pipeline import Opportunity
from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.periods import Period, PeriodKind


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


class QuotaSource(StrEnum):
    """Where a person's quota for a period comes from (see docs/forecasting.md)."""

    SET = "set"  # a quota was set for exactly this period
    FROM_MONTHS = "from months"  # the sum of the monthly quotas inside it
    FROM_QUARTERS = "from quarters"  # a year: the sum of its quarters (set or from months)
    NONE = "none"  # no quota for this period or any period inside it


class AttainmentBasis(StrEnum):
    """Which quota attainment is measured against."""

    OWN = "own"  # the quota set for the person (a manager's: the team's number)
    ROLLED_UP = "rolled up"  # a manager without one: the sum of the reports' quotas
    NONE = "none"  # neither: no attainment


_FROM = {PeriodKind.MONTH: QuotaSource.FROM_MONTHS, PeriodKind.QUARTER: QuotaSource.FROM_QUARTERS}


@dataclass(frozen=True)
class PeriodQuota:
    """One person's quota for a period: the amount, where it comes from, and the parts
    (months or quarters) that had no quota when it was added up from them."""

    amount: int = 0
    source: QuotaSource = QuotaSource.NONE
    missing: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        """Added up from parts, and some parts have no quota (they count as 0)."""
        return bool(self.missing)


def period_quota(quotas: Mapping[str, int], period: Period) -> PeriodQuota:
    """The quota for `period` from one person's quotas by period text ("2026-11": amount).

    A quota set for the period itself wins. Without one, a quarter is the sum of its
    months and a year the sum of its quarters (each set, or from its months). Parts with
    no quota count as 0 and are named in `missing`; with no quota in any part there is no
    quota. Quotas are never split down: a month inside a quarter with a quota has none.
    """
    if str(period) in quotas:
        return PeriodQuota(quotas[str(period)], QuotaSource.SET)
    parts = period.parts()
    found = [period_quota(quotas, part) for part in parts]
    if all(quota.source is QuotaSource.NONE for quota in found):
        return PeriodQuota()
    missing: list[str] = []
    for part, quota in zip(parts, found, strict=True):
        missing.extend([str(part)] if quota.source is QuotaSource.NONE else quota.missing)
    if any(quota.source is QuotaSource.SET for quota in found):
        source = _FROM[parts[0].kind]
    else:  # every part was itself added up from months
        source = QuotaSource.FROM_MONTHS
    return PeriodQuota(sum(quota.amount for quota in found), source, tuple(missing))


def attainment_quota(own: PeriodQuota, rolled_up: int) -> tuple[int, AttainmentBasis]:
    """The quota attainment is measured against: the person's own (for a manager, the
    team's number set for them), else the sum of the reports' quotas (`rolled_up`)."""
    if own.source is not QuotaSource.NONE:
        return own.amount, AttainmentBasis.OWN
    if rolled_up > 0:
        return rolled_up, AttainmentBasis.ROLLED_UP
    return 0, AttainmentBasis.NONE


CALL_EVERY = timedelta(days=7)  # a call older than this is due again


def call_due(last_call: datetime | None, now: datetime) -> bool:
    """Whether a person owes a call for a period: none yet, or the last is a week old."""
    return last_call is None or now - last_call >= CALL_EVERY
