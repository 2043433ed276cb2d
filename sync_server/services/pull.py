"""Paged pull of the caller's scope, and purging the log below the retention horizon."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Executable,
    Select,
    Text,
    TextClause,
    and_,
    bindparam,
    cast,
    delete,
    func,
    not_,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy.orm import Session, aliased

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import ChangeOp, PullResponse
from sync_server.models import ORG_WIDE_SQL, Counter, Record, Removal, User
from sync_server.services.auth import Principal
from sync_server.services.conflicts import pulled_conflicts
from sync_server.services.records import head_version
from sync_server.services.scope import load_scope, visible_accounts_of, visible_to

AUDIT = EntityKind.AUDIT_ENTRY.value


@cache
def _statements(audit: bool) -> tuple[Executable, Executable]:
    """The two pull queries, built once with bound parameters (building them per request
    cost more than running them); without `audit`, audit entries are left out."""
    org_id: BindParameter[str] = bindparam("org_id")
    since: BindParameter[int] = bindparam("since")
    limit: BindParameter[int] = bindparam("limit")
    owners: BindParameter[list[str]] = bindparam("owners", expanding=True)

    # The versions of the page: one branch per way a record enters the scope (`visible_to`),
    # each a simple condition the database answers from an index (the caller's own
    # records, those on visible accounts, the organisation's users) and cut at the page
    # size, then merged. One condition ORing the three made PostgreSQL read the whole
    # organisation's log from `since` and filter it: a download page of the 400th of 500
    # reps read ~2M rows (1.5 s) to find its 5,000.
    def branch(condition: ColumnElement[bool] | TextClause) -> Select[tuple[int]]:
        picked = select(Record.version).where(
            Record.org_id == org_id, Record.version > since, condition
        )
        if not audit:
            picked = picked.where(Record.entity != AUDIT)
        return select(picked.order_by(Record.version).limit(limit).subquery().c.version)

    versions = union(
        branch(text(ORG_WIDE_SQL)),  # literal: reads the partial index of these kinds
        branch(Record.owner_id.in_(owners)),
        branch(Record.account_id.in_(visible_accounts_of(org_id, owners))),
    ).subquery()
    page = select(versions.c.version).order_by(versions.c.version).limit(limit).subquery()
    changed = (
        # The payload as stored JSON text: it is spliced into the page, never decoded.
        select(Record.entity, Record.id, Record.version, Record.deleted, cast(Record.data, Text))
        .join(page, Record.version == page.c.version)
        .order_by(Record.version)
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
    if not audit:
        left = left.where(Removal.entity != AUDIT)
    return changed, left


def pull(
    session: Session,
    principal: Principal,
    since: int,
    limit: int,
    *,
    audit: bool = False,
    conflicts: bool = False,
    began: int | None = None,
) -> bytes:
    """The JSON of a PullResponse: changes in scope with version > since, oldest first, at
    most `limit` of them.

    Audit entries go only to a client that asks for them (`audit`): a client older than
    them cannot read a page that holds one. Left out, they are skipped like any version
    outside the caller's scope. Likewise the caller's conflict notices (`conflicts`).

    `began` names the download a page belongs to (see `must_restart`): a download from 0
    passes 0 and is told the version it started at, then passes that with every page.

    The head is read before the changes: every version up to it is committed (versions are
    taken under the counter lock), so a short page may safely advance `next_since` to it.
    Record payloads go out as stored (they were validated on the way in): each is spliced
    into the page with its version added, without decoding it or building a model, which
    cost more than the query and the compression together.
    """
    user = principal.user
    head, purged = head_version(session)
    # Read after the head: a scope change committed in between makes this page restart.
    floor = session.scalar(select(User.resync_floor).where(User.id == user.id)) or 0
    if must_restart(since, began, head=head, purged=purged, floor=floor):
        return PullResponse(next_since=0, reset_required=True).model_dump_json().encode()
    if began is not None and since == 0:
        began = head
    scope = load_scope(session, user)
    changed, left = _statements(audit)
    params = {
        "org_id": scope.org_id,
        "owners": sorted(scope.owners),
        "since": since,
        "limit": limit + 1,
    }
    changes = [
        (version, _change(entity, entity_id, version, deleted, data))
        for entity, entity_id, version, deleted, data in session.execute(changed, params)
    ]
    extra = [
        (version, _head(entity, entity_id, ChangeOp.REMOVE, version) + "}")
        for version, entity, entity_id in session.execute(left, params)
    ]
    if conflicts:
        extra += pulled_conflicts(session, user, principal.device, since, limit + 1)
    if extra:
        changes += extra
        changes.sort(key=lambda change: change[0])
    has_more = len(changes) > limit
    changes = changes[:limit]
    last = changes[-1][0] if changes else since
    tail: dict[str, object] = {
        "next_since": last if has_more else max(head, last),
        "has_more": has_more,
        "reset_required": False,
    }
    if began is not None:
        tail["began"] = began
    return "".join(
        (
            '{"changes":[',
            ",".join(fragment for _version, fragment in changes),
            "],",
            json.dumps(tail, separators=(",", ":"))[1:],
        )
    ).encode()


def must_restart(since: int, began: int | None, *, head: int, purged: int, floor: int) -> bool:
    """Whether a pull from `since` must start over from 0 (`reset_required`).

    An incremental pull (`began` None) restarts when the log below its cursor was purged or
    the caller's scope grew since (`floor`): records that entered the scope with old
    versions were never sent. A download records the version it `began` at: every page was
    read after that, with the scope as it was then or later, so it restarts only when the
    scope grew after it began, or entries newer than both its start and its cursor were
    purged. So a download finishes after any admin change, restarting at most once for
    each change made while it runs.
    """
    if since > head or (began is not None and began > head):
        return True
    if since == 0:
        return False
    if began is None:
        return since < purged or since < floor
    return began < floor or max(since, began) < purged


def _head(entity: str, entity_id: str, op: ChangeOp, version: int) -> str:
    """A change's JSON up to (not including) its data and closing brace."""
    return (
        f'{{"entity":"{entity}","entity_id":{json.dumps(entity_id)},'
        f'"op":"{op.value}","version":{version}'
    )


def _change(entity: str, entity_id: str, version: int, deleted: bool, data: str) -> str:
    if deleted:
        return _head(entity, entity_id, ChangeOp.DELETE, version) + "}"
    # The stored payload never holds its version (a record's meta field, kept in a column).
    separator = "" if data == "{}" else ","
    return (
        f"{_head(entity, entity_id, ChangeOp.UPSERT, version)},"
        f'"data":{data[:-1]}{separator}"version":{version}}}}}'
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
