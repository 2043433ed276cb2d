"""Insight for managers: forecast accuracy, the projection's back-test, coverage and cost
to serve by grade, pipeline health; each for the caller or someone below them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sfa_desktop.core.entities.base import utcnow
from sfa_desktop.core.insight_wire import (
    AccountCostList,
    AccuracyReport,
    BacktestReport,
    CoverageReport,
    PipelineReport,
)
from sync_server.api.deps import CurrentUser, SessionDep
from sync_server.services import (
    forecast,
    insight_accuracy,
    insight_coverage,
    insight_pipeline,
)

router = APIRouter(prefix="/api/v1/insight", tags=["insight"])
UserQuery = Annotated[str | None, Query(max_length=64)]
PeriodsQuery = Annotated[int, Query(ge=1, le=8)]
GradeQuery = Annotated[str | None, Query(pattern=r"^([A-G]|—)$")]


@router.get("/accuracy")
def accuracy(
    user: CurrentUser, session: SessionDep, user_id: UserQuery = None, periods: PeriodsQuery = 4
) -> AccuracyReport:
    """How a person's and each report's calls, adjusted forecasts and projections compared
    with what closed in the last closed quarters."""
    subject = forecast.subject_for(session, user, user_id)
    return insight_accuracy.accuracy(session, subject, periods, utcnow())


@router.get("/backtest")
def backtest(
    user: CurrentUser, session: SessionDep, user_id: UserQuery = None, periods: PeriodsQuery = 4
) -> BacktestReport:
    """The projection kept at each weekly snapshot against what closed, beside the calls."""
    subject = forecast.subject_for(session, user, user_id)
    return insight_accuracy.backtest(session, subject, periods, utcnow())


@router.get("/coverage")
def coverage(
    user: CurrentUser,
    session: SessionDep,
    user_id: UserQuery = None,
    period: Annotated[str | None, Query(max_length=16)] = None,
) -> CoverageReport:
    """Coverage and cost to serve by grade for a quarter (default: the current one)."""
    subject = forecast.subject_for(session, user, user_id)
    return insight_coverage.coverage(session, subject, period, utcnow())


@router.get("/coverage/accounts")
def coverage_accounts(
    user: CurrentUser,
    session: SessionDep,
    user_id: UserQuery = None,
    period: Annotated[str | None, Query(max_length=16)] = None,
    grade: GradeQuery = None,
) -> AccountCostList:
    """The accounts behind a grade's coverage figures, costliest first."""
    subject = forecast.subject_for(session, user, user_id)
    return insight_coverage.account_costs(session, subject, period, grade, utcnow())


@router.get("/pipeline")
def pipeline(user: CurrentUser, session: SessionDep, user_id: UserQuery = None) -> PipelineReport:
    """Stage conversion and days, win rate by quarter, slipping deals, pipeline coverage."""
    subject = forecast.subject_for(session, user, user_id)
    return insight_pipeline.pipeline(session, subject, utcnow())
