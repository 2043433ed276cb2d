"""Conversion between ORM rows and core records (the DTOs that leave the store)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import JSON

from sfa_desktop.core.entities import MODELS, Customisable, Record
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store.schema import TABLES, Synced

R = TypeVar("R", bound=Record)
_JSON_COLUMNS: dict[EntityKind, frozenset[str]] = {
    kind: frozenset(
        c.key for c in table.__table__.columns if isinstance(c.type, JSON) and c.key != "custom"
    )
    for kind, table in TABLES.items()
}


def to_record(row: Synced) -> Record:
    """The validated core record for an ORM row (custom values included)."""
    model = MODELS[row.entity]
    record = model.model_validate(row, from_attributes=True)
    custom = getattr(row, "custom", None)
    if not custom:
        return record
    return model.model_validate({**record.__dict__, **custom})


def record_of(model: type[R], row: Synced) -> R:
    """`to_record` typed as the model the caller asked for."""
    record = to_record(row)
    assert isinstance(record, model)
    return record


def column_values(record: Record) -> dict[str, Any]:
    """Column values for a record: Python values, JSON-ready ones for JSON columns, and
    the custom values gathered in `custom`."""
    values = record.model_dump()
    json_columns = _JSON_COLUMNS[record.entity]
    if json_columns:
        values.update(record.model_dump(mode="json", include=set(json_columns)))
    if isinstance(record, Customisable):
        for name in record.__pydantic_extra__ or {}:
            values.pop(name, None)
        values["custom"] = record.custom_values() or None
    return values
