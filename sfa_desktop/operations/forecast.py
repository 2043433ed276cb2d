"""The rep's forecast from the local store, their submission, and a report's deals."""

from __future__ import annotations

from dataclasses import dataclass
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
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.forecast_wire import ForecastNode
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.forecast import (
    AttainmentBasis,
    ForecastTotals,
    PeriodQuota,
    QuotaSource,
    attainment,
    forecast_totals,
    period_quota,
)
from sfa_desktop.core.rules.projection import MIN_CLOSED_DEALS, Projection, history_for, project
from sfa_desktop.operations.result import OpResult, Undo
from sfa_desktop.store import Store


@dataclass(frozen=True)
class RepForecast:
    """One user's own forecast for a period, all from the local store."""

    user: User
    period: Period
    currency: str
    totals: ForecastTotals
    quota: int
    submission: ForecastSubmission | None
    projection: Projection
    other_currencies: int  # deals in the period left out because of their currency
    quota_detail: PeriodQuota  # where `quota` comes from (set, from months…)

    @property
    def attainment(self) -> float | None:
        return attainment(self.totals.closed, self.quota)

    @property
    def quota_note(self) -> str:
        """'' for a quota set for the period, else where it comes from ('from months; none
        set for 2026-12')."""
        detail = self.quota_detail
        return "" if detail.source is QuotaSource.SET else quota_note(detail)


def current_user(store: Store) -> User:
    user_id = store.current_user_id()
    if user_id is None:
        raise DomainError("nobody is signed in")
    return store.get(User, user_id)


def latest_submission(store: Store, owner_id: str, period: Period) -> ForecastSubmission | None:
    found = store.records(ForecastSubmission, {"owner_id": owner_id, "period": str(period)})
    return max(found, key=lambda s: s.submitted_at, default=None)


def rep_forecast(
    store: Store, period: Period, now: datetime, min_closed: int = MIN_CLOSED_DEALS
) -> RepForecast:
    """Pipeline by category, quota and the history-based projection of the signed-in user.

    The history falls back to every deal in the local store (the team the user shares
    accounts with, or a manager's reports) when the user closed fewer than `min_closed`.
    """
    user = current_user(store)
    inside = {str(p) for p in period.within()}
    quotas = sorted(
        (q for q in store.records(Quota, {"owner_id": user.id}) if q.period in inside),
        key=lambda q: (q.period != str(period), q.period),  # the period's own quota first
    )
    currency = quotas[0].currency if quotas else "EUR"
    amounts: dict[str, int] = {}
    for quota in quotas:
        if quota.currency == currency:
            amounts[quota.period] = amounts.get(quota.period, 0) + quota.amount
    detail = period_quota(amounts, period)
    everyone = [o for o in store.records(Opportunity) if o.currency == currency]
    mine = [o for o in everyone if o.owner_id == user.id]
    other = sum(
        1
        for o in store.records(Opportunity, {"owner_id": user.id})
        if o.currency != currency and o.close_date in period
    )
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
        other_currencies=other,
        quota_detail=detail,
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
