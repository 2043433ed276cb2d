"""Paged pull of the caller's scope, and purging the log below the retention horizon."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, not_, or_, select, update
from sqlalchemy.orm import Session, aliased

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import Change, ChangeOp, PullResponse
from sync_server.models import Counter, Record, Removal, User
from sync_server.services.records import head_version
from sync_server.services.scope import load_scope, visible, visible_accounts


def pull(session: Session, user: User, since: int, limit: int) -> PullResponse:
    """Changes in scope with version > since, oldest first, at most `limit` of them.

    The head is read before the changes: every version up to it is committed (versions are
    taken under the counter lock), so a short page may safely advance `next_since` to it.
    """
    head, purged = head_version(session)
    if since > head or (since > 0 and (since < purged or since < user.resync_floor)):
        return PullResponse(next_since=0, reset_required=True)
    scope = load_scope(session, user)
    rows = session.scalars(
        select(Record)
        .where(Record.version > since, visible(Record, scope))
        .order_by(Record.version)
        .limit(limit + 1)
    ).all()
    changes = [_change(row) for row in rows]
    current = aliased(Record)
    left = session.execute(
        select(Removal.version, Removal.entity, Removal.entity_id)
        .join(current, and_(current.entity == Removal.entity, current.id == Removal.entity_id))
        .where(
            Removal.version > since,
            or_(
                Removal.prev_owner_id.in_(scope.owners),
                Removal.prev_account_owner_id.in_(scope.owners),
                Removal.prev_account_id.in_(visible_accounts(scope)),
            ),
            not_(visible(current, scope)),
        )
        .order_by(Removal.version)
        .limit(limit + 1)
    ).all()
    changes += [
        Change(entity=EntityKind(entity), entity_id=entity_id, op=ChangeOp.REMOVE, version=version)
        for version, entity, entity_id in left
    ]
    changes.sort(key=lambda change: change.version)
    has_more = len(changes) > limit
    changes = changes[:limit]
    last = changes[-1].version if changes else since
    return PullResponse(
        changes=changes, next_since=last if has_more else max(head, last), has_more=has_more
    )


def _change(row: Record) -> Change:
    if row.deleted:
        return Change(
            entity=EntityKind(row.entity), entity_id=row.id, op=ChangeOp.DELETE, version=row.version
        )
    return Change(
        entity=EntityKind(row.entity),
        entity_id=row.id,
        op=ChangeOp.UPSERT,
        version=row.version,
        data={**row.data, "version": row.version},
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
