"""Custom fields in the local store: the pulled definitions, the shared value rule applied
to every local write, and the expression indexes lists sort and filter by."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, literal_column, select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Customisable, FieldDefinition, Record
from sfa_desktop.core.entities.base import is_custom
from sfa_desktop.core.enums import EntityKind, FieldType, Role
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.rules.custom_values import check_record
from sfa_desktop.store.engine import RawConnection
from sfa_desktop.store.schema import TABLES, FieldDefinitionRow, Synced, UserRow

# Kinds whose values sort and filter in SQL by an expression index (text is searched).
INDEXED_TYPES = frozenset(
    {
        FieldType.PICKLIST,
        FieldType.DATE,
        FieldType.NUMBER,
        FieldType.CURRENCY,
        FieldType.CHECKBOX,
    }
)


_CACHE = "sfa_field_definitions"
R = TypeVar("R", bound=Record)


def definitions(session: Session, kind: EntityKind) -> list[FieldDefinition]:
    """The custom fields of `kind` (retired ones too), in the admin's order (kept for the
    session: definitions change only by a pull, in a session of its own)."""
    cache: dict[EntityKind, list[FieldDefinition]] = session.info.setdefault(_CACHE, {})
    if kind in cache:
        return cache[kind]
    rows = session.scalars(
        select(FieldDefinitionRow)
        .where(FieldDefinitionRow.for_entity == kind.value)
        .order_by(FieldDefinitionRow.position, FieldDefinitionRow.label)
    )
    cache[kind] = [FieldDefinition.model_validate(row, from_attributes=True) for row in rows]
    return cache[kind]


def role_of(session: Session, user_id: str | None) -> Role | None:
    """The signed-in user's role as last pulled (None before the first sync)."""
    if user_id is None:
        return None
    role = session.scalar(select(UserRow.role).where(UserRow.id == user_id))
    return Role(role) if role else None


def checked(
    session: Session,
    before: Record | None,
    after: R,
    user_id: str | None,
    *,
    ask_missing: bool = False,
) -> R:
    """`after` checked and normalised by the rule the server runs (custom_values.check_record)."""
    if not isinstance(after, Customisable):
        return after
    fields = definitions(session, after.entity)
    if not fields and not after.custom_values():
        return after
    role = role_of(session, user_id)
    return check_record(fields, before, after, role, ask_missing=ask_missing)


def index_name(kind: EntityKind, key: str) -> str:
    return f"ix_{TABLES[kind].__tablename__}_{key}"


def value_expression(key: str) -> str:
    """The SQL of one custom value, exactly as its index spells it (so SQLite uses it)."""
    return f"json_extract(custom, '$.{key}')"


def ensure_index(connection: RawConnection, kind: EntityKind, key: str) -> bool:
    """The expression index a list sorts or filters `key` by, made the first time a list
    asks (one pass over the table, ~0.1 s per 100k rows): a field nobody sorts by costs
    nothing, and a first download does not build twenty of them. False when `key` is no
    sortable field of `kind`."""
    row = connection.execute(
        "SELECT field_type FROM field_definitions WHERE for_entity = ? AND key = ?",
        (kind.value, key),
    ).fetchone()
    if row is None or FieldType(row[0]) not in INDEXED_TYPES or not _safe(key):
        return False
    table = TABLES[kind].__tablename__
    # (value, id): a list sorted by the value, ties by id, reads the index in order
    connection.execute(
        f'CREATE INDEX IF NOT EXISTS "{index_name(kind, key)}" '
        f'ON "{table}" ({value_expression(key)}, id)'
    )
    return True


@dataclass(frozen=True)
class CustomFilter:
    """A list filter on one custom field: one of the values (picklists, checkboxes; for a
    multi-picklist, records holding any of them), a range (numbers, amounts, dates; either
    end open) or text it contains."""

    key: str
    one_of: tuple[Any, ...] | None = None
    low: Any = None
    high: Any = None
    contains: str | None = None
    multi: bool = False


def value_column(table: type[Synced], key: str) -> ColumnElement[Any]:
    """One custom value in SQL, spelled as its expression index is (see ensure_indexes)."""
    if not _safe(key) or "custom" not in table.__table__.columns:
        raise DomainError(f"{table.__tablename__} has no custom field {key}")
    custom = table.__table__.columns["custom"]
    return func.json_extract(custom, literal_column(f"'$.{key}'"))


def filtered(
    query: Select[Any],
    table: type[Synced],
    filters: Iterable[CustomFilter],
    sort: str | None = None,
) -> Select[Any]:
    """`query` restricted by each custom filter.

    Sorted by one of the filtered fields, the conditions apply directly (its index gives
    the rows in order). Sorted by anything else, they pick ids in a subquery the custom
    indexes answer alone, and the sort index is scanned against them (`+id` keeps SQLite
    from looking each row up by its key instead): for 17k of 100k contacts by surname
    that is ~34 ms instead of ~110 ms of row lookups."""
    specs = list(filters)
    if not specs:
        return query
    conditions = [condition for spec in specs for condition in _conditions(table, spec)]
    if sort in {spec.key for spec in specs}:
        return query.where(*conditions)
    name = table.__tablename__
    chosen = select(table.__table__.columns["id"]).where(*conditions)
    return query.where(literal_column(f'+"{name}".id').in_(chosen))


def _conditions(table: type[Synced], spec: CustomFilter) -> list[ColumnElement[bool]]:
    column = value_column(table, spec.key)
    conditions: list[ColumnElement[bool]] = []
    if spec.one_of is not None and spec.multi:
        items = func.json_each(
            table.__table__.columns["custom"], literal_column(f"'$.{spec.key}'")
        ).table_valued("value")
        held = select(items.c.value).where(items.c.value.in_(list(spec.one_of)))
        conditions.append(held.exists())
    elif spec.one_of is not None:
        # JSON true and false read back from json_extract as 1 and 0
        picks = [int(v) if isinstance(v, bool) else v for v in spec.one_of]
        conditions.append(column.in_(picks))
    if spec.low is not None:
        conditions.append(column >= spec.low)
    if spec.high is not None:
        conditions.append(column <= spec.high)
    if spec.contains:
        text = spec.contains.strip()
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(column.like(f"%{escaped}%", escape="\\"))
    return conditions


def sort_key(table: type[Synced], key: str, text: bool) -> ColumnElement[Any]:
    """What a list sorts by for a custom field (text ignoring case)."""
    column = value_column(table, key)
    return column.collate("NOCASE") if text else column


def _safe(key: str) -> bool:
    """Keys reach SQL text (an index cannot bind them): only cf_ + [a-z0-9_]."""
    return is_custom(key) and key.replace("_", "").isalnum() and key.isascii() and key.islower()
