"""Handshake and the idempotent, ordered push with field-level conflict detection."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS, ManagerAdjustment
from sfa_desktop.core.entities import Record as CoreRecord
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.core.protocol import (
    CLIENT_WRITABLE,
    PROTOCOL_MIN,
    PROTOCOL_VERSION,
    FieldConflict,
    HandshakeRequest,
    HandshakeResponse,
    Mutation,
    MutationOp,
    MutationResult,
    MutationStatus,
    PushRequest,
    PushResponse,
)
from sync_server import SCHEMA_VERSION
from sync_server.config import ServerSettings
from sync_server.errors import BadRequestError, ConflictError, ForbiddenError
from sync_server.models import ConflictRecord, Record
from sync_server.services.adjustments import save_adjustment
from sync_server.services.auth import Principal, principal_of
from sync_server.services.records import (
    DELETED_FIELD,
    VersionBlock,
    account_of,
    end_prefetch,
    get_row,
    parse_row,
    prefetch_facts,
    prefetch_rows,
    save,
)
from sync_server.services.scope import Scope, can_write_account, load_scope
from sync_server.services.tokens import AccessClaims

_META = frozenset({"id", "version", "created_at", "updated_at"})


class RejectedError(Exception):
    """A mutation that can never apply; it is acknowledged with this reason."""


def handshake(
    settings: ServerSettings, principal: Principal, request: HandshakeRequest, now: datetime
) -> HandshakeResponse:
    """Protocol range, server time and whether the device must wipe its data."""
    notes = []
    if not PROTOCOL_MIN <= request.protocol_version <= PROTOCOL_VERSION:
        notes.append(
            f"protocol {request.protocol_version} is not supported "
            f"(server speaks {PROTOCOL_MIN}-{PROTOCOL_VERSION})"
        )
    skew = abs((request.client_time - now).total_seconds())
    if skew > settings.clock_skew_warning_seconds:
        notes.append(f"your clock is off by {int(skew)} s; fix the system time")
    wipe = principal.device.revoked_at is not None
    if wipe:
        notes.append("this device was revoked: erase local data")
    return HandshakeResponse(
        protocol_min=PROTOCOL_MIN,
        protocol_max=PROTOCOL_VERSION,
        server_time=now,
        schema_version=SCHEMA_VERSION,
        wipe=wipe,
        message="; ".join(notes),
    )


def push(
    session: Session, claims: AccessClaims, request: PushRequest, now: datetime
) -> PushResponse:
    """Apply new mutations in seq order; seq <= last_seq is a duplicate, a gap is refused.

    The caller's device row is read locked (with its user, in one query) and stays locked
    to commit, so two pushes of one device never interleave.
    """
    principal = principal_of(session, claims, lock_device=True)
    device = principal.device
    if request.device_id != device.id:
        raise ForbiddenError("device_id does not match the device of the access token")
    seqs = [m.seq for m in request.mutations]
    if any(b <= a for a, b in itertools.pairwise(seqs)):
        raise BadRequestError("mutations must be sent in increasing seq order")
    last = device.last_seq
    fresh = [m.seq for m in request.mutations if m.seq > last]
    # A device's first push may start anywhere: a client that signs in again keeps its
    # outbox (and its seq numbers) under a newly registered device.
    start = fresh[0] if fresh and last == 0 else last + 1
    if fresh and fresh != list(range(start, start + len(fresh))):
        raise ConflictError(f"seq gap: the server has seq {last}, expected {last + 1} next")
    scope = load_scope(session, principal.user)
    results = []
    block = None
    if fresh:
        # The counter row is locked only now, after the device and scope reads, and held to
        # commit: versions become visible in commit order.
        block = VersionBlock(session)
        _prefetch(session, [m for m in request.mutations if m.seq > last])
    try:
        for mutation in request.mutations:
            if mutation.seq <= last:
                results.append(_result(mutation, MutationStatus.DUPLICATE))
                continue
            results.append(_apply_one(session, scope, device.id, mutation, now))
            device.last_seq = mutation.seq
        device.last_seen_at = now  # flushed with last_seq: one UPDATE of the device row
        if block is not None:
            block.close()
    finally:
        if block is not None:
            block.discard()
        end_prefetch(session)
    session.commit()
    return PushResponse(results=results, last_seq=device.last_seq)


def _apply_one(
    session: Session, scope: Scope, device: str, mutation: Mutation, now: datetime
) -> MutationResult:
    """Apply one mutation; a rejection changes nothing.

    Every rejection is raised before the first write, so only manager adjustments (which
    read and retire other rows while writing) need a savepoint.
    """
    savepoint = session.begin_nested() if mutation.entity is EntityKind.MANAGER_ADJUSTMENT else None
    try:
        result = _apply(session, scope, device, mutation, now)
    except (RejectedError, InvalidRecord) as exc:
        if savepoint is not None:
            savepoint.rollback()
            end_prefetch(session)  # rows it cached may be gone: read them afresh
        return _result(mutation, MutationStatus.REJECTED, reason=str(exc))
    if savepoint is not None:
        savepoint.commit()
    return result


def _prefetch(session: Session, mutations: list[Mutation]) -> None:
    """Read every row the mutations touch or refer to in a few queries (under the lock)."""
    keys = {(m.entity.value, m.entity_id) for m in mutations}
    prefetch_rows(session, keys)
    accounts: set[tuple[str, str]] = set()
    opportunities: set[tuple[str, str]] = set()
    for m in mutations:
        row = get_row(session, m.entity, m.entity_id)
        for source in (m.fields, row.data if row is not None else {}):
            account = source.get("account_id")
            if isinstance(account, str):
                accounts.add((EntityKind.ACCOUNT.value, account))
            opportunity = source.get("opportunity_id")
            if m.entity is EntityKind.STAGE_CHANGE and isinstance(opportunity, str):
                opportunities.add((EntityKind.OPPORTUNITY.value, opportunity))
        if row is not None and row.account_id:
            accounts.add((EntityKind.ACCOUNT.value, row.account_id))
    prefetch_rows(session, opportunities)
    for _, opportunity_id in opportunities:
        row = get_row(session, EntityKind.OPPORTUNITY, opportunity_id)
        if row is not None and row.account_id:
            accounts.add((EntityKind.ACCOUNT.value, row.account_id))
    prefetch_rows(session, accounts)
    prefetch_facts(session, {m.entity_id for m in mutations if m.entity is EntityKind.OPPORTUNITY})


def _result(mutation: Mutation, status: MutationStatus, **values: Any) -> MutationResult:
    return MutationResult(
        seq=mutation.seq, mutation_id=mutation.mutation_id, status=status, **values
    )


def _apply(
    session: Session, scope: Scope, device: str, m: Mutation, now: datetime
) -> MutationResult:
    if m.entity not in CLIENT_WRITABLE:
        raise RejectedError(f"{m.entity.value} records are managed by the server")
    fields = {k: v for k, v in m.fields.items() if k not in ("id", "version")}
    row = get_row(session, m.entity, m.entity_id)
    if row is not None and row.org_id != scope.org_id:
        raise RejectedError(f"{m.entity.value} {m.entity_id} is outside your scope")
    if m.op is MutationOp.DELETE:
        return _delete(session, scope, device, m, row, now)
    if row is None:
        data = {**fields, "id": m.entity_id}
        if data.get("owner_id") is None:
            data["owner_id"] = scope.user_id
        record = MODELS[m.entity].parse(data)
        _check_write(session, scope, record, None)
        version = _store(session, scope, device, record, now)
        return _result(m, MutationStatus.APPLIED, version=version)
    current = parse_row(row)
    record = current.with_changes(fields)
    _check_write(session, scope, record, row)
    new_data = record.model_dump(mode="json", exclude={"version"})
    changed = {f for f in set(new_data) - _META if new_data[f] != row.data.get(f)}
    if not changed and not row.deleted:
        return _result(m, MutationStatus.APPLIED, version=row.version)
    conflicts = [
        FieldConflict(field=f, winner=new_data[f], loser=row.data.get(f))
        for f in sorted(changed & set(fields))
        if _changed_by_other(row, f, m.base_version, device)
    ]
    previous_writer, deleted_by_other = (
        row.updated_by,
        row.deleted and _changed_by_other(row, DELETED_FIELD, m.base_version, device),
    )
    version = _store(session, scope, device, record, now)
    for conflict in conflicts:
        _keep_loser(session, scope, row, conflict, version, now, scope.user_id, previous_writer)
    if deleted_by_other:
        # Later edit vs delete: the record is restored and the deleter is told.
        restored = FieldConflict(field=DELETED_FIELD, winner=False, loser=True)
        _keep_loser(session, scope, row, restored, version, now, scope.user_id, previous_writer)
    status = MutationStatus.CONFLICT if conflicts else MutationStatus.APPLIED
    return _result(m, status, version=version, conflicts=conflicts)


def _delete(
    session: Session, scope: Scope, device: str, m: Mutation, row: Record | None, now: datetime
) -> MutationResult:
    if row is None or row.deleted:
        return _result(m, MutationStatus.APPLIED, version=row.version if row else None)
    current = parse_row(row)
    _check_write(session, scope, current, row)
    edited = [f for f in row.field_versions if _changed_by_other(row, f, m.base_version, device)]
    if edited:
        # Delete vs later edit: the record survives; resend it so the deleter gets it back.
        editor = row.updated_by
        version = _store(session, scope, device, current, now)
        conflict = FieldConflict(field=DELETED_FIELD, winner=False, loser=True)
        _keep_loser(session, scope, row, conflict, version, now, editor, scope.user_id)
        reason = f"changed on the server after your copy ({', '.join(sorted(edited))}); kept"
        return _result(
            m, MutationStatus.CONFLICT, version=version, reason=reason, conflicts=[conflict]
        )
    version = _store(session, scope, device, current, now, deleted=True)
    return _result(m, MutationStatus.APPLIED, version=version)


def _changed_by_other(row: Record, field: str, base_version: int | None, device: str) -> bool:
    entry = row.field_versions.get(field)
    if entry is None:
        return False
    version, writer = entry
    return bool(version > (base_version or 0) and writer != device)


def _store(
    session: Session,
    scope: Scope,
    device: str,
    record: CoreRecord,
    now: datetime,
    deleted: bool = False,
) -> int:
    if isinstance(record, ManagerAdjustment):
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


def _keep_loser(
    session: Session,
    scope: Scope,
    row: Record,
    conflict: FieldConflict,
    version: int,
    now: datetime,
    winner_user: str | None,
    loser_user: str | None,
) -> None:
    session.add(
        ConflictRecord(
            org_id=scope.org_id,
            entity=row.entity,
            entity_id=row.id,
            owner_id=row.owner_id,
            field=conflict.field,
            winner={"value": conflict.winner},
            loser={"value": conflict.loser},
            winner_user_id=winner_user,
            loser_user_id=loser_user,
            version=version,
            created_at=now,
            resolved=False,
        )
    )


def _check_write(session: Session, scope: Scope, record: CoreRecord, row: Record | None) -> None:
    """Raise RejectedError unless the caller may write `record` (stored as `row`)."""
    entity, label = record.entity, f"{record.entity.value} {record.id}"
    if row is None and record.owner_id != scope.user_id:
        raise RejectedError(f"{label}: you can only create records you own")
    if row is not None:
        if record.owner_id != row.owner_id:
            raise RejectedError(f"{label}: the owner changes only by an admin's reassignment")
        if row.owner_id != scope.user_id and not (
            row.account_id and _can_write_account(session, scope, row.account_id)
        ):
            raise RejectedError(f"{label} is outside your writable scope (read-only)")
    account_id = account_of(session, entity, record)
    if entity is EntityKind.STAGE_CHANGE and account_id is None:
        raise RejectedError(f"{label}: its opportunity does not exist or has no account")
    if (
        entity is not EntityKind.ACCOUNT
        and account_id is not None
        and (row is None or row.account_id != account_id)
        and not _can_write_account(session, scope, account_id)
    ):
        raise RejectedError(
            f"{label}: account {account_id} does not exist or is outside your scope"
        )
    if isinstance(record, ManagerAdjustment) and record.subject_user_id not in scope.reports:
        raise RejectedError(f"{label}: you can only adjust the forecasts of your reports")


def _can_write_account(session: Session, scope: Scope, account_id: str) -> bool:
    """`can_write_account`, answered from the rows already read when the caller owns it."""
    account = get_row(session, EntityKind.ACCOUNT, account_id)
    if account is None or account.org_id != scope.org_id:
        return False
    return account.owner_id == scope.user_id or can_write_account(session, scope, account_id)
