"""The single write path for synced records: versions, field versions, removals, facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS, AuditEntry, Opportunity
from sfa_desktop.core.entities import Record as CoreRecord
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import DELETED_FIELD
from sync_server.db import is_postgres
from sync_server.models import Counter, OpportunityFact, Record, Removal
from sync_server.services import insight_moves
from sync_server.services.insight_facts import FACT_CACHE, save_insight_fact
from sync_server.services.insight_sums import deals_kept
from sync_server.services.scope import account_owner

_META = frozenset({"id", "created_at", "updated_at", "version"})


def lock_versions(session: Session) -> None:
    """Serialise writers on the counter row until commit (SQLite already did at BEGIN)."""
    if is_postgres(session):
        session.execute(select(Counter.value).where(Counter.id == 1).with_for_update())


_BLOCK = "sfa_version_block"
_ROWS = "sfa_row_cache"
_FACTS = "sfa_fact_cache"


class VersionBlock:
    """Versions for one writing transaction: the counter row is locked once, read once and
    written once (just before commit) instead of updated per write.

    Opened only when the caller is about to write: the lock is held from here to commit, so
    versions still become visible in commit order. `next_version` draws from the open block.
    """

    def __init__(self, session: Session) -> None:
        statement = select(Counter.value).where(Counter.id == 1)
        if is_postgres(session):
            statement = statement.with_for_update()
        self.session = session
        self.base = self.value = int(session.execute(statement).scalar_one())
        session.info[_BLOCK] = self
        session.info.setdefault(FACT_CACHE, {})  # insight facts read once per push
        insight_moves.defer(session)  # regraded accounts move together, before commit

    def take(self) -> int:
        self.value += 1
        return self.value

    def close(self) -> None:
        """Store the last version taken and move the regraded accounts' summaries (call
        before commit); the block ends either way."""
        self.session.info.pop(_BLOCK, None)
        try:
            insight_moves.settle(self.session)
        finally:
            insight_moves.drop(self.session, stop=True)
        if self.value != self.base:
            self.session.execute(update(Counter).where(Counter.id == 1).values(value=self.value))

    def discard(self) -> None:
        self.session.info.pop(_BLOCK, None)
        insight_moves.drop(self.session, stop=True)


def in_version_block(session: Session) -> bool:
    """A VersionBlock is open: writes are flushed together before commit, not one by one."""
    return _BLOCK in session.info


def next_version(session: Session) -> int:
    """The next server version, taken inside the writing transaction.

    The counter row stays locked until commit, so versions become visible in commit order:
    a reader that saw version v has seen every version below v.
    """
    block: VersionBlock | None = session.info.get(_BLOCK)
    if block is not None:
        return block.take()
    statement = (
        update(Counter)
        .where(Counter.id == 1)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    return int(session.execute(statement).scalar_one())


def head_version(session: Session) -> tuple[int, int]:
    """(latest committed version, version through which the log was purged)."""
    row = session.execute(
        select(Counter.value, Counter.purged_through).where(Counter.id == 1)
    ).one()
    return int(row[0]), int(row[1])


def get_row(session: Session, entity: EntityKind, record_id: str) -> Record | None:
    cache: dict[tuple[str, str], Record | None] | None = session.info.get(_ROWS)
    key = (entity.value, record_id)
    if cache is not None and key in cache:
        return cache[key]
    return session.get(Record, key)


def prefetch_rows(session: Session, keys: set[tuple[str, str]]) -> None:
    """Load the rows of `keys` in one query and remember which are absent, so `get_row` asks
    the database nothing more for them in this transaction (call `end_prefetch` after)."""
    cache: dict[tuple[str, str], Record | None] = session.info.setdefault(_ROWS, {})
    wanted = [key for key in keys if key not in cache]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for entity in {entity for entity, _ in chunk}:
            ids = [record_id for kind, record_id in chunk if kind == entity]
            for row in session.scalars(
                select(Record).where(Record.entity == entity, Record.id.in_(ids))
            ):
                cache[(row.entity, row.id)] = row
    for key in wanted:
        cache.setdefault(key, None)


def prefetch_facts(session: Session, ids: set[str]) -> None:
    """Like `prefetch_rows`, for the forecast facts of opportunities."""
    cache: dict[str, OpportunityFact | None] = session.info.setdefault(_FACTS, {})
    wanted = [i for i in ids if i not in cache]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for fact in session.scalars(select(OpportunityFact).where(OpportunityFact.id.in_(chunk))):
            cache[fact.id] = fact
    for i in wanted:
        cache.setdefault(i, None)


def end_prefetch(session: Session) -> None:
    session.info.pop(_ROWS, None)
    session.info.pop(_FACTS, None)
    session.info.pop(FACT_CACHE, None)


def parse_row(row: Record) -> CoreRecord:
    """The core model of a stored row (stored data was validated when written)."""
    return MODELS[EntityKind(row.entity)].parse({**row.data, "version": row.version})


def account_of(session: Session, entity: EntityKind, record: CoreRecord) -> str | None:
    """The account a record hangs off, which decides who sees it."""
    if entity is EntityKind.ACCOUNT:
        return record.id
    if entity is EntityKind.STAGE_CHANGE:
        opportunity = get_row(session, EntityKind.OPPORTUNITY, str(record.opportunity_id))  # type: ignore[attr-defined]
        return opportunity.account_id if opportunity else None
    if isinstance(record, AuditEntry):
        # An entry follows the record it describes (once that is gone, it stays put).
        audited = get_row(session, record.record_entity, record.record_id)
        if audited is None:
            audited = get_row(session, entity, record.id)
        return audited.account_id if audited else None
    value = getattr(record, "account_id", None)
    return str(value) if value is not None else None


def save(
    session: Session,
    org_id: str,
    record: CoreRecord,
    *,
    actor: str | None,
    now: datetime,
    device: str | None = None,
    deleted: bool = False,
    moved_from: str | None = None,
) -> int:
    """Store `record` under a new version and return it.

    `field_versions` maps each field to [version, device] of its last change, so a device's
    own earlier writes never count as conflicts against it. A change of owner or account
    (or `moved_from`, the previous owner of the record's account on a reassignment) leaves
    a removal row so the old scope is told to drop it.
    """
    entity = record.entity
    row = get_row(session, entity, record.id)
    new = row is None
    account_id = account_of(session, entity, record)
    version = next_version(session)
    data: dict[str, Any] = record.model_dump(mode="json", exclude={"version"})
    data["updated_at"] = now.isoformat()
    owner_id = record.owner_id or actor or ""
    data["owner_id"] = owner_id
    if row is None:
        row = Record(
            entity=entity.value, id=record.id, org_id=org_id, field_versions={}, deleted=False
        )
        session.add(row)
        cache = session.info.get(_ROWS)
        if cache is not None:
            cache[(entity.value, record.id)] = row
        changed = set(data) - _META
    else:
        changed = {f for f in set(data) - _META if row.data.get(f) != data[f]}
        if moved_from or row.owner_id != owner_id or row.account_id != account_id:
            session.add(
                Removal(
                    version=version,
                    entity=entity.value,
                    entity_id=record.id,
                    prev_owner_id=row.owner_id,
                    prev_account_id=row.account_id,
                    prev_account_owner_id=moved_from or account_owner(session, row.account_id),
                    changed_at=now,
                )
            )
    if deleted != row.deleted:
        changed.add(DELETED_FIELD)
    row.field_versions = {**row.field_versions, **{f: [version, device] for f in changed}}
    row.owner_id = owner_id
    row.account_id = account_id
    row.version = version
    row.deleted = deleted
    row.data = data
    row.updated_by = actor
    row.changed_at = now
    if isinstance(record, Opportunity):
        with deals_kept(session, [record.id]):  # insight summaries of a closed deal
            _save_fact(session, org_id, record, owner_id, deleted)
    else:
        save_insight_fact(session, org_id, record, owner_id, deleted, new)
    if _BLOCK not in session.info:
        session.flush()  # a version block flushes its writes together before commit
    return version


def _save_fact(
    session: Session, org_id: str, opportunity: Opportunity, owner_id: str, deleted: bool
) -> None:
    cache: dict[str, OpportunityFact | None] | None = session.info.get(_FACTS)
    if deleted:
        session.execute(delete(OpportunityFact).where(OpportunityFact.id == opportunity.id))
        if cache is not None:
            cached = cache.get(opportunity.id)
            if cached is not None and cached in session:
                session.expunge(cached)
            cache[opportunity.id] = None
        return
    if cache is not None and opportunity.id in cache:
        fact = cache[opportunity.id]
    else:
        fact = session.get(OpportunityFact, opportunity.id)
    if fact is None:
        fact = OpportunityFact(id=opportunity.id, org_id=org_id)
        session.add(fact)
        if cache is not None:
            cache[opportunity.id] = fact
    fact.owner_id = owner_id
    if fact.close_date is not None and opportunity.close_date > fact.close_date:
        fact.close_pushes = (fact.close_pushes or 0) + 1  # slipped: pushed later again
    fact.close_date = opportunity.close_date
    fact.account_id = opportunity.account_id
    fact.stage = opportunity.stage.value
    fact.category = opportunity.forecast_category.value
    fact.amount = opportunity.amount
    fact.currency = opportunity.currency
