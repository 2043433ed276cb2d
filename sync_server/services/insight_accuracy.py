"""Views 1 and 2: forecast accuracy per closed quarter (calls, adjusted forecast and the
projection at fixed days before the end, against what closed) and the projection's
back-test over every weekly snapshot. Figures come from the weekly snapshots (as each person
saw them then, projection included: nothing later is looked at); what closed from the deals
now, rolled up the current hierarchy. Corporate currency."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import Role
from sfa_desktop.core.insight_wire import (
    FIGURES,
    AccuracyPeriod,
    AccuracyPoint,
    AccuracyReport,
    AccuracyRow,
    BacktestPeriod,
    BacktestPoint,
    BacktestReport,
    BacktestRow,
    BiasInfo,
)
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.accuracy import (
    OFFSETS,
    RANK_OFFSET,
    bias,
    pick_snapshot,
    signed_error,
    trust_ranking,
)
from sync_server.models import ForecastSnapshot, User
from sync_server.services.insight_common import View, closed_quarters, won_by_owner

Snapshots = dict[tuple[str, str], list[ForecastSnapshot]]  # (user, period) -> by time


def _snapshots(session: Session, view: View, periods: list[Period]) -> Snapshots:
    rows = session.scalars(
        select(ForecastSnapshot)
        .where(
            ForecastSnapshot.org_id == view.org.id,
            ForecastSnapshot.user_id.in_(sorted(row.id for row in view.rows)),
            ForecastSnapshot.period.in_([str(period) for period in periods]),
        )
        .order_by(ForecastSnapshot.taken_at)
    )
    found: Snapshots = defaultdict(list)
    for row in rows:
        found[(row.user_id, row.period)].append(row)
    return found


def _actuals(session: Session, view: View, periods: list[Period]) -> dict[str, dict[str, int]]:
    """What closed per row and period: {period: {row user: won in their subtree}}."""
    found = {}
    for period in periods:
        won = won_by_owner(session, view, period)
        found[str(period)] = {row.id: view.roll_up(won, row.id) for row in view.rows}
    return found


def _figures(snap: ForecastSnapshot) -> dict[str, int | None]:
    return {
        "call_commit": snap.submitted_commit,
        "call_best_case": snap.submitted_best_case,
        "adjusted": snap.closed + snap.commit,
        "projected": snap.projected,
    }


def _point(
    snaps: list[ForecastSnapshot], period: Period, offset: int, actual: int
) -> AccuracyPoint:
    index = pick_snapshot([s.taken_at for s in snaps], period.end, offset)
    if index is None:
        return AccuracyPoint(offset_days=offset)
    snap = snaps[index]
    figures = _figures(snap)
    return AccuracyPoint(
        offset_days=offset,
        taken_at=snap.taken_at,
        projection_source=snap.projection_source,
        errors={name: signed_error(value, actual) for name, value in figures.items()},
        **figures,
    )


def accuracy(session: Session, subject: User, count: int, now: datetime) -> AccuracyReport:
    """How the calls, adjusted forecasts and projections of the person and each direct
    report (their subtree) compared with what closed, over the last `count` quarters."""
    view = View.load(session, subject)
    periods = closed_quarters(now, count)
    snaps = _snapshots(session, view, periods)
    actuals = _actuals(session, view, periods)
    rows, biases = [], {}
    for person in view.rows:
        done = []
        for period in periods:
            actual = actuals[str(period)][person.id]
            series = snaps.get((person.id, str(period)), [])
            points = [_point(series, period, offset, actual) for offset in OFFSETS]
            done.append(AccuracyPeriod(period=str(period), actual=actual, points=points))
        figure_biases = []
        for figure in FIGURES:
            errors = [_at_rank_offset(p).errors.get(figure) for p in done]
            found = bias(errors)
            if figure == "call_commit":
                biases[person.id] = found
            figure_biases.append(
                BiasInfo(
                    figure=figure,
                    periods=found.periods,
                    mean_error=found.mean_error,
                    mean_absolute_error=found.mean_absolute_error,
                    lean=found.lean.value,
                    consistent=found.consistent,
                    thin=found.thin,
                )
            )
        rows.append((person, done, figure_biases))
    ranking = {r.user_id: r.rank for r in trust_ranking({k: biases[k] for k in _ranked(view)})}
    return AccuracyReport(
        user_id=subject.id,
        currency=view.org.currency,
        generated_at=now,
        periods=[str(period) for period in periods],
        offsets=list(OFFSETS),
        rank_offset=RANK_OFFSET,
        rows=[
            AccuracyRow(
                user_id=person.id,
                name=person.name,
                role=Role(person.role),
                is_subject=person.id == subject.id,
                periods=done,
                biases=figure_biases,
                rank=ranking.get(person.id),
                note=_note(biases[person.id].thin, done),
            )
            for person, done, figure_biases in rows
        ],
    )


def _ranked(view: View) -> list[str]:
    """Whose calls are ranked against each other: the direct reports (or the rep alone)."""
    return [row.id for row in view.rows[1:]] or [view.rows[0].id]


def _at_rank_offset(period: AccuracyPeriod) -> AccuracyPoint:
    return next(p for p in period.points if p.offset_days == RANK_OFFSET)


def _note(thin: bool, periods: list[AccuracyPeriod]) -> str:
    with_calls = sum(
        1 for p in periods if _at_rank_offset(p).call_commit is not None and p.actual > 0
    )
    if not thin:
        return ""
    if not any(point.taken_at for p in periods for point in p.points):
        return "No weekly snapshots for these quarters: too little history to judge."
    return (
        f"Commit calls and wins in {with_calls} of {len(periods)} quarters: too few to judge"
        " the calls (2 needed)."
    )


def backtest(session: Session, subject: User, count: int, now: datetime) -> BacktestReport:
    """The projection kept at every weekly snapshot of the last `count` closed quarters,
    against what closed, beside the commit call standing at the same snapshot."""
    view = View.load(session, subject)
    periods = closed_quarters(now, count)
    snaps = _snapshots(session, view, periods)
    actuals = _actuals(session, view, periods)
    rows, subject_periods = [], []
    for person in view.rows:
        projected_errors: list[float] = []
        call_errors: list[float] = []
        count_points = 0
        for period in periods:
            actual = actuals[str(period)][person.id]
            points = []
            for snap in snaps.get((person.id, str(period)), []):
                point = BacktestPoint(
                    taken_at=snap.taken_at,
                    days_before_end=(period.end - snap.taken_at.date()).days,
                    projected=snap.projected,
                    projection_source=snap.projection_source,
                    call_commit=snap.submitted_commit,
                    projected_error=signed_error(snap.projected, actual),
                    call_error=signed_error(snap.submitted_commit, actual),
                )
                points.append(point)
                count_points += 1
                if point.projected_error is not None:
                    projected_errors.append(abs(point.projected_error))
                if point.call_error is not None:
                    call_errors.append(abs(point.call_error))
            if person.id == subject.id:
                subject_periods.append(
                    BacktestPeriod(period=str(period), actual=actual, points=points)
                )
        rows.append(
            BacktestRow(
                user_id=person.id,
                name=person.name,
                role=Role(person.role),
                points=count_points,
                projection_error=_mean(projected_errors),
                call_error=_mean(call_errors),
            )
        )
    missing = sum(1 for p in subject_periods for point in p.points if point.projected is None)
    return BacktestReport(
        user_id=subject.id,
        currency=view.org.currency,
        generated_at=now,
        periods=subject_periods,
        rows=rows,
        note=f"{missing} snapshots have no projection kept." if missing else "",
    )


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
