"""The rep's forecast from the local store, their submission, and a report's deals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sfa_desktop.core.entities import (
    ForecastSubmission,
    ManagerAdjustment,
    Opportunity,
    Quota,
    StageChange,
    User,
)
from sfa_desktop.core.entities.base import utcnow
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.forecast_wire import ForecastNode, RateSheet
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.currency import (
    LeftOut,
    LeftOutTally,
    RateTable,
    convert_counting,
    period_day,
)
from sfa_desktop.core.rules.forecast import (
    AttainmentBasis,
    ForecastTotals,
    PeriodQuota,
    QuotaSource,
    attainment,
    call_due,
    forecast_totals,
    period_quota,
)
from sfa_desktop.core.rules.projection import MIN_CLOSED_DEALS, Projection, history_for, project
from sfa_desktop.operations.result import OpResult, Undo
from sfa_desktop.store import Store
from sfa_desktop.sync.rates import stored_rates


@dataclass(frozen=True)
class RepForecast:
    """One user's own forecast for a period, all from the local store, in the corporate
    currency: deals in other currencies converted at their close date's rate, the quota
    at its period's last day; what has no rate is left out and counted (`left_out`)."""

    user: User
    period: Period
    currency: str
    totals: ForecastTotals
    quota: int
    submission: ForecastSubmission | None
    projection: Projection
    left_out: list[LeftOut]  # deals in the period with no rate to convert them
    quota_detail: PeriodQuota  # where `quota` comes from (set, from months…)
    converted: list[str] = field(default_factory=list)  # currencies of converted deals
    quota_left_out: list[LeftOut] = field(default_factory=list)

    @property
    def attainment(self) -> float | None:
        return attainment(self.totals.closed, self.quota)

    @property
    def other_currencies(self) -> int:
        """Deals in the period left out because no rate converts them."""
        return sum(item.count for item in self.left_out)

    @property
    def quota_note(self) -> str:
        """'' for a quota set for the period, else where it comes from ('from months; none
        set for 2026-12')."""
        detail = self.quota_detail
        return "" if detail.source is QuotaSource.SET else quota_note(detail)

    @property
    def call_due(self) -> bool:
        return call_due(self.submission.submitted_at if self.submission else None, utcnow())


def current_user(store: Store) -> User:
    user_id = store.current_user_id()
    if user_id is None:
        raise DomainError("nobody is signed in")
    return store.get(User, user_id)


def latest_submission(store: Store, owner_id: str, period: Period) -> ForecastSubmission | None:
    found = store.records(ForecastSubmission, {"owner_id": owner_id, "period": str(period)})
    return max(found, key=lambda s: s.submitted_at, default=None)


def convert_deals(
    deals: list[Opportunity], rates: RateTable, currency: str, tally: LeftOutTally | None = None
) -> list[Opportunity]:
    """The deals in `currency`, each at its close date's rate; those without a rate are
    left out (and counted in `tally`)."""
    found = []
    for deal in deals:
        amount = convert_counting(
            rates, tally or LeftOutTally(), deal.amount, deal.currency, currency, deal.close_date
        )
        if amount is None:
            continue
        if deal.currency == currency:
            found.append(deal)
        else:
            found.append(deal.model_copy(update={"amount": amount, "currency": currency}))
    return found


def _quota(
    quotas: list[Quota], period: Period, rates: RateTable, currency: str
) -> tuple[PeriodQuota, LeftOutTally]:
    """The user's quota for `period` in `currency`: each quota record at its own period's
    last day (the rule the server uses, docs/forecasting.md)."""
    amounts: dict[str, int] = {}
    tally = LeftOutTally()
    for quota in quotas:
        day = period_day(Period.parse(quota.period))
        value = convert_counting(rates, tally, quota.amount, quota.currency, currency, day)
        if value is not None:
            amounts[quota.period] = amounts.get(quota.period, 0) + value
    return period_quota(amounts, period), tally


def rep_forecast(
    store: Store,
    period: Period,
    now: datetime,
    min_closed: int = MIN_CLOSED_DEALS,
    sheet: RateSheet | None = None,
) -> RepForecast:
    """Pipeline by category, quota and the history-based projection of the signed-in user,
    in the corporate currency (by the rates the device last fetched, or `sheet`).

    The history falls back to every deal in the local store (the team the user shares
    accounts with, or a manager's reports) when the user closed fewer than `min_closed`.
    """
    user = current_user(store)
    sheet = sheet or stored_rates(store)
    rates, currency = sheet.table(), sheet.base
    inside = {str(p) for p in period.within()}
    quotas = [q for q in store.records(Quota, {"owner_id": user.id}) if q.period in inside]
    detail, quota_left_out = _quota(quotas, period, rates, currency)
    everyone = convert_deals(store.records(Opportunity), rates, currency)
    tally = LeftOutTally()
    in_period = [
        o for o in store.records(Opportunity, {"owner_id": user.id}) if o.close_date in period
    ]
    convert_deals(in_period, rates, currency, tally)
    mine = [o for o in everyone if o.owner_id == user.id]
    changes = store.records(StageChange)
    history = history_for(user.id, everyone, changes, min_closed)
    return RepForecast(
        user=user,
        period=period,
        currency=currency,
        totals=forecast_totals(mine, period),
        quota=detail.amount,
        submission=latest_submission(store, user.id, period),
        projection=project(period, mine, changes, history, now),
        left_out=tally.items(),
        quota_detail=detail,
        converted=sorted(
            {o.currency for o in in_period} - {currency} - {i.currency for i in tally.items()}
        ),
        quota_left_out=quota_left_out.items(),
    )


def submit_forecast(
    store: Store, period: Period, fields: dict[str, Any], now: datetime
) -> OpResult[ForecastSubmission]:
    """Record the user's call (commit, best case, comment); it syncs to the manager."""
    record = {"period": str(period), "submitted_at": now, **fields}
    saved = store.create(ForecastSubmission, record)
    record_id = saved.value.id
    undo = Undo("submit forecast", (lambda s: s.delete(ForecastSubmission, record_id),))
    return OpResult(saved.value, saved.changes, undo)


def adjust_offline(store: Store, fields: dict[str, Any]) -> OpResult[ManagerAdjustment]:
    """Queue an adjustment as a record when the server is out of reach (audited on push)."""
    saved = store.create(ManagerAdjustment, fields)
    return OpResult(saved.value, saved.changes)


def deals_of(store: Store, owner_id: str, period: Period) -> list[Opportunity]:
    """A user's opportunities closing in the period, largest first (a manager's drill-down)."""
    found = [
        o for o in store.records(Opportunity, {"owner_id": owner_id}) if o.close_date in period
    ]
    return sorted(found, key=lambda o: (-o.amount, o.name))


def quota_note(quota: PeriodQuota | ForecastNode) -> str:
    """Where a quota comes from, in words: 'set', 'from months', 'from quarters', 'none',
    with the parts that have none ('from months; none set for 2026-12')."""
    if isinstance(quota, ForecastNode):
        quota = PeriodQuota(quota.quota, quota.quota_source, tuple(quota.quota_missing))
    note = quota.source.value
    if quota.missing:
        note += f"; none set for {', '.join(quota.missing)}"
    return note


def attainment_note(node: ForecastNode) -> str:
    """What a person's attainment is measured against, in words ('' without a quota)."""
    return {
        AttainmentBasis.OWN: "own quota",
        AttainmentBasis.ROLLED_UP: "rolled-up quota",
        AttainmentBasis.NONE: "",
    }[node.attainment_basis]
