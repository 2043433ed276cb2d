"""Fast insertion of records that are already synced (demo data, a first download)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert

from sfa_desktop.core.entities import Record
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store.rows import column_values
from sfa_desktop.store.schema import TABLES


def insert_records(connection: Connection, records: Iterable[Record], batch_size: int) -> int:
    """Insert validated records in batches of one kind; no outbox rows are written."""
    count = 0
    batch: list[dict[str, Any]] = []
    kind: EntityKind | None = None

    def flush() -> None:
        if batch and kind is not None:
            connection.execute(insert(TABLES[kind]), batch)
            batch.clear()

    for record in records:
        if record.entity is not kind or len(batch) >= batch_size:
            flush()
            kind = record.entity
        batch.append(column_values(record))
        count += 1
    flush()
    return count
