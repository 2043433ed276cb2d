"""Pipeline reads: filtered opportunity ids for the table, and board cards with last touch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Opportunity
from sfa_desktop.core.enums import OPEN_STAGES, ForecastCategory
from sfa_desktop.store.custom_fields import CustomFilter
from sfa_desktop.store.queries import sorted_ids
from sfa_desktop.store.rows import record_of
from sfa_desktop.store.schema import AccountRow, ActivityRow, OpportunityRow, StageChangeRow


@dataclass(frozen=True)
class OpportunityFilter:
    """What the pipeline table shows; None means no restriction. `close_to` is exclusive."""

    owner_id: str | None = None
    close_from: date | None = None
    close_to: date | None = None
    category: ForecastCategory | None = None
    min_amount: int | None = None
    max_amount: int | None = None
    open_only: bool = False
    custom: tuple[CustomFilter, ...] = ()  # filters on the admins' custom fields


@dataclass(frozen=True)
class PipelineCard:
    """An opportunity on the board with its account's name and when it last moved."""

    opportunity: Opportunity
    account_name: str
    last_stage_change: datetime | None
    last_activity: datetime | None

    @property
    def last_touched(self) -> datetime:
        """The later of the last stage change and the last activity (creation if neither)."""
        moments = [m for m in (self.last_stage_change, self.last_activity) if m is not None]
        return max(moments, default=self.opportunity.created_at)


def _filtered(query: Select[Any], where: OpportunityFilter) -> Select[Any]:
    row = OpportunityRow
    if where.owner_id:
        query = query.where(row.owner_id == where.owner_id)
    if where.close_from:
        query = query.where(row.close_date >= where.close_from)
    if where.close_to:
        query = query.where(row.close_date < where.close_to)
    if where.category:
        query = query.where(row.forecast_category == where.category.value)
    if where.min_amount is not None:
        query = query.where(row.amount >= where.min_amount)
    if where.max_amount is not None:
        query = query.where(row.amount <= where.max_amount)
    if where.open_only:
        query = query.where(row.stage.in_([s.value for s in OPEN_STAGES]))
    return query


def opportunity_ids(session: Session, where: OpportunityFilter, sort: str, desc: bool) -> list[str]:
    query = _filtered(select(OpportunityRow.id), where)
    return sorted_ids(session, OpportunityRow, query, sort, desc, where.custom)


def board_cards(
    session: Session, owner_id: str | None, closed_since: datetime
) -> list[PipelineCard]:
    """Open opportunities and those closed since `closed_since`, with last stage change/activity."""
    changes = (
        select(StageChangeRow.opportunity_id, func.max(StageChangeRow.changed_at).label("moved"))
        .group_by(StageChangeRow.opportunity_id)
        .subquery()
    )
    touches = (
        select(ActivityRow.opportunity_id, func.max(ActivityRow.occurred_at).label("touched"))
        .where(ActivityRow.opportunity_id.is_not(None))
        .group_by(ActivityRow.opportunity_id)
        .subquery()
    )
    query = (
        select(OpportunityRow, AccountRow.name, changes.c.moved, touches.c.touched)
        .join(AccountRow, AccountRow.id == OpportunityRow.account_id)
        .outerjoin(changes, changes.c.opportunity_id == OpportunityRow.id)
        .outerjoin(touches, touches.c.opportunity_id == OpportunityRow.id)
        .where(
            or_(
                OpportunityRow.stage.in_([s.value for s in OPEN_STAGES]),
                OpportunityRow.closed_at >= closed_since,
                and_(
                    OpportunityRow.closed_at.is_(None),
                    OpportunityRow.close_date >= closed_since.date(),
                ),
            )
        )
        .order_by(OpportunityRow.close_date, OpportunityRow.id)
    )
    query = _filtered(query, OpportunityFilter(owner_id=owner_id))
    return [
        PipelineCard(
            record_of(Opportunity, row),
            name,
            _utc(moved),
            _utc(touched),
        )
        for row, name, moved, touched in session.execute(query)
    ]


def _utc(value: Any) -> datetime | None:
    """Aggregates bypass the column type: parse what SQLite returns."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
