"""Applying the server's changes to the local store without losing pending local edits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS, Record, utcnow
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import DomainError, NotFound
from sfa_desktop.core.protocol import Change, ChangeOp, MutationOp, MutationResult, MutationStatus
from sfa_desktop.store.changes import Changes
from sfa_desktop.store.rows import column_values, to_record
from sfa_desktop.store.schema import TABLES, ConflictRow, OutboxRow
from sfa_desktop.store.writer import RecordWriter


def pending_fields(session: Session, entity_id: str) -> tuple[set[str], bool]:
    """Fields of a record with unpushed local edits, and whether a local delete is pending."""
    fields: set[str] = set()
    deleted = False
    for op, changed in session.execute(
        select(OutboxRow.op, OutboxRow.fields).where(OutboxRow.entity_id == entity_id)
    ):
        if op == MutationOp.DELETE:
            deleted = True
        else:
            fields.update(changed)
    return fields, deleted


def _merged(server: Record, local: Record | None, keep: set[str]) -> Record:
    """The server's record with the locally pending fields kept as the user left them."""
    if local is None or not keep:
        return server
    data: dict[str, Any] = server.model_dump()
    data.update({name: getattr(local, name) for name in keep if name in data})
    return type(server).model_validate(data)


def apply_change(session: Session, change: Change) -> Changes:
    """Apply one pulled change; returns the kinds it touched (empty when it was a no-op)."""
    table = TABLES[change.entity]
    row = session.get(table, change.entity_id)
    keep, deleted_here = pending_fields(session, change.entity_id)
    if change.op is ChangeOp.UPSERT:
        if deleted_here or change.data is None:
            return Changes()  # our delete is on its way; the server will settle it
        server = MODELS[change.entity].model_validate({**change.data, "version": change.version})
        record = _merged(server, to_record(row) if row else None, keep)
        values = column_values(record)
        if row is None:
            session.add(table(**values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
        return Changes.of(change.entity)
    if row is None:
        return Changes()
    if change.op is ChangeOp.DELETE and keep:
        return Changes()  # edited here after the server deleted it: the edit revives it
    session.delete(row)
    session.flush()
    return Changes.of(change.entity)


def apply_changes(session: Session, changes: Iterable[Change]) -> Changes:
    touched = Changes()
    for change in changes:
        touched |= apply_change(session, change)
    return touched


def clear_synced_data(session: Session) -> Changes:
    """Forget every downloaded record except those with pending local edits (for a reset)."""
    pending = set(session.scalars(select(OutboxRow.entity_id)))
    for kind in EntityKind:
        table = TABLES[kind]
        session.execute(delete(table).where(table.id.not_in(pending)))
    return Changes(frozenset(EntityKind))


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


def record_results(session: Session, results: Iterable[MutationResult]) -> Changes:
    """Stamp server versions on acknowledged records and file conflicts and refusals."""
    touched = Changes()
    now = utcnow()
    for result in results:
        outbox = session.scalar(select(OutboxRow).where(OutboxRow.seq == result.seq))
        if outbox is None:
            continue
        kind = EntityKind(outbox.entity)
        row = session.get(TABLES[kind], outbox.entity_id)
        if result.version is not None and row is not None:
            row.version = result.version
        for lost in result.conflicts:
            session.add(
                ConflictRow(
                    id=str(uuid.uuid4()),
                    entity=kind.value,
                    entity_id=outbox.entity_id,
                    field=lost.field,
                    reason="changed on another device",
                    kept_value=lost.winner,
                    lost_value=lost.loser,
                    detected_at=now,
                    resolved_at=None,
                )
            )
            touched |= Changes(conflicts=True)
        if result.status is MutationStatus.REJECTED:
            session.add(
                ConflictRow(
                    id=str(uuid.uuid4()),
                    entity=kind.value,
                    entity_id=outbox.entity_id,
                    field="",
                    reason=result.reason or "refused by the server",
                    kept_value=None,
                    lost_value={"op": outbox.op, "fields": outbox.fields},
                    detected_at=now,
                    resolved_at=None,
                )
            )
            touched |= Changes(conflicts=True)
    return touched


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
    writer.update(model, row.entity_id, {row.field: row.lost_value})
    writer.changes |= Changes(conflicts=True)
