"""Forecast API wire models (server responses the desktop client reads)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sfa_desktop.core.enums import ForecastCategory, Role
from sfa_desktop.core.rules.forecast import ForecastTotals


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CategoryAmounts(_Wire):
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


class SubmissionInfo(_Wire):
    id: str
    commit: int
    best_case: int
    comment: str
    submitted_at: datetime


class AdjustmentInfo(_Wire):
    id: str
    manager_id: str
    subject_user_id: str
    period: str
    category: ForecastCategory
    amount: int
    comment: str


class ForecastNode(_Wire):
    """One person in the hierarchy: own deals, the rolled-up totals, quota and calls."""

    user_id: str
    name: str
    role: Role
    manager_id: str | None
    own: CategoryAmounts
    totals: CategoryAmounts = Field(description="own plus every report, unadjusted")
    adjusted: CategoryAmounts = Field(description="totals with manager adjustments applied")
    quota: int = Field(description="own quota plus the reports' quotas")
    attainment: float | None = Field(description="closed / quota, None without a quota")
    submission: SubmissionInfo | None = None
    adjustments: list[AdjustmentInfo] = Field(default_factory=list)
    reports: list[ForecastNode] = Field(default_factory=list)


class ForecastReport(_Wire):
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


class AuditEntry(_Wire):
    adjustment_id: str
    manager_id: str
    subject_user_id: str
    period: str
    category: ForecastCategory
    old_amount: int | None
    new_amount: int | None
    comment: str
    at: datetime


class AuditList(_Wire):
    entries: list[AuditEntry]


class SnapshotPoint(_Wire):
    taken_at: datetime
    adjusted: CategoryAmounts
    quota: int


class ForecastHistory(_Wire):
    user_id: str
    period: str
    points: list[SnapshotPoint]
