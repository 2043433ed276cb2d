"""The one reference check of the store, both ways: which ids a write names that are not
here, and which records refer to given ids (for "in use" and for a merge's re-pointing).

References are checked here, not by SQLite foreign keys (docs/decisions.md): a pulled page
cannot order parents before children, and a scope can hold a child without its parent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sfa_desktop.core.entities import REFERENCES, Record
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.merge import Shape
from sfa_desktop.store.schema import TABLES, ActivityContactRow, EventAttendeeRow, SyncStateRow

IN_CHUNK = 500  # ids per IN (...) query
# While this sync_state key exists (a first download is being applied), the insert triggers
# of the search index and the contact link tables skip rows; `search.finish_bulk_load`
# indexes those rows and removes the key, in one transaction.
BULK_LOAD_KEY = "bulk_load"
# Link tables the triggers keep for list-valued contact references: (record id, contact id).
LINKS: dict[tuple[EntityKind, str], tuple[InstrumentedAttribute[str], ...]] = {
    (EntityKind.ACTIVITY, "contact_ids"): (
        ActivityContactRow.activity_id,
        ActivityContactRow.contact_id,
    ),
    (EntityKind.EVENT, "attendee_ids"): (EventAttendeeRow.event_id, EventAttendeeRow.contact_id),
}


def existing_ids(session: Session, kind: EntityKind, ids: Iterable[str]) -> set[str]:
    """Those of `ids` that name a record of `kind` here (one query per IN_CHUNK ids)."""
    table = TABLES[kind]
    wanted = list(ids)
    found: set[str] = set()
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        found.update(session.scalars(select(table.id).where(table.id.in_(chunk))))
    return found


def broken_reference(
    session: Session,
    records: Sequence[Record],
    only: set[str] | None = None,
    made: Mapping[EntityKind, set[str]] | None = None,
) -> tuple[Record, str, str] | None:
    """The first (record, field, id) among `records` (all of one kind) that names a record
    that is neither here nor in `made` (ids written in the same batch), or None.
    `only` limits the check to those fields. One query per field and IN_CHUNK ids."""
    if not records:
        return None
    session.flush()
    for field, target in REFERENCES[records[0].entity].items():
        if only is not None and field not in only:
            continue
        named = [(record, target_id) for record in records for target_id in _ids(record, field)]
        known = (made or {}).get(target, set())
        wanted = {target_id for _record, target_id in named} - known
        missing = wanted - existing_ids(session, target, wanted)
        for record, target_id in named:
            if target_id in missing:
                return record, field, target_id
    return None


def _ids(record: Record, field: str) -> tuple[str, ...]:
    value = getattr(record, field)
    values = value if isinstance(value, tuple) else (value,)
    return tuple(v for v in values if v is not None)


def shape_of(entity: EntityKind, field: str) -> Shape:
    """How `field` of `entity` (a REFERENCES field) holds its ids."""
    return Shape.MANY if (entity, field) in LINKS else Shape.ONE


def referring_ids(
    session: Session, entity: EntityKind, field: str, shape: Shape, ids: set[str]
) -> list[str]:
    """Ids of the records of `entity` whose `field` names one of `ids`."""
    table = TABLES[entity]
    if shape is Shape.ONE:
        column = getattr(table, field)
        return list(session.scalars(select(table.id).where(column.in_(ids))))
    link = LINKS.get((entity, field))
    if link is not None and not bulk_loading(session):
        owner, contact = link
        return list(session.scalars(select(owner).where(contact.in_(ids)).distinct()))
    # Nested, or not indexed yet (a first download still to finish): the JSON text.
    text = cast(getattr(table, field), Text)
    return list(
        session.scalars(
            select(table.id).where(or_(*(text.contains(i, autoescape=True) for i in ids)))
        )
    )


def bulk_loading(session: Session) -> bool:
    """A first download is being applied (the link tables are filled at its end)."""
    return session.get(SyncStateRow, BULK_LOAD_KEY) is not None
