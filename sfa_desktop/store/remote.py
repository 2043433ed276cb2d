"""Applying the server's changes to the local store without losing pending local edits."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from pydantic_core import to_json
from sqlalchemy import JSON, Date, Table, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS, Record, utcnow
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import DomainError, NotFound
from sfa_desktop.core.protocol import Change, ChangeOp, MutationOp, MutationResult, MutationStatus
from sfa_desktop.store import search
from sfa_desktop.store.changes import Changes
from sfa_desktop.store.rows import to_record
from sfa_desktop.store.schema import TABLES, ConflictRow, OutboxRow, SyncStateRow
from sfa_desktop.store.types import UTCDateTime
from sfa_desktop.store.writer import RecordWriter

# While this sync_state key exists (a first download is being applied), the insert triggers
# of the search index and the contact link tables skip rows; `search.finish_bulk_load`
# indexes those rows and removes the key, in one transaction.
BULK_LOAD_KEY = "bulk_load"


def _pending(session: Session, entity_ids: Iterable[str]) -> dict[str, tuple[set[str], bool]]:
    """For records with unpushed local edits: their edited fields and whether a delete waits."""
    pending: dict[str, tuple[set[str], bool]] = {}
    if session.scalar(select(OutboxRow.seq).limit(1)) is None:
        return pending  # the common case: nothing waiting to be pushed
    ids = list(entity_ids)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(OutboxRow.entity_id, OutboxRow.op, OutboxRow.fields).where(
                OutboxRow.entity_id.in_(ids[start : start + 500])
            )
        )
        for entity_id, op, fields in rows:
            edited, deleted = pending.get(entity_id, (set(), False))
            if op == MutationOp.DELETE:
                deleted = True
            else:
                edited.update(fields)
            pending[entity_id] = (edited, deleted)
    return pending


def _merged(server: Record, local: Record | None, keep: set[str]) -> Record:
    """The server's record with the locally pending fields kept as the user left them."""
    if local is None or not keep:
        return server
    data: dict[str, Any] = server.model_dump()
    data.update({name: getattr(local, name) for name in keep if name in data})
    return type(server).model_validate(data)


def _utc_text(value: datetime | None) -> str | None:
    """What UTCDateTime stores: naive UTC text with microseconds (sortable)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:  # records hold UTC already (their validator converts)
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]  # without the "+00:00"


def _date_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _json_text(value: Any) -> str:
    return to_json(value).decode()


@dataclass(frozen=True)
class _Upsert:
    """One kind's upsert as plain SQL, with the conversions SQLAlchemy would apply."""

    sql: str
    columns: tuple[str, ...]
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]  # column index, converter

    def row(self, record: Record) -> tuple[Any, ...]:
        values = record.__dict__  # the validated field values, without a model_dump copy
        row = [values[name] for name in self.columns]
        for index, convert in self.converters:
            row[index] = convert(row[index])
        return tuple(row)


@cache
def _upsert(kind: EntityKind) -> _Upsert:
    table = TABLES[kind].__table__
    assert isinstance(table, Table)
    columns = tuple(column.name for column in table.columns)
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(table.columns):
        if isinstance(column.type, UTCDateTime):
            converters.append((index, _utc_text))
        elif isinstance(column.type, Date):
            converters.append((index, _date_text))
        elif isinstance(column.type, JSON):
            converters.append((index, _json_text))
    quoted = [f'"{name}"' for name in columns]
    updates = ", ".join(f"{name} = excluded.{name}" for name in quoted if name != '"id"')
    sql = (
        f'INSERT INTO "{table.name}" ({", ".join(quoted)}) '
        f"VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}"
    )
    return _Upsert(sql, columns, tuple(converters))


def _upsert_rows(session: Session, kind: EntityKind, records: list[Record]) -> None:
    """One executemany straight on the session's sqlite3 connection (in its transaction):
    the ORM's bulk insert split pages into row-by-row statements and cost 4/5 of an apply."""
    upsert = _upsert(kind)
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, sqlite3.Connection)
    connection.executemany(upsert.sql, [upsert.row(record) for record in records])


def apply_changes(session: Session, changes: Iterable[Change]) -> Changes:
    """Apply a pulled page in bulk; returns the kinds it touched.

    Only the last change of each record matters. Pending local fields are kept (and a
    pending local delete wins until the server settles it); a server delete of a record
    edited here is ignored, as the edit will revive it.
    """
    latest = {(c.entity, c.entity_id): c for c in changes}
    pending = _pending(session, {entity_id for _kind, entity_id in latest})
    upserts: dict[EntityKind, list[Record]] = {}
    removals: dict[EntityKind, list[str]] = {}
    for (kind, entity_id), change in latest.items():
        keep, deleted_here = pending.get(entity_id, (set(), False))
        if change.op is ChangeOp.UPSERT:
            if deleted_here or change.data is None:
                continue
            data = change.data
            if data.get("version") != change.version:  # servers send it; no copy then
                data = {**data, "version": change.version}
            record = MODELS[kind].model_validate(data)
            if keep:
                row = session.get(TABLES[kind], entity_id)
                record = _merged(record, to_record(row) if row else None, keep)
            upserts.setdefault(kind, []).append(record)
        elif not (change.op is ChangeOp.DELETE and keep):
            removals.setdefault(kind, []).append(entity_id)
    for kind, records in upserts.items():
        _upsert_rows(session, kind, records)
    for kind, ids in removals.items():
        table = TABLES[kind]
        session.execute(delete(table).where(table.id.in_(ids)))
    return Changes(frozenset(upserts) | frozenset(removals))


