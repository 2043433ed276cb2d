"""Manager adjustments: one live adjustment per manager, subject, period and category
(each manager level keeps its own layer), audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import ManagerAdjustment
from sfa_desktop.core.enums import EntityKind
from sync_server.models import AdjustmentAudit, Record
from sync_server.services.records import parse_row, save

CLOSED_ADJUSTMENT = (
    "closed revenue is what was won and cannot be adjusted: adjust commit, best case or pipeline"
)


def _live(session: Session, org_id: str, adjustment: ManagerAdjustment) -> list[Record]:
    rows = session.scalars(
        select(Record).where(
            Record.entity == EntityKind.MANAGER_ADJUSTMENT.value,
            Record.org_id == org_id,
            Record.deleted.is_(False),
        )
    )
    return [
        row
        for row in rows
        if row.owner_id == adjustment.owner_id
        and row.data.get("subject_user_id") == adjustment.subject_user_id
        and row.data.get("period") == adjustment.period
        and row.data.get("category") == adjustment.category.value
    ]


def save_adjustment(
    session: Session,
    org_id: str,
    adjustment: ManagerAdjustment,
    *,
    actor: str,
    now: datetime,
    device: str | None = None,
    deleted: bool = False,
) -> int:
    """Store an adjustment, retire the same manager's one it replaces (other managers'
    layers stay), and append to the audit trail."""
    previous = _live(session, org_id, adjustment)
    old_amount = None
    for row in previous:
        old_amount = int(row.data["amount"])
        if row.id != adjustment.id:
            save(session, org_id, parse_row(row), actor=actor, now=now, device=device, deleted=True)
    version = save(
        session, org_id, adjustment, actor=actor, now=now, device=device, deleted=deleted
    )
    session.add(
        AdjustmentAudit(
            org_id=org_id,
            adjustment_id=adjustment.id,
            manager_id=actor,
            subject_user_id=adjustment.subject_user_id,
            period=adjustment.period,
            category=adjustment.category.value,
            old_amount=old_amount,
            new_amount=None if deleted else adjustment.amount,
            comment=adjustment.comment,
            at=now,
        )
    )
    return version
