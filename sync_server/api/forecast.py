"""Forecasts by period, category and hierarchy; adjustments, audit, history, CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sfa_desktop.core.entities.base import utcnow
from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.forecast_wire import (
    AdjustmentInfo,
    AdjustmentRequest,
    AuditList,
    DealList,
    ForecastHistory,
    ForecastReport,
    MoveList,
    RateSheet,
)
from sync_server.api.deps import CurrentUser, SessionDep
from sync_server.models import Org
from sync_server.services import (
    currency as currencies,
)
from sync_server.services import (
    forecast,
    forecast_deals,
    forecast_history,
    forecast_ops,
)

router = APIRouter(prefix="/api/v1/forecast", tags=["forecast"])
UserQuery = Annotated[str | None, Query(max_length=64)]
CurrencyQuery = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")]


@router.get("/rates")
def rates(user: CurrentUser, session: SessionDep) -> RateSheet:
    """The corporate currency and every dated exchange rate (devices keep them offline)."""
    org = session.get(Org, user.org_id)
    assert org is not None
    return currencies.rate_sheet(session, org)


@router.post("/adjustments")
def adjust(body: AdjustmentRequest, user: CurrentUser, session: SessionDep) -> AdjustmentInfo:
    """Override a report's category total for a period (audited)."""
    return forecast_ops.adjust(session, user, body, utcnow())


@router.get("/{period}")
def report(
    period: str,
    user: CurrentUser,
    session: SessionDep,
    user_id: UserQuery = None,
    currency: CurrencyQuery = None,
) -> ForecastReport:
    """The forecast tree of a user (default: the caller) for a month, quarter or year, in
    a currency (default: the corporate one)."""
    subject = forecast.subject_for(session, user, user_id)
    return forecast.rollup(session, subject, forecast.parse_period(period), currency, utcnow())


class CsvResponse(Response):
    """A CSV download (so the OpenAPI document names text/csv, not JSON)."""

    media_type = "text/csv"


_JSON_ERROR = {"$ref": "#/components/schemas/ErrorBody"}


@router.get(
    "/{period}/export.csv",
    response_class=CsvResponse,
    # Refusals stay JSON ErrorBody (a `model` here would be listed as text/csv).
    responses={
        "4XX": {"description": "Refused", "content": {"application/json": {"schema": _JSON_ERROR}}}
    },
)
def export_csv(
    period: str,
    user: CurrentUser,
    session: SessionDep,
    user_id: UserQuery = None,
    currency: CurrencyQuery = None,
) -> Response:
    """The forecast tree as CSV, one row per person (team subtotals and adjusted figures
    marked)."""
    subject = forecast.subject_for(session, user, user_id)
    result = forecast.rollup(session, subject, forecast.parse_period(period), currency, utcnow())
    filename = f"forecast-{result.period}.csv"
    return CsvResponse(
        forecast_ops.to_csv(result),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/{period}/adjustments")
def adjustment_audit(
    period: str,
    user: CurrentUser,
    session: SessionDep,
    user_id: UserQuery = None,
    subtree: bool = False,
) -> AuditList:
    """The audit trail of adjustments to a user's forecast in the period (with `subtree`,
    to everyone below them too), with names."""
    subject = forecast.subject_for(session, user, user_id)
    return forecast_ops.audit(session, subject, period, subtree)


@router.get("/{period}/history")
def history(
    period: str, user: CurrentUser, session: SessionDep, user_id: UserQuery = None
) -> ForecastHistory:
    """Weekly snapshots of a user's forecast for the period, as they saw it."""
    return forecast_history.history(session, forecast.subject_for(session, user, user_id), period)


@router.get("/{period}/deals")
def deals(
    period: str,
    user: CurrentUser,
    session: SessionDep,
    user_id: UserQuery = None,
    category: ForecastCategory | None = None,
    currency: CurrencyQuery = None,
) -> DealList:
    """The deals behind a forecast cell: a user's subtree, one category or all."""
    subject = forecast.subject_for(session, user, user_id)
    return forecast_deals.deal_list(session, subject, period, category, currency, utcnow())


@router.get("/{period}/moves")
def moves(
    period: str,
    user: CurrentUser,
    session: SessionDep,
    user_id: UserQuery = None,
    currency: CurrencyQuery = None,
) -> MoveList:
    """The deals of a user's subtree that moved since last week's snapshot."""
    subject = forecast.subject_for(session, user, user_id)
    return forecast_history.moves(session, subject, period, currency, utcnow())
