"""The conflict inbox: values that lost to another write and local writes the server
refused, as the pull filed them; reviewed, resolved or restored by the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import DomainError, NotFound
from sfa_desktop.core.protocol import DELETED_FIELD
from sfa_desktop.store.changes import Changes
from sfa_desktop.store.schema import ConflictRow
from sfa_desktop.store.writer import RecordWriter


@dataclass(frozen=True)
class Conflict:
    """A value that lost to another write, or a local write the server refused."""

    id: str
    entity: EntityKind
    entity_id: str
    field: str
    kept_value: Any
    lost_value: Any
    reason: str
    detected_at: datetime
    resolved_at: datetime | None

    @property
    def refused(self) -> bool:
        return not self.field


def conflicts(session: Session, include_resolved: bool) -> list[Conflict]:
    query = select(ConflictRow).order_by(ConflictRow.detected_at.desc())
    if not include_resolved:
        query = query.where(ConflictRow.resolved_at.is_(None))
    return [
        Conflict(
            id=row.id,
            entity=EntityKind(row.entity),
            entity_id=row.entity_id,
            field=row.field,
            kept_value=row.kept_value,
            lost_value=row.lost_value,
            reason=row.reason,
            detected_at=row.detected_at,
            resolved_at=row.resolved_at,
        )
        for row in session.scalars(query)
    ]


def resolve_conflict(session: Session, conflict_id: str, now: datetime) -> ConflictRow:
    row = session.get(ConflictRow, conflict_id)
    if row is None:
        raise NotFound("conflict", conflict_id)
    row.resolved_at = now
    return row


def restore_conflict(writer: RecordWriter, conflict_id: str) -> None:
    """Write the losing value back as a new local edit and close the conflict."""
    row = resolve_conflict(writer.session, conflict_id, writer.now)
    if not row.field:
        raise DomainError("a refused write cannot be restored; edit the record again")
    model = MODELS[EntityKind(row.entity)]
    if row.field == DELETED_FIELD:  # the delete that lost: delete again
        writer.delete(model, row.entity_id)
    else:
        writer.update(model, row.entity_id, {row.field: row.lost_value})
    writer.changes |= Changes(conflicts=True)
