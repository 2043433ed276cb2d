"""Many local writes in one transaction: new records inserted in bulk, updates one by one.

An import writes thousands of records at once. `RecordWriter.create` checks each one with
its own queries (id free, references exist) and the ORM flushes it alone, ~600 records/s;
here new records of one kind are validated in Python, checked with one query per chunk
and per reference field, and inserted with one executemany for the records and one for
their outbox rows. The outbox rows are the same a `create` writes (op upsert, every data
field, no base version), so the records sync like any other local write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert

from sfa_desktop.core.entities import Opportunity, Record
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import BrokenReference, DomainError, InvalidRecord
from sfa_desktop.core.protocol import MutationOp
from sfa_desktop.store.changes import Changes
from sfa_desktop.store.references import broken_reference, existing_ids
from sfa_desktop.store.rows import column_values
from sfa_desktop.store.schema import TABLES, Base, OutboxRow
from sfa_desktop.store.writer import RecordWriter, outbox_entry


@dataclass(frozen=True)
class Create:
    """A new record of `model` from `fields` (its id may be given, to refer to it)."""

    model: type[Record]
    fields: dict[str, Any]


@dataclass(frozen=True)
class Update:
    """Changes to an existing record: `changes` are set as given, `fill_empty` only where
    the record's value is empty (None, "", no items, False or 0)."""

    model: type[Record]
    record_id: str
    changes: Mapping[str, Any] = field(default_factory=dict)
    fill_empty: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchResult:
    created: int
    updated: int  # records whose fields really changed
    changes: Changes


def _table(mapped: type[Base]) -> Table:
    table = mapped.__table__
    assert isinstance(table, Table)
    return table


def is_empty(value: object) -> bool:
    return value is None or value is False or value == 0 or value in ("", (), [])


class BatchWriter:
    """Collects creates per kind and writes them in chunks through one RecordWriter.

    Creates of several kinds may come interleaved (an account, its contacts, the next
    account): each kind has its own buffer, and all buffers are written together, so a
    record may refer to one of another kind that is still buffered."""

    def __init__(self, writer: RecordWriter, chunk_size: int) -> None:
        self.writer = writer
        self.chunk_size = max(1, chunk_size)
        self.created = 0
        self.updated = 0
        self._pending: dict[type[Record], list[dict[str, Any]]] = {}
        self._count = 0
        self._made: dict[EntityKind, set[str]] = {}

    def add(self, operation: Create | Update) -> None:
        if isinstance(operation, Update):
            self.flush()
            self._update(operation)
            return
        if operation.model is Opportunity:
            raise DomainError("opportunities are created one at a time (stage history)")
        self._pending.setdefault(operation.model, []).append(operation.fields)
        self._count += 1
        if self._count >= self.chunk_size:
            self.flush()

    def flush(self) -> None:
        if not self._count:
            return
        writer = self.writer
        parsed: list[tuple[type[Record], list[Record]]] = []
        for model, pending in self._pending.items():
            records = [writer.new_record(model, fields) for fields in pending]
            self._check_new_ids(model, records)
            self._made.setdefault(model.entity, set()).update(r.id for r in records)
            parsed.append((model, records))
        self._pending = {}
        self._count = 0
        session = writer.session
        for model, records in parsed:
            self._check_references(model, records)
            # Core inserts (executemany), not the ORM's bulk path: nothing is loaded back.
            session.execute(
                insert(_table(TABLES[model.entity])), [column_values(r) for r in records]
            )
            upsert, now = MutationOp.UPSERT, writer.now
            session.execute(
                insert(_table(OutboxRow)),
                [outbox_entry(r, upsert, r.data_fields(), None, now) for r in records],
            )
            writer.changes |= Changes.of(model.entity)
            self.created += len(records)

    def _check_new_ids(self, model: type[Record], records: list[Record]) -> None:
        ids = [r.id for r in records]
        seen: set[str] = set()
        for record_id in ids:
            if record_id in seen or record_id in self._made.get(model.entity, set()):
                raise InvalidRecord(model.entity_name(), {"id": f"{record_id} is given twice"})
            seen.add(record_id)
        taken = existing_ids(self.writer.session, model.entity, ids)
        if taken:
            raise InvalidRecord(model.entity_name(), {"id": f"{min(taken)} already exists"})

    def _check_references(self, model: type[Record], records: list[Record]) -> None:
        broken = broken_reference(self.writer.session, records, made=self._made)
        if broken is not None:
            _record, name, target_id = broken
            raise BrokenReference(model.entity_name(), name, target_id)

    def _update(self, operation: Update) -> None:
        current = self.writer.get(operation.model, operation.record_id)
        changes = dict(operation.changes)
        for name, value in operation.fill_empty.items():
            if name not in changes and is_empty(getattr(current, name, None)):
                changes[name] = value
        if not changes:
            return
        updated = self.writer.update(operation.model, operation.record_id, changes)
        if updated is not current:
            self.updated += 1


def write_batch(
    writer: RecordWriter, operations: Iterable[Create | Update], chunk_size: int
) -> BatchResult:
    """Apply `operations` in order through `writer` (the caller's one transaction)."""
    batch = BatchWriter(writer, chunk_size)
    for operation in operations:
        batch.add(operation)
    batch.flush()
    return BatchResult(batch.created, batch.updated, writer.changes)
