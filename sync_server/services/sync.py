"""Handshake and the idempotent, ordered push with field-level conflict detection."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS
from sfa_desktop.core.entities.audit import field_changes
from sfa_desktop.core.enums import AuditAction, EntityKind
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.core.protocol import (
    CLIENT_WRITABLE,
    DELETED_FIELD,
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
from sfa_desktop.core.shared_ids import is_name_based
from sync_server import SCHEMA_VERSION
from sync_server.config import ServerSettings
from sync_server.errors import BadRequestError, ConflictError, ForbiddenError
from sync_server.models import Record
from sync_server.services import insight_moves
from sync_server.services.auth import Principal, principal_of
from sync_server.services.conflicts import (
    file_refusal,
    user_of_device,
    writer_of,
)
from sync_server.services.custom_fields import check_pushed
from sync_server.services.insight_sums import prefetch_accounts
from sync_server.services.merge_push import apply_merge
from sync_server.services.records import (
    VersionBlock,
    end_prefetch,
    get_row,
    parse_row,
    prefetch_facts,
    prefetch_rows,
)
from sync_server.services.scope import Scope, load_scope, visible
from sync_server.services.text import unstorable
from sync_server.services.tokens import AccessClaims
from sync_server.services.writes import (
    META,
    UNAUDITED,
    RejectedError,
    answer,
    audit_mutation,
    changed_by_other,
    check_write,
    edit_fields,
    follow_trail,
    keep_loser,
    resend,
    sees,
    store_record,
)


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
        _prefetch(session, [m for m in request.mutations if m.seq > last and not unstorable(m)])
    try:
        for mutation in request.mutations:
            if mutation.seq <= last:
                results.append(answer(mutation, MutationStatus.DUPLICATE))
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
    read and retire other rows while writing) and merges (which write many records) need
    a savepoint.
    """
    problem = unstorable(mutation)  # before any query sees it: PostgreSQL refuses NUL
    if problem is not None:
        return _refuse(session, scope, device, mutation, problem, now)
    needs_savepoint = (
        mutation.entity is EntityKind.MANAGER_ADJUSTMENT or mutation.op is MutationOp.MERGE
    )
    savepoint = None
    if needs_savepoint:
        insight_moves.settle(session)  # a savepoint holds only the moves of its own writes
        savepoint = session.begin_nested()
    try:
        result = _apply(session, scope, device, mutation, now)
    except (RejectedError, InvalidRecord) as exc:
        if savepoint is not None:
            savepoint.rollback()
            insight_moves.drop(session)
            end_prefetch(session)  # rows it cached may be gone: read them afresh
        return _refuse(session, scope, device, mutation, str(exc), now)
    if savepoint is not None:
        insight_moves.settle(session)
        savepoint.commit()
    return result


def _refuse(
    session: Session, scope: Scope, device: str, mutation: Mutation, reason: str, now: datetime
) -> MutationResult:
    """Answer `rejected` and keep the refused write for its sender's device to pull, with
    the record as it stands for the sender (so the device can drop the refused values)."""
    current = None
    if unstorable(mutation) is None:  # PostgreSQL cannot even look a NUL id up
        current = session.scalar(
            select(Record).where(
                Record.entity == mutation.entity.value,
                Record.id == mutation.entity_id,
                Record.deleted.is_(False),
                visible(Record, scope),
            )
        )
    file_refusal(
        session,
        scope.org_id,
        mutation,
        reason,
        now=now,
        user_id=scope.user_id,
        device_id=device,
        current=current,
    )
    return answer(mutation, MutationStatus.REJECTED, reason=reason)


def _prefetch(session: Session, mutations: list[Mutation]) -> None:
    """Read every row the mutations touch or refer to in a few queries (under the lock)."""
    keys = {(m.entity.value, m.entity_id) for m in mutations}
    keys |= {(m.entity.value, i) for m in mutations for i in m.merged_ids or ()}
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
    account_ids = {i for kind, i in keys | accounts if kind == EntityKind.ACCOUNT.value}
    prefetch_accounts(session, account_ids)  # their owners and grades, for the summaries
    prefetch_facts(session, {m.entity_id for m in mutations if m.entity is EntityKind.OPPORTUNITY})


