"""Forecast API wire models (server responses the desktop client reads)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sfa_desktop.core.enums import ForecastCategory, Role
from sfa_desktop.core.rules.forecast import AttainmentBasis, ForecastTotals, QuotaSource


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Answer(BaseModel):
    """A server answer: fields a later server adds are ignored, so this client still reads
    it (fields added here have defaults, so it also reads an earlier server's answer)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class CategoryAmounts(_Answer):
    """Amounts per forecast category in minor units."""

    closed: int = 0
    commit: int = 0
    best_case: int = 0
    pipeline: int = 0
    omitted: int = 0

    @classmethod
    def of(cls, totals: ForecastTotals) -> CategoryAmounts:
        return cls(**{category.value: totals.of(category) for category in ForecastCategory})

    def totals(self) -> ForecastTotals:
        return ForecastTotals(**self.model_dump())


class SubmissionInfo(_Answer):
    id: str
    commit: int
    best_case: int
    comment: str
    submitted_at: datetime


class AdjustmentInfo(_Answer):
    id: str
    manager_id: str
    subject_user_id: str
    period: str
    category: ForecastCategory
    amount: int
    comment: str


class ForecastNode(_Answer):
    """One person in the hierarchy: own deals, the rolled-up totals, quotas and calls.

    A manager's `quota` is the one set for them (the team's number); the reports' quotas
    add up to `rolled_up_quota` beside it and are never added to it (docs/forecasting.md).
    """

    user_id: str
    name: str
    role: Role
    manager_id: str | None
    own: CategoryAmounts
    totals: CategoryAmounts = Field(description="own plus every report, unadjusted")
    adjusted: CategoryAmounts = Field(description="totals with manager adjustments applied")
    quota: int = Field(
        description="the quota set for this person for the period (a manager's: the team's"
        " number), added up from months or quarters when the period has none (quota_source);"
        " 0 without one"
    )
    quota_source: QuotaSource = Field(
        default=QuotaSource.SET,
        description="set for the period, from months, from quarters, or none",
    )
    quota_missing: list[str] = Field(
        default_factory=list,
        description="months or quarters with no quota inside the period, when `quota` is"
        " added up from them (they count as 0: the quota is partial)",
    )
    rolled_up_quota: int = Field(
        default=0,
        description="the sum of the direct reports' quotas (each their own, or their rolled-up"
        " quota when they have none); 0 for a rep",
    )
    attainment_basis: AttainmentBasis = Field(
        default=AttainmentBasis.OWN,
        description="the quota attainment is measured against: own (`quota`), rolled up"
        " (`rolled_up_quota`, a manager without a quota of their own) or none",
    )
    attainment: float | None = Field(
        description="closed / the quota named by attainment_basis, None without a quota"
    )
    submission: SubmissionInfo | None = None
    adjustments: list[AdjustmentInfo] = Field(default_factory=list)
    reports: list[ForecastNode] = Field(default_factory=list)

    @property
    def measured_quota(self) -> int:
        """The quota `attainment` is measured against (0 when there is none)."""
        if self.attainment_basis is AttainmentBasis.ROLLED_UP:
            return self.rolled_up_quota
        return self.quota if self.attainment_basis is AttainmentBasis.OWN else 0


class ForecastReport(_Answer):
    period: str
    currency: str
    generated_at: datetime
    root: ForecastNode


class AdjustmentRequest(_Wire):
    subject_user_id: str = Field(min_length=1, max_length=64)
    period: str = Field(min_length=4, max_length=16)
    category: ForecastCategory
    amount: int = Field(ge=0, le=10**15)
    currency: str = "EUR"
    comment: str = Field(min_length=1, max_length=20_000)


class AuditEntry(_Answer):
    adjustment_id: str
    manager_id: str
    subject_user_id: str
    period: str
    category: ForecastCategory
    old_amount: int | None
    new_amount: int | None
    comment: str
    at: datetime


class AuditList(_Answer):
    entries: list[AuditEntry]


class SnapshotPoint(_Answer):
    taken_at: datetime
    adjusted: CategoryAmounts
    quota: int


class ForecastHistory(_Answer):
    user_id: str
    period: str
    points: list[SnapshotPoint]
