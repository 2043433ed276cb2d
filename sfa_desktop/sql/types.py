"""The one UTC datetime column type of the local store and the server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend: PostgreSQL keeps `timestamptz`, SQLite keeps
    naive UTC as sortable text (see `sqlite_text`). A naive datetime is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        aware: datetime = (
            value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        )
        return aware


def sqlite_text(value: datetime | None) -> str | None:
    """What UTCDateTime stores in SQLite, for raw SQL that bypasses SQLAlchemy: naive UTC
    text with microseconds ('2026-05-01 09:30:00.000000')."""
    if value is None:
        return None
    if value.tzinfo is not UTC:  # records hold UTC already (their validator converts)
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]  # without the "+00:00"


# `sqlite_text` in SQL, for a UTC datetime as pydantic's to_json writes it
# ('2026-05-01T09:30:00Z', or six digits of microseconds before the Z): bulk upserts format
# datetimes in SQLite (in Python, 600k of them cost a 214k-record download ~0.7 s of CPU).
SQLITE_TEXT_OF_JSON = "substr(replace(replace({value}, 'T', ' '), 'Z', '.000000'), 1, 26)"
