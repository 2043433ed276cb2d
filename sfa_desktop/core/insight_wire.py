"""Insight API wire models: forecast accuracy, the projection's back-test, coverage and cost
to serve by grade, pipeline health. Amounts in minor units of `currency` (the corporate
one); shares and errors as fractions (0.25 = 25 %)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from sfa_desktop.core.enums import Role


class _Answer(BaseModel):
    """A server answer: fields a later server adds are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


# -- 1. forecast accuracy ---------------------------------------------------------------------

FIGURES = ("call_commit", "call_best_case", "adjusted", "projected")
FIGURE_LABELS = {
    "call_commit": "Commit call",
    "call_best_case": "Best-case call",
    "adjusted": "Adjusted forecast",
    "projected": "Projection",
}


class AccuracyPoint(_Answer):
    """The figures standing some days before a period's end, and their errors."""

    offset_days: int
    taken_at: datetime | None = Field(None, description="the snapshot read; None: none")
    call_commit: int | None = None
    call_best_case: int | None = None
    adjusted: int | None = Field(None, description="closed + commit as the person saw it")
    projected: int | None = None
    projection_source: str | None = None
    errors: dict[str, float | None] = Field(
        default_factory=dict, description="per figure: (figure − actual) ÷ actual"
    )


class AccuracyPeriod(_Answer):
    period: str
    actual: int = Field(description="what closed (won) in the period, the person's subtree")
    points: list[AccuracyPoint]


class BiasInfo(_Answer):
    """A figure's misses over the closed periods, read at the ranking offset."""

    figure: str
    periods: int
    mean_error: float | None = None
    mean_absolute_error: float | None = None
    lean: str = "unknown"  # over, under, even, unknown
    consistent: bool = False
    thin: bool = True  # too few periods to judge


class AccuracyRow(_Answer):
    user_id: str
    name: str
    role: Role
    is_subject: bool = False
    periods: list[AccuracyPeriod]
    biases: list[BiasInfo]
    rank: int | None = Field(None, description="1 = the most trusted commit calls")
    note: str = ""

    def bias(self, figure: str) -> BiasInfo | None:
        return next((b for b in self.biases if b.figure == figure), None)


class AccuracyReport(_Answer):
    user_id: str
    currency: str
    generated_at: datetime
    periods: list[str]
    offsets: list[int]
    rank_offset: int
    rows: list[AccuracyRow]  # the person first, then their direct reports


# -- 2. the projection's back-test ------------------------------------------------------------


class BacktestPoint(_Answer):
    taken_at: datetime
    days_before_end: int
    projected: int | None
    projection_source: str | None = None
    call_commit: int | None = None
    projected_error: float | None = None
    call_error: float | None = None


class BacktestPeriod(_Answer):
    period: str
    actual: int
    points: list[BacktestPoint]


class BacktestRow(_Answer):
    """One person's projection against their commit calls over every weekly snapshot."""

    user_id: str
    name: str
    role: Role
    points: int
    projection_error: float | None = Field(None, description="mean absolute error")
    call_error: float | None = None


class BacktestReport(_Answer):
    user_id: str
    currency: str
    generated_at: datetime
    periods: list[BacktestPeriod]  # the person's weekly points per closed period
    rows: list[BacktestRow]  # the person first, then their direct reports
    note: str = ""


# -- 3. coverage and cost to serve by grade ---------------------------------------------------


class GradeRow(_Answer):
    grade: str = Field(description="a grade letter, or '—' for accounts without one")
    accounts: int
    planned: dict[str, int] = Field(description="planned touches this quarter per channel")
    logged: dict[str, int] = Field(description="logged touches this quarter per channel")
    visits: int
    visit_share: float | None
    revenue: int = Field(description="won this quarter")
    revenue_share: float | None
    potential: int = Field(description="yearly potential")
    potential_share: float | None
    cost: int = Field(description="cost to serve this quarter: touches × channel cost")
    expense_to_revenue: float | None
    wallet_revenue: int = Field(description="won in the four quarters to this one's end")
    share_of_wallet: float | None = Field(description="wallet_revenue ÷ yearly potential")


class QuarterCost(_Answer):
    period: str
    cost: int
    revenue: int
    expense_to_revenue: float | None


class OutOfLine(_Answer):
    account_id: str
    name: str
    grade: str
    owner_id: str
    owner_name: str
    cost: int
    touches: int
    kind: str = Field(description="over-served or under-served")
    reason: str


class AccountCost(_Answer):
    """One account behind a grade's figures."""

    account_id: str
    name: str
    grade: str
    owner_id: str
    owner_name: str
    touches: int
    visits: int
    cost: int
    revenue: int
    potential: int


class CoveragePersonRow(_Answer):
    user_id: str
    name: str
    role: Role
    is_subject: bool = False
    cost: int
    revenue: int
    expense_to_revenue: float | None
    top_visit_share: float | None
    top_revenue_share: float | None
    planned: int
    logged: int
    out_of_line: int


class CoverageReport(_Answer):
    user_id: str
    period: str
    currency: str
    generated_at: datetime
    top_grades: list[str]
    channel_costs: dict[str, int]
    grades: list[GradeRow]
    top_visit_share: float | None
    top_revenue_share: float | None
    top_potential_share: float | None
    trend: list[QuarterCost]
    out_of_line: list[OutOfLine] = Field(
        description="the most out of line: up to 100 over-served and 100 under-served"
    )
    out_of_line_total: int = Field(default=0, description="all accounts out of line")
    rows: list[CoveragePersonRow]  # the person first, then their direct reports


class AccountCostList(_Answer):
    user_id: str
    period: str
    currency: str
    grade: str | None
    accounts: list[AccountCost]


# -- 4. pipeline health -----------------------------------------------------------------------


class StageHealth(_Answer):
    stage: str
    reached: int = Field(description="closed deals of the window that were in the stage")
    advanced: int = Field(description="... and went on to a later stage or were won")
    conversion: float | None
    won: int
    win_rate: float | None
    median_days: float | None = Field(None, description="whole days of a completed stay")


class WinRatePoint(_Answer):
    period: str
    won: int
    lost: int
    win_rate: float | None


class SlippingDeal(_Answer):
    id: str
    name: str
    account_id: str | None
    account_name: str
    owner_id: str
    owner_name: str
    stage: str
    close_date: date
    pushes: int
    amount: int | None = Field(description="converted; None without a rate")
    original_amount: int
    original_currency: str


class PipelinePersonRow(_Answer):
    user_id: str
    name: str
    role: Role
    is_subject: bool = False
    open_pipeline: int
    quota: int
    closed: int
    remaining_quota: int
    coverage: float | None = Field(description="open pipeline ÷ remaining quota")
    win_rate: float | None
    slipping: int


class PipelineReport(_Answer):
    user_id: str
    period: str = Field(description="the quarter coverage is measured for")
    currency: str
    generated_at: datetime
    window: list[str] = Field(description="closed quarters the stage figures come from")
    stages: list[StageHealth]
    trend: list[WinRatePoint]
    slipping: list[SlippingDeal] = Field(description="the 100 pushed most often")
    slipping_total: int = Field(default=0, description="all slipping deals")
    rows: list[PipelinePersonRow]  # the person first, then their direct reports
