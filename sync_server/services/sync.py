"""Handshake and the idempotent, ordered push with field-level conflict detection."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS, FieldChange, ManagerAdjustment
from sfa_desktop.core.entities import Record as CoreRecord
from sfa_desktop.core.entities.audit import field_changes
from sfa_desktop.core.enums import AuditAction, EntityKind
from sfa_desktop.core.errors import DomainError, InvalidRecord
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
from sfa_desktop.core.rules.merge import check_merge, merge_plans, repoint
from sync_server import SCHEMA_VERSION
from sync_server.config import ServerSettings
from sync_server.errors import BadRequestError, ConflictError, ForbiddenError
from sync_server.models import Record
from sync_server.services.adjustments import save_adjustment
from sync_server.services.audit import move_trail, write_audit
from sync_server.services.auth import Principal, principal_of
from sync_server.services.conflicts import (
    file_conflict,
    file_refusal,
    user_of_device,
    writer_of,
)
from sync_server.services.merge import account_rows, join_teams, live_plans, referring_rows
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
from sync_server.services.scope import Scope, can_write_account, load_scope, visible
from sync_server.services.text import unstorable
from sync_server.services.tokens import AccessClaims

_META = frozenset({"id", "version", "created_at", "updated_at"})
# Kinds whose writes get no audit entry: stage changes are a history already.
_UNAUDITED = frozenset({EntityKind.STAGE_CHANGE, EntityKind.AUDIT_ENTRY})


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
        _prefetch(session, [m for m in request.mutations if m.seq > last and not unstorable(m)])
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
    read and retire other rows while writing) and merges (which write many records) need
    a savepoint.
    """
    problem = unstorable(mutation)  # before any query sees it: PostgreSQL refuses NUL
    if problem is not None:
        return _refuse(session, scope, device, mutation, problem, now)
    needs_savepoint = (
        mutation.entity is EntityKind.MANAGER_ADJUSTMENT or mutation.op is MutationOp.MERGE
    )
    savepoint = session.begin_nested() if needs_savepoint else None
    try:
        result = _apply(session, scope, device, mutation, now)
    except (RejectedError, InvalidRecord) as exc:
        if savepoint is not None:
            savepoint.rollback()
            end_prefetch(session)  # rows it cached may be gone: read them afresh
        return _refuse(session, scope, device, mutation, str(exc), now)
    if savepoint is not None:
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
    return _result(mutation, MutationStatus.REJECTED, reason=reason)


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
    if row is not None and not _sees(session, scope, row):
        raise RejectedError(f"{m.entity.value} {m.entity_id} does not exist")
    if m.op is MutationOp.DELETE:
        return _delete(session, scope, device, m, row, now)
    if m.op is MutationOp.MERGE:
        return _merge(session, scope, device, m, row, now)
    if row is None:
        data = {**fields, "id": m.entity_id}
        if data.get("owner_id") is None:
            data["owner_id"] = scope.user_id
        record = MODELS[m.entity].parse(data)
        _check_write(session, scope, record, None)
        version = _store(session, scope, device, record, now)
        _audit(session, scope, device, m, AuditAction.CREATED, now)
        return _result(m, MutationStatus.APPLIED, version=version)
    current = parse_row(row)
    record = current.with_changes(fields)
    _check_write(session, scope, record, row)
    new_data, changed, conflicts = _edit(row, record, fields, m.base_version, device)
    if not changed and not row.deleted:
        return _result(m, MutationStatus.APPLIED, version=row.version)
    losers = {c.field: writer_of(row, c.field) for c in conflicts}
    deleter = writer_of(row, DELETED_FIELD) if row.deleted else None
    deleted_by_other = row.deleted and _changed_by_other(row, DELETED_FIELD, m.base_version, device)
    before, was_deleted, keys = row.data, row.deleted, (row.owner_id, row.account_id)
    version = _store(session, scope, device, record, now)
    action = AuditAction.RESTORED if was_deleted else AuditAction.UPDATED
    changes = field_changes(type(record), before, new_data, changed)
    _audit(session, scope, device, m, action, now, changes)
    if m.entity not in _UNAUDITED:
        _follow(session, row, keys, now)
    for conflict in conflicts:
        _keep_loser(session, scope, row, conflict, version, now, losers[conflict.field])
    if deleted_by_other:
        # Later edit vs delete: the record is restored and the deleter is told.
        restored = FieldConflict(field=DELETED_FIELD, winner=False, loser=True)
        _keep_loser(session, scope, row, restored, version, now, deleter)
    status = MutationStatus.CONFLICT if conflicts else MutationStatus.APPLIED
    return _result(m, status, version=version, conflicts=conflicts)


