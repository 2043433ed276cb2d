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
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.forecast import ForecastTotals, attainment, forecast_totals
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

    @property
    def attainment(self) -> float | None:
        return attainment(self.totals.closed, self.quota)


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
    quotas = store.records(Quota, {"owner_id": user.id, "period": str(period)})
    currency = quotas[0].currency if quotas else "EUR"
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
        quota=sum(q.amount for q in quotas if q.currency == currency),
        submission=latest_submission(store, user.id, period),
        projection=project(period, mine, changes, history, now),
        other_currencies=other,
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
