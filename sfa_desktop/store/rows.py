"""Conversion between ORM rows and core records (the DTOs that leave the store)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON

from sfa_desktop.core.entities import MODELS, Record
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store.schema import TABLES, Synced

_JSON_COLUMNS: dict[EntityKind, frozenset[str]] = {
    kind: frozenset(c.key for c in table.__table__.columns if isinstance(c.type, JSON))
    for kind, table in TABLES.items()
}


def to_record(row: Synced) -> Record:
    """The validated core record for an ORM row."""
    return MODELS[row.entity].model_validate(row, from_attributes=True)


def column_values(record: Record) -> dict[str, Any]:
    """Column values for a record: Python values, JSON-ready ones for JSON columns."""
    values = record.model_dump()
    json_columns = _JSON_COLUMNS[record.entity]
    if json_columns:
        values.update(record.model_dump(mode="json", include=set(json_columns)))
    return values
