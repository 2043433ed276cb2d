"""The quota rules on their own: a period's quota from the months and quarters inside it,
and which quota a person's attainment is measured against (docs/forecasting.md)."""

from __future__ import annotations

from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.forecast import (
    AttainmentBasis,
    PeriodQuota,
    QuotaSource,
    attainment_quota,
    period_quota,
)


def _quota(quotas: dict[str, int], period: str) -> PeriodQuota:
    return period_quota(quotas, Period.parse(period))


def test_parts_and_everything_within() -> None:
    assert [str(p) for p in Period.parse("2026").parts()] == [f"2026-Q{q}" for q in range(1, 5)]
    assert [str(p) for p in Period.parse("2026-Q4").parts()] == ["2026-10", "2026-11", "2026-12"]
    assert Period.parse("2026-11").parts() == []
    within = [str(p) for p in Period.parse("2026").within()]
    assert len(within) == 17  # the year, 4 quarters, 12 months
    assert within[:3] == ["2026", "2026-Q1", "2026-01"]


def test_a_set_quota_wins_over_its_parts() -> None:
    quotas = {"2026-Q4": 900, "2026-10": 100, "2026-11": 100, "2026-12": 100}
    assert _quota(quotas, "2026-Q4") == PeriodQuota(900, QuotaSource.SET)


def test_a_quarter_adds_up_its_months_and_names_the_missing_one() -> None:
    full = {"2026-10": 300, "2026-11": 400, "2026-12": 500}
    assert _quota(full, "2026-Q4") == PeriodQuota(1_200, QuotaSource.FROM_MONTHS)  # 300+400+500
    partial = _quota({"2026-10": 300, "2026-12": 500}, "2026-Q4")
    assert partial == PeriodQuota(800, QuotaSource.FROM_MONTHS, ("2026-11",))  # 300 + 0 + 500
    assert partial.partial


def test_a_year_adds_up_its_quarters_set_or_from_months() -> None:
    quotas = {"2026-Q1": 1_000, "2026-Q3": 2_000, "2026-10": 300, "2026-11": 400}
    # Q1 1,000 + Q2 none + Q3 2,000 + Q4 (300 + 400, December none) = 3,700
    assert _quota(quotas, "2026") == PeriodQuota(
        3_700, QuotaSource.FROM_QUARTERS, ("2026-Q2", "2026-12")
    )
    only_months = {f"2026-{m:02d}": 50 for m in range(1, 13)}
    assert _quota(only_months, "2026") == PeriodQuota(600, QuotaSource.FROM_MONTHS)  # 12 x 50


def test_no_quota_anywhere_and_never_split_down() -> None:
    assert _quota({}, "2026") == PeriodQuota(0, QuotaSource.NONE)
    assert _quota({"2026-Q4": 900}, "2026-11") == PeriodQuota(0, QuotaSource.NONE)
    assert _quota({"2025-12": 10}, "2026-Q1") == PeriodQuota(0, QuotaSource.NONE)


def test_attainment_is_against_the_own_quota_else_the_rolled_up_one() -> None:
    own = PeriodQuota(1_800, QuotaSource.SET)
    assert attainment_quota(own, 1_500) == (1_800, AttainmentBasis.OWN)  # never 1,800 + 1,500
    assert attainment_quota(PeriodQuota(), 1_500) == (1_500, AttainmentBasis.ROLLED_UP)
    assert attainment_quota(PeriodQuota(), 0) == (0, AttainmentBasis.NONE)
