"""Conflict records the owner (or the loser) can review and restore from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sync_server.models import ConflictRecord, User


class ConflictInfo(BaseModel):
    id: int
    entity: str
    entity_id: str
    field: str
    winner: Any
    loser: Any
    winner_user_id: str | None
    loser_user_id: str | None
    version: int
    created_at: datetime


class ConflictList(BaseModel):
    conflicts: list[ConflictInfo]


def list_conflicts(session: Session, user: User, limit: int = 500) -> ConflictList:
    """The newest unresolved conflicts on records the user owns or writes the user lost."""
    rows = session.scalars(
        select(ConflictRecord)
        .where(
            ConflictRecord.org_id == user.org_id,
            ConflictRecord.resolved.is_(False),
            or_(ConflictRecord.owner_id == user.id, ConflictRecord.loser_user_id == user.id),
        )
        .order_by(ConflictRecord.id.desc())
        .limit(limit)
    )
    return ConflictList(
        conflicts=[
            ConflictInfo(
                id=row.id,
                entity=row.entity,
                entity_id=row.entity_id,
                field=row.field,
                winner=row.winner.get("value"),
                loser=row.loser.get("value"),
                winner_user_id=row.winner_user_id,
                loser_user_id=row.loser_user_id,
                version=row.version,
                created_at=row.created_at,
            )
            for row in rows
        ]
    )
