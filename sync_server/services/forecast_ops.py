"""Forecast writes and history: adjustments through the API, audit, snapshots, CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sfa_desktop.core.entities import ManagerAdjustment
from sfa_desktop.core.entities.base import new_id, utcnow
from sfa_desktop.core.enums import ForecastCategory, Role
from sfa_desktop.core.forecast_wire import (
    AdjustmentInfo,
    AdjustmentRequest,
    AuditEntry,
    AuditList,
    CategoryAmounts,
    ForecastHistory,
    ForecastReport,
    SnapshotPoint,
)
from sfa_desktop.core.periods import Period, PeriodKind
from sync_server.errors import ForbiddenError
from sync_server.models import AdjustmentAudit, ForecastSnapshot, Org, User
from sync_server.services.adjustments import save_adjustment
from sync_server.services.forecast import flatten, parse_period, rollup
from sync_server.services.records import lock_versions
from sync_server.services.scope import load_scope
from sync_server.services.text import require_storable


def adjust(
    session: Session, manager: User, request: AdjustmentRequest, now: datetime
) -> AdjustmentInfo:
    """Set a report's category total for a period, replacing any earlier adjustment."""
    period = parse_period(request.period)
    require_storable(comment=request.comment, currency=request.currency)
    if request.subject_user_id not in load_scope(session, manager).reports:
        raise ForbiddenError("you can only adjust the forecasts of your reports")
    adjustment = ManagerAdjustment.parse(
        {
            "id": new_id(),
            "owner_id": manager.id,
            "subject_user_id": request.subject_user_id,
            "period": str(period),
            "category": request.category,
            "amount": request.amount,
            "currency": request.currency,
            "comment": request.comment,
        }
    )
    lock_versions(session)
    save_adjustment(session, manager.org_id, adjustment, actor=manager.id, now=now)
    session.commit()
    return AdjustmentInfo(
        id=adjustment.id,
        manager_id=manager.id,
        subject_user_id=adjustment.subject_user_id,
        period=adjustment.period,
        category=adjustment.category,
        amount=adjustment.amount,
        comment=adjustment.comment,
    )


def audit(session: Session, subject: User, period_text: str) -> AuditList:
    """Every adjustment ever made to `subject` in the period, oldest first."""
    period = parse_period(period_text)
    rows = session.scalars(
        select(AdjustmentAudit)
        .where(AdjustmentAudit.subject_user_id == subject.id, AdjustmentAudit.period == str(period))
        .order_by(AdjustmentAudit.id)
    )
    return AuditList(
        entries=[
            AuditEntry(
                adjustment_id=row.adjustment_id,
                manager_id=row.manager_id,
                subject_user_id=row.subject_user_id,
                period=row.period,
                category=ForecastCategory(row.category),
                old_amount=row.old_amount,
                new_amount=row.new_amount,
                comment=row.comment,
                at=row.at,
            )
            for row in rows
        ]
    )


def take_snapshots(session: Session, currency: str, now: datetime) -> int:
    """Record every user's adjusted forecast for the current month and quarter."""
    count = 0
    for org_id in session.scalars(select(Org.id)):
        roots = session.scalars(
            select(User).where(User.org_id == org_id, User.manager_id.is_(None))
        )
        for root in roots:
            for kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
                period = Period.containing(now.date(), kind)
                report = rollup(session, root, period, currency, now)
                for _depth, node in flatten(report.root):
                    session.add(
                        ForecastSnapshot(
                            org_id=org_id,
                            user_id=node.user_id,
                            period=str(period),
                            taken_at=now,
                            quota=node.measured_quota,  # what attainment is against
                            **node.adjusted.model_dump(),
                        )
                    )
                    count += 1
    session.commit()
    return count


def snapshot_job(sessions: sessionmaker[Session], currency: str) -> None:
    """The scheduler's weekly job: one session, one snapshot of every org."""
    with sessions() as session:
        take_snapshots(session, currency, utcnow())


def history(session: Session, subject: User, period_text: str) -> ForecastHistory:
    period = parse_period(period_text)
    rows = session.scalars(
        select(ForecastSnapshot)
        .where(ForecastSnapshot.user_id == subject.id, ForecastSnapshot.period == str(period))
        .order_by(ForecastSnapshot.taken_at)
    )
    points = [
        SnapshotPoint(
            taken_at=row.taken_at,
            quota=row.quota,
            adjusted=CategoryAmounts(
                closed=row.closed,
                commit=row.commit,
                best_case=row.best_case,
                pipeline=row.pipeline,
                omitted=row.omitted,
            ),
        )
        for row in rows
    ]
    return ForecastHistory(user_id=subject.id, period=str(period), points=points)


CSV_COLUMNS = (
    "user_id",
    "name",
    "role",
    "manager_id",
    "depth",
    *(f"{c.value}" for c in ForecastCategory),
    *(f"adjusted_{c.value}" for c in ForecastCategory),
    "quota",
    "attainment",
    "submitted_commit",
    "submitted_best_case",
    "rolled_up_quota",
    "attainment_basis",
    "quota_source",
    "quota_missing",
)


def to_csv(report: ForecastReport) -> str:
    """One row per person, depth-first, amounts in minor units. `quota` is the person's own
    (a manager's: the team's number), `rolled_up_quota` the reports' quotas added up."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for depth, node in flatten(report.root):
        submission = node.submission
        writer.writerow(
            [
                node.user_id,
                node.name,
                Role(node.role).value,
                node.manager_id or "",
                depth,
                *(node.totals.totals().of(c) for c in ForecastCategory),
                *(node.adjusted.totals().of(c) for c in ForecastCategory),
                node.quota,
                "" if node.attainment is None else f"{node.attainment:.4f}",
                submission.commit if submission else "",
                submission.best_case if submission else "",
                node.rolled_up_quota,
                node.attainment_basis.value,
                node.quota_source.value,
                " ".join(node.quota_missing),
            ]
        )
    return buffer.getvalue()
