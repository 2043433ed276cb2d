"""A record's history: the server's audit entries, and this device's writes not yet synced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS, FieldChange
from sfa_desktop.core.entities.audit import audit_value
from sfa_desktop.core.enums import AuditAction, EntityKind
from sfa_desktop.core.protocol import MutationOp
from sfa_desktop.store.schema import TABLES, AuditEntryRow, OutboxRow

YOU = "You"

# What a pending outbox row did, by its op (a merge is its own op).
_PENDING_ACTION = {
    MutationOp.UPSERT.value: AuditAction.UPDATED,
    MutationOp.DELETE.value: AuditAction.DELETED,
    "merge": AuditAction.MERGED,
}


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a record, newest first in `history`.

    A `pending` entry is a write of this device the server has not acknowledged yet: its
    actor is YOU, and its changes hold the new values only (`old` is None).
    """

    at: datetime
    action: AuditAction
    actor_name: str
    device_name: str
    changes: tuple[FieldChange, ...] = ()
    note: str = ""
    pending: bool = False


def history(session: Session, entity: EntityKind, record_id: str) -> list[HistoryEntry]:
    """Pending local writes (newest first), then the server's entries (newest first)."""
    rows = session.scalars(
        select(AuditEntryRow)
        .where(AuditEntryRow.record_id == record_id, AuditEntryRow.record_entity == entity.value)
        .order_by(AuditEntryRow.at.desc(), AuditEntryRow.version.desc())
    )
    synced = [
        HistoryEntry(
            at=row.at,
            action=AuditAction(row.action),
            actor_name=row.actor_name,
            device_name=row.device_name,
            changes=tuple(FieldChange.model_validate(change) for change in row.changes),
            note=row.note,
        )
        for row in rows
    ]
    return _pending(session, entity, record_id)[::-1] + synced


def _pending(session: Session, entity: EntityKind, record_id: str) -> list[HistoryEntry]:
    """This device's unpushed writes of the record, oldest first."""
    outbox = session.execute(
        select(OutboxRow.op, OutboxRow.fields, OutboxRow.base_version, OutboxRow.created_at)
        .where(OutboxRow.entity_id == record_id, OutboxRow.entity == entity.value)
        .order_by(OutboxRow.seq)
    ).all()
    if not outbox:
        return []
    local = session.get(TABLES[entity], record_id)
    never_synced = local is None or local.version is None
    model = MODELS[entity]
    order = {name: index for index, name in enumerate(model.model_fields)}
    every_field = set(model.model_fields) - set(model.META_FIELDS)
    entries = []
    for index, (op, fields, base_version, created_at) in enumerate(outbox):
        action = _PENDING_ACTION.get(op, AuditAction.UPDATED)
        # The first write of a record this device made and never synced is its creation
        # (a whole record; a record seeded here without an outbox row is edited, not made).
        created = index == 0 and action is AuditAction.UPDATED and base_version is None
        if created and never_synced and set(fields) >= every_field:
            action = AuditAction.CREATED
        changes: tuple[FieldChange, ...] = ()
        if action is AuditAction.UPDATED:
            names = sorted(fields, key=lambda name: (order.get(name, len(order)), name))
            changes = tuple(
                FieldChange(field=name, new=audit_value(fields[name])) for name in names
            )
        entries.append(HistoryEntry(created_at, action, YOU, "", changes, pending=True))
    return entries
