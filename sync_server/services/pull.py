"""Paged pull of the caller's scope, and purging the log below the retention horizon."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Executable,
    and_,
    bindparam,
    delete,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import Change, ChangeOp, PullResponse
from sync_server.models import Counter, Record, Removal, User
from sync_server.services.records import head_version
from sync_server.services.scope import load_scope, visible_accounts_of, visible_to


@cache
def _statements() -> tuple[Executable, Executable]:
    """The two pull queries, built once with bound parameters (building them per request
    cost more than running them)."""
    org_id: BindParameter[str] = bindparam("org_id")
    since: BindParameter[int] = bindparam("since")
    limit: BindParameter[int] = bindparam("limit")
    owners: BindParameter[list[str]] = bindparam("owners", expanding=True)
    changed = (
        select(Record.entity, Record.id, Record.version, Record.deleted, Record.data)
        .where(Record.version > since, visible_to(Record, org_id, owners))
        .order_by(Record.version)
        .limit(limit)
    )
    current = aliased(Record)
    left = (
        select(Removal.version, Removal.entity, Removal.entity_id)
        .join(current, and_(current.entity == Removal.entity, current.id == Removal.entity_id))
        .where(
            Removal.version > since,
            or_(
                Removal.prev_owner_id.in_(owners),
                Removal.prev_account_owner_id.in_(owners),
                Removal.prev_account_id.in_(visible_accounts_of(org_id, owners)),
            ),
            not_(visible_to(current, org_id, owners)),
        )
        .order_by(Removal.version)
        .limit(limit)
    )
    return changed, left


def pull(session: Session, user: User, since: int, limit: int) -> PullResponse:
    """Changes in scope with version > since, oldest first, at most `limit` of them.

    The head is read before the changes: every version up to it is committed (versions are
    taken under the counter lock), so a short page may safely advance `next_since` to it.
    """
    head, purged = head_version(session)
    if since > head or (since > 0 and (since < purged or since < user.resync_floor)):
        return PullResponse(next_since=0, reset_required=True)
    scope = load_scope(session, user)
    changed, left = _statements()
    params = {
        "org_id": scope.org_id,
        "owners": sorted(scope.owners),
        "since": since,
        "limit": limit + 1,
    }
    # Built without re-validation: every value comes from validated, stored data.
    changes = [
        _change(entity, entity_id, version, deleted, data)
        for entity, entity_id, version, deleted, data in session.execute(changed, params)
    ]
    changes += [
        Change.model_construct(
            entity=_KINDS[entity], entity_id=entity_id, op=ChangeOp.REMOVE, version=version
        )
        for version, entity, entity_id in session.execute(left, params)
    ]
    changes.sort(key=lambda change: change.version)
    has_more = len(changes) > limit
    changes = changes[:limit]
    last = changes[-1].version if changes else since
    return PullResponse.model_construct(
        changes=changes,
        next_since=last if has_more else max(head, last),
        has_more=has_more,
        reset_required=False,
    )


_KINDS = {kind.value: kind for kind in EntityKind}


def _change(
    entity: str, entity_id: str, version: int, deleted: bool, data: dict[str, Any]
) -> Change:
    if deleted:
        return Change.model_construct(
            entity=_KINDS[entity], entity_id=entity_id, op=ChangeOp.DELETE, version=version
        )
    data["version"] = version
    return Change.model_construct(
        entity=_KINDS[entity],
        entity_id=entity_id,
        op=ChangeOp.UPSERT,
        version=version,
        data=data,
    )


def purge_log(session: Session, retention: timedelta, now: datetime) -> int:
    """Drop tombstones and removals older than `retention`; return the new horizon.

    A client whose `since` is below the horizon may have missed a dropped entry, so its
    next pull answers `reset_required`.
    """
    cutoff = now - retention
    newest = max(
        session.scalar(select(func.max(Record.version)).where(Record.changed_at < cutoff)) or 0,
        session.scalar(select(func.max(Removal.version)).where(Removal.changed_at < cutoff)) or 0,
    )
    _, purged = head_version(session)
    horizon = max(purged, newest)
    session.execute(delete(Removal).where(Removal.version <= horizon))
    session.execute(delete(Record).where(Record.deleted.is_(True), Record.version <= horizon))
    session.execute(update(Counter).where(Counter.id == 1).values(purged_through=horizon))
    session.commit()
    return horizon
