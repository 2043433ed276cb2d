"""The single write path for synced records: versions, field versions, removals, facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS, Opportunity
from sfa_desktop.core.entities import Record as CoreRecord
from sfa_desktop.core.enums import EntityKind
from sync_server.db import is_postgres
from sync_server.models import Counter, OpportunityFact, Record, Removal
from sync_server.services.scope import account_owner

_META = frozenset({"id", "created_at", "updated_at", "version"})
DELETED_FIELD = "_deleted"  # pseudo-field: when the record was last deleted or restored


def lock_versions(session: Session) -> None:
    """Serialise writers on the counter row until commit (SQLite already did at BEGIN)."""
    if is_postgres(session):
        session.execute(select(Counter.value).where(Counter.id == 1).with_for_update())


def next_version(session: Session) -> int:
    """The next server version, taken inside the writing transaction.

    The counter row stays locked until commit, so versions become visible in commit order:
    a reader that saw version v has seen every version below v.
    """
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
    return session.get(Record, (entity.value, record_id))


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
        _save_fact(session, org_id, record, owner_id, deleted)
    session.flush()
    return version


def _save_fact(
    session: Session, org_id: str, opportunity: Opportunity, owner_id: str, deleted: bool
) -> None:
    if deleted:
        session.execute(delete(OpportunityFact).where(OpportunityFact.id == opportunity.id))
        return
    fact = session.get(OpportunityFact, opportunity.id)
    if fact is None:
        fact = OpportunityFact(id=opportunity.id, org_id=org_id)
        session.add(fact)
    fact.owner_id = owner_id
    fact.close_date = opportunity.close_date
    fact.category = opportunity.forecast_category.value
    fact.amount = opportunity.amount
    fact.currency = opportunity.currency
