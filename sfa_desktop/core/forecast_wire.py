"""Forecast API wire models (server responses the desktop client reads)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from sfa_desktop.core.enums import ForecastCategory, Role
from sfa_desktop.core.rules.currency import RateTable
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
    """A person's call: a rep's for their own deals, a manager's for the whole team."""

    id: str
    commit: int
    best_case: int
    comment: str
    submitted_at: datetime
    currency: str = "EUR"  # of `commit` and `best_case` as shown (converted when needed)


class AdjustmentInfo(_Answer):
    """A manager's figure for a person's category total, in the report's currency."""

    id: str
    manager_id: str
    subject_user_id: str
    period: str
    category: ForecastCategory
    amount: int
    comment: str
    manager_name: str = ""
    applied: bool = Field(
        default=True,
        description="counted in this view's adjusted figures: the adjustment of the highest"
        " manager between the person and the viewer; an adjustment by a manager below that"
        " one is shown but overridden, one by the viewer's own manager is shown as theirs",
    )


class LeftOutInfo(_Answer):
    """Amounts that could not be converted into the report's currency (no rate)."""

    kind: str = Field(description="deal, quota or adjustment")
    currency: str = Field(description="the amounts' own currency")
    missing: str = Field(description="the currency with no rate on the amounts' day")
    count: int
    amount: int = Field(description="their sum in `currency`")
    first_day: date | None = None


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
    submission: SubmissionInfo | None = Field(
        default=None,
        description="the person's latest call for the period: a manager's is the team call",
    )
    call_due: bool = Field(default=False, description="no call for the period in the last 7 days")
    reports_call: CategoryAmounts = Field(
        default_factory=CategoryAmounts,
        description="the direct reports' calls added up (commit and best_case only)",
    )
    reports_without_call: int = Field(
        default=0, description="direct reports with no call for the period"
    )
    adjustments: list[AdjustmentInfo] = Field(
        default_factory=list,
        description="every manager's adjustment of this person in the current reporting"
        " line, the viewer's manager's included (`applied` says which count here)",
    )
    converted: list[str] = Field(
        default_factory=list,
        description="currencies of deals in this subtree converted into the report's",
    )
    left_out: list[LeftOutInfo] = Field(
        default_factory=list,
        description="deals (own and below), quota and adjustments with no rate: not counted",
    )
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
    corporate_currency: str = "EUR"


class AdjustmentRequest(_Wire):
    subject_user_id: str = Field(min_length=1, max_length=64)
    period: str = Field(min_length=4, max_length=16)
    category: ForecastCategory
    amount: int = Field(ge=0, le=10**15)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
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
    manager_name: str = ""
    subject_name: str = ""
    currency: str = "EUR"  # of the amounts, as the manager entered them


class AuditList(_Answer):
    entries: list[AuditEntry]


class SnapshotPoint(_Answer):
    taken_at: datetime
    adjusted: CategoryAmounts
    quota: int
    totals: CategoryAmounts | None = None  # the deals' own sum (None in older snapshots)
    submitted_commit: int | None = None
    submitted_best_case: int | None = None


class ForecastHistory(_Answer):
    user_id: str
    period: str
    points: list[SnapshotPoint]


class RateInfo(_Answer):
    """One unit of `currency` is worth `rate` (decimal text) corporate units from
    `valid_from` on."""

    currency: str
    valid_from: date
    rate: str


class RateSheet(_Answer):
    """The organisation's corporate currency and every exchange rate set against it."""

    base: str
    rates: list[RateInfo] = Field(default_factory=list)

    def table(self) -> RateTable:
        return RateTable.of(self.base, ((r.currency, r.valid_from, r.rate) for r in self.rates))


class DealLine(_Answer):
    """One deal behind a forecast cell."""

    id: str
    name: str
    account_id: str | None
    account_name: str
    owner_id: str
    owner_name: str
    stage: str
    category: ForecastCategory
    close_date: date
    amount: int | None = Field(description="in the list's currency; None without a rate")
    original_amount: int
    original_currency: str
    overdue: bool = Field(description="open with a close date before today")


class DealSubtotal(_Answer):
    owner_id: str
    owner_name: str
    count: int
    amount: int


class DealList(_Answer):
    """The deals in a person's subtree for a period (one category or all), with each
    owner's subtotal, in one currency."""

    period: str
    currency: str
    user_id: str
    category: ForecastCategory | None
    deals: list[DealLine]
    subtotals: list[DealSubtotal]
    total: int
    left_out: list[LeftOutInfo] = Field(default_factory=list)


class DealMove(_Answer):
    """A change to a deal in the period since a snapshot: in, out, won, lost, stage,
    category, amount, slipped (close date later) or pulled in (earlier)."""

    opportunity_id: str
    name: str
    owner_id: str
    owner_name: str
    kind: str
    before: str
    after: str
    amount_change: int = Field(description="what the move did to the open pipeline, cents")


class MoveList(_Answer):
    period: str
    currency: str
    since: datetime | None = Field(description="the snapshot compared with; None: none yet")
    moves: list[DealMove]
