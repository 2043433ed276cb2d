"""The audit trail: one server-written `audit_entry` record per change of a record.

An entry is an ordinary row of the `records` table with its own version, stored under the
owner and account of the record it describes: the scope and pull code deliver it to exactly
the people who see that record, and a reassignment or a team change re-sends it with the
record's other rows. Clients cannot write entries (the kind is server-owned).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import AuditEntry, FieldChange, new_id
from sfa_desktop.core.enums import AuditAction, EntityKind
from sync_server.models import Device, Record, User
from sync_server.services.records import in_version_block, next_version, parse_row, save

ADMIN_NAME = "Administrator"  # the actor of a change made without a user (admin CLI, system)


def write_audit(
    session: Session,
    *,
    org_id: str,
    record: Record,
    action: AuditAction,
    actor_id: str | None,
    device_id: str | None,
    changes: Iterable[FieldChange] = (),
    note: str = "",
    now: datetime,
) -> int:
    """Store an entry about `record` (its row after the write) and return its version.

    `actor_id` None means an administrator or the system. The actor's and device's names
    are read from their rows (a push has them in the session already, so this costs no
    query there). Use `field_changes` to build `changes` from the JSON before and after.
    """
    actor_name, device_name = _names(session, actor_id, device_id)
    entry = AuditEntry(
        id=new_id(),
        owner_id=record.owner_id,
        created_at=now,
        updated_at=now,
        record_entity=EntityKind(record.entity),
        record_id=record.id,
        action=action,
        actor_id=actor_id,
        actor_name=actor_name,
        device_name=device_name,
        at=now,
        changes=tuple(changes),
        note=note,
    )
    version = next_version(session)
    session.add(
        Record(
            entity=EntityKind.AUDIT_ENTRY.value,
            id=entry.id,
            org_id=org_id,
            owner_id=record.owner_id,
            account_id=record.account_id,
            version=version,
            deleted=False,
            data=entry.model_dump(mode="json", exclude={"version"}),
            field_versions={},
            updated_by=actor_id,
            changed_at=now,
        )
    )
    if not in_version_block(session):
        session.flush()  # a version block flushes its writes together before commit
    return version


def move_trail(
    session: Session,
    *,
    record: Record,
    previous_owner_id: str,
    previous_account_id: str | None,
    now: datetime,
) -> int:
    """Re-key the entries of `record` after its owner or account changed (a contact moved
    to another account, a merge re-pointing it), so they follow it into its new scope and
    leave the old one. Returns how many entries moved.

    The entries are found under the record's previous keys (indexed columns), never by a
    scan of the trail.
    """
    query = select(Record).where(
        Record.entity == EntityKind.AUDIT_ENTRY.value,
        Record.org_id == record.org_id,
        Record.data["record_id"].as_string() == record.id,
    )
    if previous_account_id is not None:
        query = query.where(Record.account_id == previous_account_id)
    else:
        query = query.where(Record.account_id.is_(None), Record.owner_id == previous_owner_id)
    moved = 0
    for row in session.scalars(query.order_by(Record.version)):
        entry = parse_row(row)
        if entry.owner_id != record.owner_id:
            entry = entry.with_changes({"owner_id": record.owner_id})
        # `save` takes the account from the audited record (see records.account_of).
        save(session, row.org_id, entry, actor=None, now=now, deleted=row.deleted)
        moved += 1
    return moved


_NAMES = "sfa_audit_names"


def _names(session: Session, actor_id: str | None, device_id: str | None) -> tuple[str, str]:
    """The actor's and device's names, read once per transaction (a push of many mutations
    writes many entries for one user and device)."""
    cache: dict[tuple[str | None, str | None], tuple[str, str]] = session.info.setdefault(
        _NAMES, {}
    )
    key = (actor_id, device_id)
    if key not in cache:
        if actor_id is None:
            actor_name = ADMIN_NAME
        else:
            user = session.get(User, actor_id)
            actor_name = user.name if user is not None else actor_id
        device = session.get(Device, device_id) if device_id is not None else None
        cache[key] = (actor_name, device.name if device is not None else "")
    return cache[key]
