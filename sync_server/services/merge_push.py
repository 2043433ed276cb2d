"""A merge mutation: fold records into a survivor across the whole organisation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities.audit import field_changes
from sfa_desktop.core.enums import AuditAction, EntityKind
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.protocol import (
    Mutation,
    MutationResult,
    MutationStatus,
)
from sfa_desktop.core.rules.merge import check_merge, merge_plans, repoint
from sync_server.models import Record
from sync_server.services.conflicts import writer_of
from sync_server.services.merge import account_rows, join_teams, live_plans, referring_rows
from sync_server.services.records import (
    get_row,
    parse_row,
)
from sync_server.services.scope import Scope, visible
from sync_server.services.writes import (
    UNAUDITED,
    RejectedError,
    answer,
    audit_row,
    check_write,
    edit_fields,
    follow_trail,
    keep_loser,
    resend,
    sees,
    store_record,
)


def apply_merge(
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
    survivor_row = live_row(session, scope, kind, m.entity_id, row)
    merged_rows = [live_row(session, scope, kind, i, None) for i in merged_ids]
    for merged_row in merged_rows:
        check_write(session, scope, parse_row(merged_row), merged_row)
    moves = dict.fromkeys(merged_ids, m.entity_id)
    fields = {k: v for k, v in m.fields.items() if k not in ("id", "version")}
    current = parse_row(survivor_row)
    record = current.with_changes(fields)
    record = record.with_changes(repoint(kind, record.data_fields(), moves, kind, record.id))
    check_write(session, scope, record, survivor_row)
    # Every check is done: from here on the merge writes.
    before = survivor_row.data
    new_data, changed, conflicts = edit_fields(survivor_row, record, fields, m.base_version, device)
    losers = {c.field: writer_of(survivor_row, c.field) for c in conflicts}
    keys = (survivor_row.owner_id, survivor_row.account_id)
    version = store_record(session, scope, device, record, now)
    for conflict in conflicts:
        keep_loser(session, scope, survivor_row, conflict, version, now, losers[conflict.field])
    names = ", ".join(label_of(merged_row) for merged_row in merged_rows)
    changes = field_changes(type(record), before, new_data, changed)
    note = f"Merged {names} into this {kind.value}"
    audit_row(session, scope, device, survivor_row, AuditAction.MERGED, now, changes, note)
    follow_trail(session, survivor_row, keys, now)
    survivor_label = label_of(survivor_row)
    saved = repoint_referrers(session, scope, device, m, moves, survivor_label, now)
    for merged_row in merged_rows:
        store_record(session, scope, device, parse_row(merged_row), now, deleted=True)
        saved.add((merged_row.entity, merged_row.id))
        note = f"Merged into {survivor_label} ({m.entity_id})"
        audit_row(session, scope, device, merged_row, AuditAction.MERGED, now, (), note)
    if kind is EntityKind.ACCOUNT and join_teams(session, m.entity_id, merged_ids):
        # Members of the merged accounts' teams now see the survivor: send them its rows.
        saved.add((kind.value, m.entity_id))
        for account_row in account_rows(session, m.entity_id):
            if (account_row.entity, account_row.id) not in saved:
                resend(session, scope, device, account_row, now)
    status = MutationStatus.CONFLICT if conflicts else MutationStatus.APPLIED
    return answer(m, status, version=version, conflicts=conflicts)


def live_row(
    session: Session, scope: Scope, kind: EntityKind, record_id: str, row: Record | None
) -> Record:
    """The stored, not deleted `kind` record `record_id` the caller can see; whatever the
    caller cannot see reads exactly as absent (its kind, name and state stay unsaid)."""
    row = row or get_row(session, kind, record_id)
    if row is None or not sees(session, scope, row):
        other = session.scalar(
            select(Record.entity).where(
                Record.id == record_id, Record.entity != kind.value, visible(Record, scope)
            )
        )
        if other is not None:
            raise RejectedError(f"{record_id} is a {other}, not a {kind.value}: cannot merge")
        raise RejectedError(f"{kind.value} {record_id} does not exist")
    if row.deleted:
        raise RejectedError(f"{kind.value} {label_of(row)} ({record_id}) is already deleted")
    return row


def label_of(row: Record) -> str:
    """A record's name for messages: an account's name, a contact's full name."""
    data = row.data
    name = data.get("name") or " ".join(
        part for part in (data.get("first_name"), data.get("last_name")) if part
    )
    return str(name or row.id)


def repoint_referrers(
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
                store_record(session, scope, device, current, now, deleted=True)
                folded_note = f"Folded into the plan of {survivor_label} by a merge"
                audit_row(session, scope, device, row, AuditAction.MERGED, now, (), folded_note)
                saved.add((row.entity, row.id))
                continue
            changes = plan_updates.get(row.id, {})
        else:
            changes = repoint(entity, row.data, moves, kind, row.id)
        if not changes and row.account_id not in moves:
            continue
        before, keys = row.data, (row.owner_id, row.account_id)
        record = current.with_changes(changes)
        store_record(session, scope, device, record, now)
        saved.add((row.entity, row.id))
        if entity not in UNAUDITED:
            after = record.model_dump(mode="json", exclude={"version"})
            changed = field_changes(type(record), before, after, changes)
            audit_row(session, scope, device, row, AuditAction.MOVED, now, changed, note)
            follow_trail(session, row, keys, now)
    return saved