def _edit(
    row: Record, record: CoreRecord, fields: dict[str, Any], base_version: int | None, device: str
) -> tuple[dict[str, Any], set[str], list[FieldConflict]]:
    """What writing `record` over `row` changes: its new payload, the fields whose value
    changes, and those of them (sent in `fields`) that another device changed since
    `base_version` (the later write wins; the loser is kept)."""
    new_data = record.model_dump(mode="json", exclude={"version"})
    changed = {f for f in set(new_data) - _META if new_data[f] != row.data.get(f)}
    conflicts = [
        FieldConflict(field=f, winner=new_data[f], loser=row.data.get(f))
        for f in sorted(changed & set(fields))
        if _changed_by_other(row, f, base_version, device)
    ]
    return new_data, changed, conflicts


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
        editor = user_of_device(
            session, writer_of(row, max(edited, key=lambda f: row.field_versions[f][0]))
        )
        version = _store(session, scope, device, current, now)
        conflict = FieldConflict(field=DELETED_FIELD, winner=False, loser=True)
        _keep_loser(session, scope, row, conflict, version, now, device, winner_user=editor)
        reason = f"changed on the server after your copy ({', '.join(sorted(edited))}); kept"
        return _result(
            m, MutationStatus.CONFLICT, version=version, reason=reason, conflicts=[conflict]
        )
    version = _store(session, scope, device, current, now, deleted=True)
    _audit(session, scope, device, m, AuditAction.DELETED, now)
    return _result(m, MutationStatus.APPLIED, version=version)


def _merge(
    session: Session, scope: Scope, device: str, m: Mutation, row: Record | None, now: datetime
) -> MutationResult:
    """Fold `m.merged_ids` into the survivor `m.entity_id`, all or nothing (the caller
    holds a savepoint): every record of the organisation that refers to a merged record
    is re-pointed to the survivor (whoever's it is), the merged records are deleted and
    the survivor takes `m.fields`. Each write gets its own version, so every scope
    receives what it sees of the merge; an account survivor joins the merged accounts'
    teams. Rejected, with the reason, unless the caller may write the survivor and every
    merged record and none of them is deleted.
    """
    kind, merged_ids = m.entity, list(m.merged_ids or ())
    try:
        check_merge(kind, m.entity_id, merged_ids)
    except DomainError as exc:
        raise RejectedError(str(exc)) from None
    survivor_row = _live_row(session, scope, kind, m.entity_id, row)
    merged_rows = [_live_row(session, scope, kind, i, None) for i in merged_ids]
    for merged_row in merged_rows:
        _check_write(session, scope, parse_row(merged_row), merged_row)
    moves = dict.fromkeys(merged_ids, m.entity_id)
    fields = {k: v for k, v in m.fields.items() if k not in ("id", "version")}
    current = parse_row(survivor_row)
    record = current.with_changes(fields)
    record = record.with_changes(repoint(kind, record.data_fields(), moves, kind, record.id))
    _check_write(session, scope, record, survivor_row)
    # Every check is done: from here on the merge writes.
    before = survivor_row.data
    new_data, changed, conflicts = _edit(survivor_row, record, fields, m.base_version, device)
    losers = {c.field: writer_of(survivor_row, c.field) for c in conflicts}
    keys = (survivor_row.owner_id, survivor_row.account_id)
    version = _store(session, scope, device, record, now)
    for conflict in conflicts:
        _keep_loser(session, scope, survivor_row, conflict, version, now, losers[conflict.field])
    names = ", ".join(_label(merged_row) for merged_row in merged_rows)
    changes = field_changes(type(record), before, new_data, changed)
    note = f"Merged {names} into this {kind.value}"
    _audit_row(session, scope, device, survivor_row, AuditAction.MERGED, now, changes, note)
    _follow(session, survivor_row, keys, now)
    survivor_label = _label(survivor_row)
    saved = _repoint_referrers(session, scope, device, m, moves, survivor_label, now)
    for merged_row in merged_rows:
        _store(session, scope, device, parse_row(merged_row), now, deleted=True)
        saved.add((merged_row.entity, merged_row.id))
        note = f"Merged into {survivor_label} ({m.entity_id})"
        _audit_row(session, scope, device, merged_row, AuditAction.MERGED, now, (), note)
    if kind is EntityKind.ACCOUNT and join_teams(session, m.entity_id, merged_ids):
        # Members of the merged accounts' teams now see the survivor: send them its rows.
        saved.add((kind.value, m.entity_id))
        for account_row in account_rows(session, m.entity_id):
            if (account_row.entity, account_row.id) not in saved:
                _resend(session, scope, device, account_row, now)
    status = MutationStatus.CONFLICT if conflicts else MutationStatus.APPLIED
    return _result(m, status, version=version, conflicts=conflicts)


