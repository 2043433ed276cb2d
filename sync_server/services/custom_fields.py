"""Custom fields on the server: the organisation's definitions (records every device
pulls) and the shared value rule run on every pushed write."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Customisable, FieldDefinition
from sfa_desktop.core.entities import Record as CoreRecord
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.custom_values import check_record
from sync_server.models import ORG_WIDE_SQL, Record
from sync_server.services.scope import Scope

_CACHE = "sfa_field_definitions"


def definitions(session: Session, org_id: str, kind: EntityKind) -> list[FieldDefinition]:
    """The organisation's custom fields of `kind`, retired ones too, in the admin's order
    (every kind's read in one query, once per transaction)."""
    cache: dict[str, dict[EntityKind, list[FieldDefinition]]] = session.info.setdefault(_CACHE, {})
    if org_id not in cache:
        rows = session.scalars(
            select(Record).where(
                text(ORG_WIDE_SQL),  # reads the partial index of the org-wide kinds
                Record.org_id == org_id,
                Record.entity == EntityKind.FIELD_DEFINITION.value,
                Record.deleted.is_(False),
            )
        )
        found = [FieldDefinition.parse({**row.data, "version": row.version}) for row in rows]
        by_kind: dict[EntityKind, list[FieldDefinition]] = {}
        for definition in sorted(found, key=lambda d: (d.position, d.label)):
            by_kind.setdefault(definition.for_entity, []).append(definition)
        cache[org_id] = by_kind
    return cache[org_id].get(kind, [])


def forget_definitions(session: Session) -> None:
    """Drop the cached definitions (after an admin changed them in this session)."""
    session.info.pop(_CACHE, None)


def check_pushed(
    session: Session, scope: Scope, before: CoreRecord | None, after: CoreRecord
) -> CoreRecord:
    """A pushed write's custom values checked as the desktop checked them; raises
    InvalidRecord (the push answers `rejected` with its message)."""
    if not isinstance(after, Customisable):
        return after
    fields = definitions(session, scope.org_id, after.entity)
    if not fields and not after.custom_values():
        return after
    return check_record(fields, before, after, scope.role)
