"""Filling test stores the way production does: records arrive as pulled pages of a first
download (`Store.apply_pull`, the sync's own apply), never through a side door.

`orm_insert` is the exception, kept as an independent reference: the plain ORM insert the
download path's raw rows are compared with (tests/store/test_bulk_download.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from sqlalchemy import insert

from sfa_desktop.core.entities import Record, User
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import Change, ChangeOp
from sfa_desktop.demo import DemoSize, first_rep, generate
from sfa_desktop.store import Store
from sfa_desktop.store.rows import column_values
from sfa_desktop.store.schema import TABLES

PAGE = 5_000


def _changes(records: Iterable[Record], version: int) -> Iterator[Change]:
    for record in records:
        data = record.model_dump(mode="json")
        data["version"] = record.version or version
        yield Change(
            entity=record.entity,
            entity_id=record.id,
            op=ChangeOp.UPSERT,
            version=data["version"],
            data=data,
        )


def seed_records(
    store: Store, records: Iterable[Record], *, version: int = 1, cursor: int | None = None
) -> int:
    """Apply `records` as the pages of a first download (records without a version get
    `version`) and leave the pull cursor at `cursor` (default: where it was, so a test's
    own sync still starts from it); return how many landed."""
    count = 0
    cursor = store.pull_cursor() if cursor is None else cursor
    changes = _changes(records, version)
    while page := list(islice(changes, PAGE)):
        store.apply_pull(page, cursor, first_download=True)
        count += len(page)
    store.finish_download()
    return count


@dataclass(frozen=True)
class SeedResult:
    user: User
    records: int


def seed_demo_store(store: Store, size: DemoSize, *, seed: int = 7, today: date) -> SeedResult:
    """Download the first demo rep's share of the demo organisation, and sign in as them."""
    rep = first_rep(size, seed=seed, today=today)
    mine = (
        record
        for record in generate(size, seed=seed, today=today)
        if record.entity is EntityKind.USER or record.owner_id == rep.id
    )
    count = seed_records(store, mine)
    store.sign_in_as(rep)
    return SeedResult(rep, count)


def orm_insert(store: Store, records: Iterable[Record]) -> int:
    """Insert records with the ORM's own column values, no outbox rows (a reference)."""
    rows: dict[EntityKind, list[dict[str, Any]]] = {}
    for record in records:
        rows.setdefault(record.entity, []).append(column_values(record))
    with store._writer_engine.begin() as connection:
        for kind, values in rows.items():
            connection.execute(insert(TABLES[kind]), values)
    return sum(map(len, rows.values()))