def _live_row(
    session: Session, scope: Scope, kind: EntityKind, record_id: str, row: Record | None
) -> Record:
    """The stored, not deleted `kind` record `record_id` the caller can see; whatever the
    caller cannot see reads exactly as absent (its kind, name and state stay unsaid)."""
    row = row or get_row(session, kind, record_id)
    if row is None or not _sees(session, scope, row):
        other = session.scalar(
            select(Record.entity).where(
                Record.id == record_id, Record.entity != kind.value, visible(Record, scope)
            )
        )
        if other is not None:
            raise RejectedError(f"{record_id} is a {other}, not a {kind.value}: cannot merge")
        raise RejectedError(f"{kind.value} {record_id} does not exist")
    if row.deleted:
        raise RejectedError(f"{kind.value} {_label(row)} ({record_id}) is already deleted")
    return row


def _sees(session: Session, scope: Scope, row: Record) -> bool:
    """Whether `row` is in the caller's read scope (what a pull would send them)."""
    if row.org_id != scope.org_id:
        return False
    if row.owner_id in scope.owners:
        return True
    statement = select(Record.id).where(
        Record.entity == row.entity, Record.id == row.id, visible(Record, scope)
    )
    return session.scalar(statement) is not None


def _label(row: Record) -> str:
    """A record's name for messages: an account's name, a contact's full name."""
    data = row.data
    name = data.get("name") or " ".join(
        part for part in (data.get("first_name"), data.get("last_name")) if part
    )
    return str(name or row.id)


def _repoint_referrers(
    session: Session,
    scope: Scope,
    device: str,
    m: Mutation,
    moves: dict[str, str],
    survivor_label: str,
    now: datetime,
) -> set[tuple[str, str]]:
    """Re-point every live record of the organisation that refers to a merged record;
    an account merge folds plans of one fiscal year into one. Returns the rows written."""
    kind, survivor_id = m.entity, m.entity_id
    rows = referring_rows(session, scope.org_id, kind, list(moves))
    saved: set[tuple[str, str]] = set()
    plan_updates: dict[str, dict[str, Any]] = {}
    folded: set[str] = set()
    if kind is EntityKind.ACCOUNT:
        own_plans = live_plans(session, scope.org_id, survivor_id)
        plans = [r for r in rows if r.entity == EntityKind.ACCOUNT_PLAN.value] + own_plans
        outcome = merge_plans(survivor_id, list(moves), [(p.id, p.data) for p in plans])
        plan_updates, folded = outcome.updates, set(outcome.deleted)
        rows += [p for p in own_plans if p.id in plan_updates]
    note = f"Moved to {survivor_label} ({survivor_id}) by a merge of {kind.value}s"
    for row in rows:
        entity = EntityKind(row.entity)
        if entity is kind and row.id == survivor_id:
            continue  # re-pointed with its own fields
        current = parse_row(row)
        if entity is EntityKind.ACCOUNT_PLAN and kind is EntityKind.ACCOUNT:
            if row.id in folded:
                _store(session, scope, device, current, now, deleted=True)
                folded_note = f"Folded into the plan of {survivor_label} by a merge"
                _audit_row(session, scope, device, row, AuditAction.MERGED, now, (), folded_note)
                saved.add((row.entity, row.id))
                continue
            changes = plan_updates.get(row.id, {})
        else:
            changes = repoint(entity, row.data, moves, kind, row.id)
        if not changes and row.account_id not in moves:
            continue
        before, keys = row.data, (row.owner_id, row.account_id)
        record = current.with_changes(changes)
        _store(session, scope, device, record, now)
        saved.add((row.entity, row.id))
        if entity not in _UNAUDITED:
            after = record.model_dump(mode="json", exclude={"version"})
            changed = field_changes(type(record), before, after, changes)
            _audit_row(session, scope, device, row, AuditAction.MOVED, now, changed, note)
            _follow(session, row, keys, now)
    return saved


def _audit_row(
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


def _follow(session: Session, row: Record, keys: tuple[str, str | None], now: datetime) -> None:
    """Move the audit trail of `row` along when a write changed its owner or account."""
    if (row.owner_id, row.account_id) != keys:
        move_trail(
            session, record=row, previous_owner_id=keys[0], previous_account_id=keys[1], now=now
        )


def _resend(session: Session, scope: Scope, device: str, row: Record, now: datetime) -> None:
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


def _audit(
    session: Session,
    scope: Scope,
    device: str,
    m: Mutation,
    action: AuditAction,
    now: datetime,
    changes: tuple[FieldChange, ...] = (),
) -> None:
    """An audit entry for the record `m` just wrote (none for unaudited kinds)."""
    if m.entity in _UNAUDITED:
        return
    row = get_row(session, m.entity, m.entity_id)
    assert row is not None, "the record was just stored"
    _audit_row(session, scope, device, row, action, now, changes, note="")


def _keep_loser(
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
