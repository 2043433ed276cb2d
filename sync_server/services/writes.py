"""The checks and writes a pushed mutation is made of, shared by plain writes and merges:
permissions, field-level conflicts (the later write wins, the loser is filed), audit
entries and the trail that follows a record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import FieldChange, ManagerAdjustment
from sfa_desktop.core.entities import Record as CoreRecord
from sfa_desktop.core.enums import AuditAction, EntityKind, ForecastCategory
from sfa_desktop.core.protocol import (
    FieldConflict,
    Mutation,
    MutationResult,
    MutationStatus,
)
from sync_server.models import Record
from sync_server.services.adjustments import CLOSED_ADJUSTMENT, save_adjustment
from sync_server.services.audit import move_trail, write_audit
from sync_server.services.conflicts import file_conflict
from sync_server.services.records import (
    account_of,
    get_row,
    parse_row,
    save,
)
from sync_server.services.scope import Scope, can_write_account, visible

META = frozenset({"id", "version", "created_at", "updated_at"})
# Kinds whose writes get no audit entry: stage changes are a history already.
UNAUDITED = frozenset({EntityKind.STAGE_CHANGE, EntityKind.AUDIT_ENTRY})


class RejectedError(Exception):
    """A mutation that can never apply; it is acknowledged with this reason."""


def answer(mutation: Mutation, status: MutationStatus, **values: Any) -> MutationResult:
    return MutationResult(
        seq=mutation.seq, mutation_id=mutation.mutation_id, status=status, **values
    )


def edit_fields(
    row: Record, record: CoreRecord, fields: dict[str, Any], base_version: int | None, device: str
) -> tuple[dict[str, Any], set[str], list[FieldConflict]]:
    """What writing `record` over `row` changes: its new payload, the fields whose value
    changes, and those of them (sent in `fields`) that another device changed since
    `base_version` (the later write wins; the loser is kept)."""
    new_data = record.model_dump(mode="json", exclude={"version"})
    changed = {f for f in set(new_data) - META if new_data[f] != row.data.get(f)}
    conflicts = [
        FieldConflict(field=f, winner=new_data[f], loser=row.data.get(f))
        for f in sorted(changed & set(fields))
        if changed_by_other(row, f, base_version, device)
    ]
    return new_data, changed, conflicts


def changed_by_other(row: Record, field: str, base_version: int | None, device: str) -> bool:
    entry = row.field_versions.get(field)
    if entry is None:
        return False
    version, writer = entry
    return bool(version > (base_version or 0) and writer != device)


def store_record(
    session: Session,
    scope: Scope,
    device: str,
    record: CoreRecord,
    now: datetime,
    deleted: bool = False,
) -> int:
    if isinstance(record, ManagerAdjustment):
        if record.category is ForecastCategory.CLOSED and not deleted:
            raise RejectedError(CLOSED_ADJUSTMENT)
        return save_adjustment(
            session,
            scope.org_id,
            record,
            actor=scope.user_id,
            now=now,
            device=device,
            deleted=deleted,
        )
    return save(
        session, scope.org_id, record, actor=scope.user_id, now=now, device=device, deleted=deleted
    )


def audit_row(
    session: Session,
    scope: Scope,
    device: str,
    row: Record,
    action: AuditAction,
    now: datetime,
    changes: tuple[FieldChange, ...],
    note: str,
) -> None:
    write_audit(
        session,
        org_id=scope.org_id,
        record=row,
        action=action,
        actor_id=scope.user_id,
        device_id=device,
        changes=changes,
        note=note,
        now=now,
    )


def audit_mutation(
    session: Session,
    scope: Scope,
    device: str,
    m: Mutation,
    action: AuditAction,
    now: datetime,
    changes: tuple[FieldChange, ...] = (),
) -> None:
    """An audit entry for the record `m` just wrote (none for unaudited kinds)."""
    if m.entity in UNAUDITED:
        return
    row = get_row(session, m.entity, m.entity_id)
    assert row is not None, "the record was just stored"
    audit_row(session, scope, device, row, action, now, changes, note="")


def follow_trail(
    session: Session, row: Record, keys: tuple[str, str | None], now: datetime
) -> None:
    """Move the audit trail of `row` along when a write changed its owner or account."""
    if (row.owner_id, row.account_id) != keys:
        move_trail(
            session, record=row, previous_owner_id=keys[0], previous_account_id=keys[1], now=now
        )


def resend(session: Session, scope: Scope, device: str, row: Record, now: datetime) -> None:
    """Store a row again unchanged under a new version (a scope that grew receives it)."""
    save(
        session,
        row.org_id,
        parse_row(row),
        actor=scope.user_id,
        now=now,
        device=device,
        deleted=row.deleted,
    )


def keep_loser(
    session: Session,
    scope: Scope,
    row: Record,
    conflict: FieldConflict,
    version: int,
    now: datetime,
    loser_device: str | None,
    *,
    winner_user: str | None = None,
) -> None:
    """File the losing value of `conflict` for the device that wrote it (and its user)."""
    file_conflict(
        session,
        row,
        field=conflict.field,
        winner=conflict.winner,
        loser=conflict.loser,
        version=version,
        now=now,
        winner_user=winner_user or scope.user_id,
        loser_device=loser_device,
    )


def check_write(session: Session, scope: Scope, record: CoreRecord, row: Record | None) -> None:
    """Raise RejectedError unless the caller may write `record` (stored as `row`)."""
    entity, label = record.entity, f"{record.entity.value} {record.id}"
    if row is None and record.owner_id != scope.user_id:
        raise RejectedError(f"{label}: you can only create records you own")
    if row is not None:
        if record.owner_id != row.owner_id:
            raise RejectedError(f"{label}: the owner changes only by an admin's reassignment")
        if row.owner_id != scope.user_id and not (
            row.account_id and may_write_account(session, scope, row.account_id)
        ):
            raise RejectedError(f"{label} is outside your writable scope (read-only)")
    account_id = account_of(session, entity, record)
    if entity is EntityKind.STAGE_CHANGE and account_id is None:
        raise RejectedError(f"{label}: its opportunity does not exist or has no account")
    if (
        entity is not EntityKind.ACCOUNT
        and account_id is not None
        and (row is None or row.account_id != account_id)
        and not may_write_account(session, scope, account_id)
    ):
        raise RejectedError(
            f"{label}: account {account_id} does not exist or is outside your scope"
        )
    if isinstance(record, ManagerAdjustment) and record.subject_user_id not in scope.reports:
        raise RejectedError(f"{label}: you can only adjust the forecasts of your reports")


def may_write_account(session: Session, scope: Scope, account_id: str) -> bool:
    """`can_write_account`, answered from the rows already read when the caller owns it."""
    account = get_row(session, EntityKind.ACCOUNT, account_id)
    if account is None or account.org_id != scope.org_id:
        return False
    return account.owner_id == scope.user_id or can_write_account(session, scope, account_id)


def sees(session: Session, scope: Scope, row: Record) -> bool:
    """Whether `row` is in the caller's read scope (what a pull would send them)."""
    if row.org_id != scope.org_id:
        return False
    if row.owner_id in scope.owners:
        return True
    statement = select(Record.id).where(
        Record.entity == row.entity, Record.id == row.id, visible(Record, scope)
    )
    return session.scalar(statement) is not None