def apply_page(
    session: Session, changes: Iterable[Change], next_since: int, first_download: bool
) -> Changes:
    """Apply a pulled page and store the cursor after it (the caller's one transaction).

    The first page of a first download also pauses the per-row search indexing (see
    BULK_LOAD_KEY), in this same transaction: a crash leaves either no page and no pause,
    or the page, its cursor and the pause; the next sync continues and finishes it.
    """
    if first_download:
        session.execute(
            sqlite_insert(SyncStateRow)
            .values(key=BULK_LOAD_KEY, value=utcnow().isoformat())
            .on_conflict_do_nothing()
        )
    touched = apply_changes(session, changes)
    session.merge(SyncStateRow(key="since", value=str(next_since)))
    return touched


def finish_download(session: Session) -> Changes:
    """Index the rows of a finished first download and resume per-row indexing."""
    if not search.finish_bulk_load(session.connection()):
        return Changes()
    return Changes.of(*search.SEARCHABLE, EntityKind.ACTIVITY, EntityKind.EVENT)


def clear_synced_data(session: Session) -> Changes:
    """Forget every downloaded record except those with pending local edits (for a reset)."""
    pending = set(session.scalars(select(OutboxRow.entity_id)))
    for kind in EntityKind:
        table = TABLES[kind]
        session.execute(delete(table).where(table.id.not_in(pending)))
    return Changes(frozenset(EntityKind))


@dataclass(frozen=True)
class Conflict:
    """A value that lost to another write, or a local write the server refused."""

    id: str
    entity: EntityKind
    entity_id: str
    field: str
    kept_value: Any
    lost_value: Any
    reason: str
    detected_at: datetime
    resolved_at: datetime | None

    @property
    def refused(self) -> bool:
        return not self.field


def record_results(session: Session, results: Sequence[MutationResult]) -> Changes:
    """Stamp server versions on acknowledged records and file conflicts and refusals.

    One query reads the outbox rows of the whole batch and one UPDATE per entity kind
    stamps the versions, so acknowledging a 500-mutation push stays cheap.
    """
    seqs = [result.seq for result in results]
    outbox = {
        row.seq: (row.entity, row.entity_id, row.op, row.fields)
        for row in session.execute(
            select(
                OutboxRow.seq, OutboxRow.entity, OutboxRow.entity_id, OutboxRow.op, OutboxRow.fields
            ).where(OutboxRow.seq.in_(seqs))
        )
    }
    versions: dict[str, list[dict[str, Any]]] = {}
    filed: list[ConflictRow] = []
    now = utcnow()
    for result in results:
        if result.seq not in outbox:
            continue
        entity, entity_id, op, fields = outbox[result.seq]
        if result.version is not None:
            versions.setdefault(entity, []).append({"id": entity_id, "version": result.version})
        filed += [
            _conflict_row(
                entity,
                entity_id,
                lost.field,
                "changed on another device",
                lost.winner,
                lost.loser,
                now,
            )
            for lost in result.conflicts
        ]
        if result.status is MutationStatus.REJECTED:
            reason = result.reason or "refused by the server"
            filed.append(
                _conflict_row(
                    entity, entity_id, "", reason, None, {"op": op, "fields": fields}, now
                )
            )
    for entity, rows in versions.items():
        table = TABLES[EntityKind(entity)]
        ids = [row["id"] for row in rows]
        existing = set(session.scalars(select(table.id).where(table.id.in_(ids))))
        rows = [row for row in rows if row["id"] in existing]  # deleted here: nothing to stamp
        if rows:
            session.execute(update(table), rows)  # bulk UPDATE by primary key
    session.add_all(filed)
    return Changes(conflicts=bool(filed))


def _conflict_row(
    entity: str, entity_id: str, field: str, reason: str, kept: Any, lost: Any, now: datetime
) -> ConflictRow:
    return ConflictRow(
        id=str(uuid.uuid4()),
        entity=entity,
        entity_id=entity_id,
        field=field,
        reason=reason,
        kept_value=kept,
        lost_value=lost,
        detected_at=now,
        resolved_at=None,
    )


def conflicts(session: Session, include_resolved: bool) -> list[Conflict]:
    query = select(ConflictRow).order_by(ConflictRow.detected_at.desc())
    if not include_resolved:
        query = query.where(ConflictRow.resolved_at.is_(None))
    return [
        Conflict(
            id=row.id,
            entity=EntityKind(row.entity),
            entity_id=row.entity_id,
            field=row.field,
            kept_value=row.kept_value,
            lost_value=row.lost_value,
            reason=row.reason,
            detected_at=row.detected_at,
            resolved_at=row.resolved_at,
        )
        for row in session.scalars(query)
    ]


def resolve_conflict(session: Session, conflict_id: str, now: datetime) -> ConflictRow:
    row = session.get(ConflictRow, conflict_id)
    if row is None:
        raise NotFound("conflict", conflict_id)
    row.resolved_at = now
    return row


def restore_conflict(writer: RecordWriter, conflict_id: str) -> None:
    """Write the losing value back as a new local edit and close the conflict."""
    row = resolve_conflict(writer.session, conflict_id, writer.now)
    if not row.field:
        raise DomainError("a refused write cannot be restored; edit the record again")
    model = MODELS[EntityKind(row.entity)]
    writer.update(model, row.entity_id, {row.field: row.lost_value})
    writer.changes |= Changes(conflicts=True)
