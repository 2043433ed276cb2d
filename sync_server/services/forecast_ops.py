"""Forecast writes and reads beside the tree: adjustments, their audit, the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import ManagerAdjustment
from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import EntityKind, ForecastCategory, Role
from sfa_desktop.core.forecast_wire import (
    AdjustmentInfo,
    AdjustmentRequest,
    AuditEntry,
    AuditList,
    ForecastNode,
    ForecastReport,
)
from sync_server.errors import BadRequestError, ForbiddenError
from sync_server.models import AdjustmentAudit, Record, User
from sync_server.services.adjustments import CLOSED_ADJUSTMENT, save_adjustment
from sync_server.services.forecast import Hierarchy, flatten, parse_period
from sync_server.services.records import lock_versions
from sync_server.services.scope import load_scope
from sync_server.services.text import require_storable


def adjust(
    session: Session, manager: User, request: AdjustmentRequest, now: datetime
) -> AdjustmentInfo:
    """Set a report's category total for a period in the manager's own layer, replacing
    the manager's earlier adjustment of it (other managers' adjustments stay)."""
    period = parse_period(request.period)
    require_storable(comment=request.comment, currency=request.currency)
    if request.category in (ForecastCategory.CLOSED, ForecastCategory.OMITTED):
        raise BadRequestError(
            CLOSED_ADJUSTMENT
            if request.category is ForecastCategory.CLOSED
            else "omitted deals are left out of the forecast and cannot be adjusted"
        )
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
        manager_name=manager.name,
        subject_user_id=adjustment.subject_user_id,
        period=adjustment.period,
        category=adjustment.category,
        amount=adjustment.amount,
        comment=adjustment.comment,
    )


def audit(session: Session, subject: User, period_text: str, subtree: bool = False) -> AuditList:
    """Every adjustment ever made to `subject` in the period (with `subtree`, to anyone in
    their subtree too), oldest first, with the names of who made it and for whom."""
    period = parse_period(period_text)
    people = Hierarchy.load(session, subject.org_id)
    subjects = people.subtree(subject.id) if subtree else {subject.id}
    names = people.names()
    rows = session.scalars(
        select(AdjustmentAudit)
        .where(
            AdjustmentAudit.org_id == subject.org_id,
            AdjustmentAudit.subject_user_id.in_(sorted(subjects)),
            AdjustmentAudit.period == str(period),
        )
        .order_by(AdjustmentAudit.id)
    ).all()
    currencies = _currencies(session, [row.adjustment_id for row in rows])
    return AuditList(
        entries=[
            AuditEntry(
                adjustment_id=row.adjustment_id,
                manager_id=row.manager_id,
                manager_name=names.get(row.manager_id, row.manager_id),
                subject_user_id=row.subject_user_id,
                subject_name=names.get(row.subject_user_id, row.subject_user_id),
                period=row.period,
                category=ForecastCategory(row.category),
                old_amount=row.old_amount,
                new_amount=row.new_amount,
                comment=row.comment,
                at=row.at,
                currency=currencies.get(row.adjustment_id, "EUR"),
            )
            for row in rows
        ]
    )


def _currencies(session: Session, adjustment_ids: list[str]) -> dict[str, str]:
    """The currency each adjustment was entered in."""
    if not adjustment_ids:
        return {}
    rows = session.execute(
        select(Record.id, Record.data).where(
            Record.entity == EntityKind.MANAGER_ADJUSTMENT.value,
            Record.id.in_(sorted(set(adjustment_ids))),
        )
    )
    return {record_id: data.get("currency", "EUR") for record_id, data in rows}


CSV_COLUMNS = (
    "user_id",
    "name",
    "role",
    "manager_id",
    "depth",
    "row",
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
    "currency",
    "adjusted_categories",
    "adjusted_by",
    "converted_from",
    "left_out",
    "call_due",
)


def to_csv(report: ForecastReport) -> str:
    """One row per person, depth-first, amounts in minor units. `row` says whether a row is
    a person's own deals ("person") or a team subtotal (a manager: their own deals plus
    everyone below); `adjusted_categories` and `adjusted_by` mark the adjusted figures.
    `quota` is the person's own (a manager's: the team's number), `rolled_up_quota` the
    reports' quotas added up."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for depth, node in flatten(report.root):
        submission = node.submission
        applied = [a for a in node.adjustments if a.applied]
        writer.writerow(
            [
                node.user_id,
                node.name,
                Role(node.role).value,
                node.manager_id or "",
                depth,
                "team subtotal" if node.reports else "person",
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
                report.currency,
                " ".join(a.category.value for a in applied),
                "; ".join(sorted({a.manager_name for a in applied})),
                " ".join(node.converted),
                describe(node),
                "yes" if node.call_due else "no",
            ]
        )
    return buffer.getvalue()


def describe(node: ForecastNode) -> str:
    """What was left out of a person's figures for want of a rate, in one line."""
    return "; ".join(
        f"{item.count} {item.kind}{'' if item.count == 1 else 's'} in {item.currency}"
        f" ({item.amount}): no {item.missing} rate"
        for item in node.left_out
    )