def _apply(
    session: Session, scope: Scope, device: str, m: Mutation, now: datetime
) -> MutationResult:
    if m.entity not in CLIENT_WRITABLE:
        raise RejectedError(f"{m.entity.value} records are managed by the server")
    fields = {k: v for k, v in m.fields.items() if k not in ("id", "version")}
    row = get_row(session, m.entity, m.entity_id)
    if row is not None and not sees(session, scope, row):
        raise RejectedError(f"{m.entity.value} {m.entity_id} does not exist")
    if m.op is MutationOp.DELETE:
        return _delete(session, scope, device, m, row, now)
    if m.op is MutationOp.MERGE:
        return apply_merge(session, scope, device, m, row, now)
    if row is not None and m.base_version is None and _created_by_another(row, m, device):
        return _created_elsewhere(session, scope, device, m, row, now)
    if row is None:
        data = {**fields, "id": m.entity_id}
        if data.get("owner_id") is None:
            data["owner_id"] = scope.user_id
        record = check_pushed(session, scope, None, MODELS[m.entity].parse(data))
        check_write(session, scope, record, None)
        version = store_record(session, scope, device, record, now)
        audit_mutation(session, scope, device, m, AuditAction.CREATED, now)
        return answer(m, MutationStatus.APPLIED, version=version)
    current = parse_row(row)
    record = check_pushed(session, scope, current, current.with_changes(fields))
    check_write(session, scope, record, row)
    new_data, changed, conflicts = edit_fields(row, record, fields, m.base_version, device)
    if not changed and not row.deleted:
        return answer(m, MutationStatus.APPLIED, version=row.version)
    losers = {c.field: writer_of(row, c.field) for c in conflicts}
    deleter = writer_of(row, DELETED_FIELD) if row.deleted else None
    deleted_by_other = row.deleted and changed_by_other(row, DELETED_FIELD, m.base_version, device)
    before, was_deleted, keys = row.data, row.deleted, (row.owner_id, row.account_id)
    version = store_record(session, scope, device, record, now)
    action = AuditAction.RESTORED if was_deleted else AuditAction.UPDATED
    changes = field_changes(type(record), before, new_data, changed)
    audit_mutation(session, scope, device, m, action, now, changes)
    if m.entity not in UNAUDITED:
        follow_trail(session, row, keys, now)
    for conflict in conflicts:
        keep_loser(session, scope, row, conflict, version, now, losers[conflict.field])
    if deleted_by_other:
        # Later edit vs delete: the record is restored and the deleter is told.
        restored = FieldConflict(field=DELETED_FIELD, winner=False, loser=True)
        keep_loser(session, scope, row, restored, version, now, deleter)
    status = MutationStatus.CONFLICT if conflicts else MutationStatus.APPLIED
    return answer(m, status, version=version, conflicts=conflicts)


def _created_by_another(row: Record, m: Mutation, device: str) -> bool:
    """Whether `m` creates a name-based record that only other devices wrote so far."""
    return is_name_based(m.entity_id) and all(
        writer != device for _, writer in row.field_versions.values()
    )


def _created_elsewhere(
    session: Session, scope: Scope, device: str, m: Mutation, row: Record, now: datetime
) -> MutationResult:
    """A name-based record another device created first (core.shared_ids): its create
    from this device changes nothing. When this device's copy differs (edited or deleted
    since, or matched differently), the record is sent again under a new version, so the
    device's next pull replaces its copy with the one the server keeps."""
    same = not row.deleted and all(
        row.data.get(name) == value for name, value in m.fields.items() if name not in META
    )
    if not same:
        resend(session, scope, device, row, now)
    return answer(m, MutationStatus.APPLIED, version=row.version)


def _delete(
    session: Session, scope: Scope, device: str, m: Mutation, row: Record | None, now: datetime
) -> MutationResult:
    if row is None or row.deleted:
        return answer(m, MutationStatus.APPLIED, version=row.version if row else None)
    current = parse_row(row)
    check_write(session, scope, current, row)
    edited = [f for f in row.field_versions if changed_by_other(row, f, m.base_version, device)]
    if edited:
        # Delete vs later edit: the record survives; resend it so the deleter gets it back.
        editor = user_of_device(
            session, writer_of(row, max(edited, key=lambda f: row.field_versions[f][0]))
        )
        version = store_record(session, scope, device, current, now)
        conflict = FieldConflict(field=DELETED_FIELD, winner=False, loser=True)
        keep_loser(session, scope, row, conflict, version, now, device, winner_user=editor)
        reason = f"changed on the server after your copy ({', '.join(sorted(edited))}); kept"
        return answer(
            m, MutationStatus.CONFLICT, version=version, reason=reason, conflicts=[conflict]
        )
    version = store_record(session, scope, device, current, now, deleted=True)
    audit_mutation(session, scope, device, m, AuditAction.DELETED, now)
    return answer(m, MutationStatus.APPLIED, version=version)
