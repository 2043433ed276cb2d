"""Applying the server's changes to the local store without losing pending local edits."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import itemgetter
from typing import Any

from pydantic import TypeAdapter
from pydantic_core import from_json, to_json
from sqlalchemy import JSON, Date, Table, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS, Record, utcnow
from sfa_desktop.core.entities.base import is_custom
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import (
    Change,
    ChangeOp,
    ConflictNotice,
    MutationOp,
    MutationResult,
    MutationStatus,
)
from sfa_desktop.sql.types import SQLITE_TEXT_OF_JSON, UTCDateTime, sqlite_text
from sfa_desktop.store import search
from sfa_desktop.store.changes import Changes
from sfa_desktop.store.engine import (
    CHECKPOINT_PAGES,
    DOWNLOAD_CHECKPOINT_PAGES,
    RawConnection,
    raw_connection,
)
from sfa_desktop.store.rows import to_record
from sfa_desktop.store.schema import TABLES, ConflictRow, OutboxRow

# The server version the download in progress began at (sent with each of its pages).
DOWNLOAD_BEGAN_KEY = "download_began"


def _pending(session: Session, entity_ids: Iterable[str]) -> dict[str, tuple[set[str], bool]]:
    """For records with unpushed local edits: their edited fields and whether a delete waits."""
    pending: dict[str, tuple[set[str], bool]] = {}
    connection = raw_connection(session)
    if connection.execute("SELECT 1 FROM outbox LIMIT 1").fetchone() is None:
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
    # A pending merge deletes the records it folds in: the server's copies of them stay out.
    wanted = set(ids)
    for (merged_ids,) in session.execute(
        select(OutboxRow.merged_ids).where(OutboxRow.op == MutationOp.MERGE.value)
    ):
        for merged_id in wanted.intersection(merged_ids or ()):
            pending[merged_id] = (pending.get(merged_id, (set(), False))[0], True)
    return pending


def _merged(server: Record, local: Record | None, keep: set[str]) -> Record:
    """The server's record with the locally pending fields kept as the user left them."""
    if local is None or not keep:
        return server
    data: dict[str, Any] = server.model_dump()
    data.update(
        {name: getattr(local, name, None) for name in keep if name in data or is_custom(name)}
    )
    return type(server).model_validate(data)


def _date_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _json_text(value: Any) -> str:
    return to_json(value).decode()


# A pulled change as the client decodes a page: (kind, entity id, op, version, data).
PulledChange = tuple[EntityKind, str, ChangeOp, int, dict[str, Any] | None]


@dataclass(frozen=True)
class _Upsert:
    """One kind's upsert as plain SQL, with the conversions SQLAlchemy would apply."""

    sql: str
    # The same upsert reading its rows from one JSON array of rows (`json_rows`): SQLite
    # runs it as one statement, without taking the GIL once per row as executemany does,
    # so the engine validates the next page on the other core meanwhile. The rows carry
    # the validated values as to_json writes them; the SQL turns datetimes into the stored
    # text and keeps JSON columns as JSON text.
    json_sql: str
    columns: tuple[str, ...]  # the record's fields, then `custom` for a customisable kind
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]  # column index, converter
    custom: bool

    def row(self, record: Record) -> tuple[Any, ...]:
        """One record's column values for `sql`, converted as SQLAlchemy would."""
        values = list(self._values([record])[0])
        for index, convert in self.converters:
            values[index] = convert(values[index])
        if self.custom and values[-1] is not None:
            values[-1] = _json_text(values[-1])
        return tuple(values)

    def json_rows(self, records: Sequence[Record]) -> bytes:
        """The records' rows for `json_sql`, as the items of a JSON array (no brackets)."""
        return to_json(self._values(records))[1:-1]

    def fields_of(self, rows_json: str) -> list[dict[str, Any]]:
        """The records' fields back from `json_rows`: the validated values as to_json
        wrote them, which validate again to the same records."""
        names = self.columns[:-1] if self.custom else self.columns
        fields = []
        for row in from_json(rows_json):
            values = dict(zip(names, row, strict=False))
            if self.custom and row[-1]:
                values.update(row[-1])
            fields.append(values)
        return fields

    def _values(self, records: Sequence[Record]) -> list[tuple[Any, ...]]:
        """Column values of `records`, from their validated field values (no model_dump);
        the custom values as an object or None."""
        if self.custom:
            pick = itemgetter(*self.columns[:-1])
            return [(*pick(record.__dict__), _custom_values(record)) for record in records]
        pick = itemgetter(*self.columns)
        return [pick(record.__dict__) for record in records]


def _custom_values(record: Record) -> dict[str, Any] | None:
    """The `custom` column of a record: its non-empty custom values, or None (NULL)."""
    extra = record.__pydantic_extra__
    if not extra:
        return None
    if None not in extra.values():
        return extra
    values = {name: value for name, value in extra.items() if value is not None}
    return values or None


@cache
def _upsert(kind: EntityKind) -> _Upsert:
    table = TABLES[kind].__table__
    assert isinstance(table, Table)
    ordered = [column for column in table.columns if column.name != "custom"]
    custom = len(ordered) != len(table.columns)
    if custom:
        ordered.append(table.columns["custom"])
    columns = tuple(column.name for column in ordered)
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(ordered):
        if column.name == "custom":
            continue  # already JSON text
        if isinstance(column.type, UTCDateTime):
            converters.append((index, sqlite_text))
        elif isinstance(column.type, Date):
            converters.append((index, _date_text))
        elif isinstance(column.type, JSON):
            converters.append((index, _json_text))
    quoted = [f'"{name}"' for name in columns]
    updates = ", ".join(f"{name} = excluded.{name}" for name in quoted if name != '"id"')
    conflict = f"ON CONFLICT (id) DO UPDATE SET {updates}"
    sql = (
        f'INSERT INTO "{table.name}" ({", ".join(quoted)}) '
        f"VALUES ({', '.join('?' for _ in columns)}) {conflict}"
    )
    # `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the INSERT, not a join.
    picks = []
    for index, column in enumerate(ordered):
        if column.name == "custom":  # the object as JSON text; a JSON null reads 'null'
            picks.append(f"nullif(r.value -> {index}, 'null')")
        elif isinstance(column.type, JSON):  # JSON text ('null' for None, as SQLAlchemy)
            picks.append(f"r.value -> {index}")
        elif isinstance(column.type, UTCDateTime):
            picks.append(SQLITE_TEXT_OF_JSON.format(value=f"r.value ->> {index}"))
        else:  # dates come as ISO text already; numbers, text and booleans as they are
            picks.append(f"r.value ->> {index}")
    json_sql = (
        f'INSERT INTO "{table.name}" ({", ".join(quoted)}) '
        f"SELECT {', '.join(picks)} "
        f"FROM json_each(?) AS r WHERE true {conflict}"
    )
    return _Upsert(sql, json_sql, columns, tuple(converters), custom)


@dataclass(frozen=True)
class _Batch:
    """The validated upserts of one kind on a page, as their table rows. Neither the
    validated records nor the pulled fields are kept (a page of account plans holds tens
    of MB of them); the rare page that meets pending local edits validates its rows again
    (`_merged_rows`)."""

    ids: list[str]
    rows_json: str  # the records' table rows as one JSON array (see _Upsert.json_sql)


@dataclass(frozen=True)
class PreparedPage:
    """A pulled page validated and turned into rows, ready to apply.

    Preparing needs no database, so the sync engine prepares the next page in a worker
    thread while this one is written. Only the last change of each record is kept.
    """

    upserts: dict[EntityKind, _Batch]
    removals: dict[EntityKind, list[tuple[str, bool]]]  # (entity id, is a delete)
    ids: list[str]  # every record the page touches
    conflicts: tuple[ConflictNotice, ...] = ()  # values this user lost, writes refused

    def __len__(self) -> int:
        return len(self.ids)


_CHUNK = 500  # records validated in one call


@cache
def _list_adapter(kind: EntityKind) -> TypeAdapter[list[Record]]:
    """Validates a list of one kind's records in one call (cheaper than one per record)."""
    return TypeAdapter(list[MODELS[kind]])  # type: ignore[valid-type]


def prepare_page(
    changes: Iterable[Change | PulledChange], conflicts: Iterable[ConflictNotice] = ()
) -> PreparedPage:
    """Validate a page's records against their entity models and build their table rows.

    Raises pydantic's ValidationError for a malformed record, before anything is written.
    """
    latest: dict[tuple[EntityKind, str], PulledChange] = {}
    for change in changes:
        if isinstance(change, Change):
            change = (change.entity, change.entity_id, change.op, change.version, change.data)
        latest[change[0], change[1]] = change
    data: dict[EntityKind, list[dict[str, Any]]] = {}
    ids: dict[EntityKind, list[str]] = {}
    removals: dict[EntityKind, list[tuple[str, bool]]] = {}
    for kind, entity_id, op, version, fields in latest.values():
        if op is ChangeOp.UPSERT:
            if fields is None:
                continue
            if fields.get("version") != version:  # servers send it; no copy then
                fields = {**fields, "version": version}
            data.setdefault(kind, []).append(fields)
            ids.setdefault(kind, []).append(entity_id)
        else:
            removals.setdefault(kind, []).append((entity_id, op is ChangeOp.DELETE))
    upserts: dict[EntityKind, _Batch] = {}
    for kind, fields_list in data.items():
        adapter, upsert = _list_adapter(kind), _upsert(kind)
        chunks: list[bytes] = []
        # In chunks: pydantic-core holds the GIL through a call, and the thread writing the
        # previous page needs it back after each statement.
        for start in range(0, len(fields_list), _CHUNK):
            chunk = adapter.validate_python(fields_list[start : start + _CHUNK])
            chunks.append(upsert.json_rows(chunk))
        rows_json = b"[" + b",".join(chunks) + b"]"
        upserts[kind] = _Batch(ids[kind], rows_json.decode())
    return PreparedPage(
        upserts, removals, [entity_id for _kind, entity_id in latest], tuple(conflicts)
    )


def _apply_changes(session: Session, connection: RawConnection, page: PreparedPage) -> Changes:
    """Apply a prepared page in bulk; returns the kinds it touched.

    Only the last change of each record matters. Pending local fields are kept (and a
    pending local delete wins until the server settles it); a server delete of a record
    edited here is ignored, as the edit will revive it.
    """
    pending = _pending(session, page.ids)
    touched: set[EntityKind] = set()
    for kind, batch in page.upserts.items():
        upsert = _upsert(kind)
        if not pending.keys().isdisjoint(batch.ids):
            rows = _merged_rows(session, kind, batch, pending)
            if rows:
                touched.add(kind)
                connection.executemany(upsert.sql, rows)
        elif batch.ids:
            touched.add(kind)
            connection.execute(upsert.json_sql, (batch.rows_json,))
    for kind, removed in page.removals.items():
        ids = [
            entity_id
            for entity_id, is_delete in removed
            if not (is_delete and pending.get(entity_id, (set(), False))[0])
        ]
        if ids:
            touched.add(kind)
            table = TABLES[kind]
            session.execute(delete(table).where(table.id.in_(ids)))
    return Changes(frozenset(touched), conflicts=_file_notices(session, page.conflicts))


def _file_notices(session: Session, notices: Sequence[ConflictNotice]) -> bool:
    """Put pulled conflict notices in the inbox, each once (by its server id): a notice
    pulled again (after a lost page, a re-download) changes nothing, even if dismissed."""
    if not notices:
        return False
    rows = [
        {
            "id": f"server-{notice.id}",
            "entity": notice.entity,
            "entity_id": notice.entity_id,
            "field": notice.field,
            "reason": notice.reason,
            "kept_value": notice.winner,
            "lost_value": notice.loser,
            "detected_at": notice.created_at,
            "resolved_at": None,
        }
        for notice in notices
    ]
    before = session.scalar(select(func.count()).select_from(ConflictRow))
    session.execute(sqlite_insert(ConflictRow).on_conflict_do_nothing(), rows)
    return session.scalar(select(func.count()).select_from(ConflictRow)) != before


def _merged_rows(
    session: Session,
    kind: EntityKind,
    batch: _Batch,
    pending: dict[str, tuple[set[str], bool]],
) -> list[tuple[Any, ...]]:
    """The batch's rows with pending local edits kept (a pending local delete skips it)."""
    upsert = _upsert(kind)
    rows = []
    records = _list_adapter(kind).validate_python(upsert.fields_of(batch.rows_json))
    for entity_id, record in zip(batch.ids, records, strict=True):
        keep, deleted_here = pending.get(entity_id, (set(), False))
        if deleted_here:
            continue
        if keep:
            local = session.get(TABLES[kind], entity_id)
            record = _merged(record, to_record(local) if local else None, keep)
        rows.append(upsert.row(record))
    return rows


# The cursor, and on a first download the pause of per-row indexing, in one statement (the
# engine writes a page while the next one is validated on another thread: each statement
# waits for the GIL when it returns, so a page takes as few of them as it can).
_CURSOR_SQL = (
    "INSERT INTO sync_state (key, value) VALUES ('since', ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_BEGAN_SQL = (
    f"INSERT INTO sync_state (key, value) VALUES ('{DOWNLOAD_BEGAN_KEY}', ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_CURSOR_AND_PAUSE_SQL = (
    "INSERT INTO sync_state (key, value) VALUES ('since', ?), ('bulk_load', ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE excluded.key = 'since'"
)


def apply_page(
    session: Session,
    changes: PreparedPage | Iterable[Change],
    next_since: int,
    first_download: bool,
    began: int | None = None,
) -> Changes:
    """Apply a pulled page and store the cursor after it (the caller's one transaction);
    `began`, the version the download began at, is kept with the cursor.

    The first page of a first download also pauses the per-row search indexing (see
    BULK_LOAD_KEY), in this same transaction: a crash leaves either no page and no pause,
    or the page, its cursor and the pause; the next sync continues and finishes it.
    """
    page = changes if isinstance(changes, PreparedPage) else prepare_page(changes)
    connection = raw_connection(session)
    checkpoint = DOWNLOAD_CHECKPOINT_PAGES if first_download else CHECKPOINT_PAGES
    connection.execute(f"PRAGMA wal_autocheckpoint = {checkpoint}")
    if first_download:  # before the rows: the insert triggers look for the pause
        connection.execute(_CURSOR_AND_PAUSE_SQL, (str(next_since), utcnow().isoformat()))
    else:
        connection.execute(_CURSOR_SQL, (str(next_since),))
    if began is not None:
        connection.execute(_BEGAN_SQL, (str(began),))
    return _apply_changes(session, connection, page)


def finish_download(session: Session) -> Changes:
    """Index the rows of a finished first download and resume per-row indexing."""
    raw_connection(session).execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
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


def record_results(session: Session, results: Sequence[MutationResult]) -> Changes:
    """Stamp server versions on acknowledged records.

    Lost values and refused writes are not filed from a push answer (an answer can be
    lost): the server files them and the pull brings them, each once (`_file_notices`).
    One query reads the outbox rows of the whole batch and one UPDATE per entity kind
    stamps the versions, so acknowledging a 500-mutation push stays cheap.
    """
    seqs = [result.seq for result in results if result.version is not None]
    outbox = {
        seq: (entity, entity_id)
        for seq, entity, entity_id in session.execute(
            select(OutboxRow.seq, OutboxRow.entity, OutboxRow.entity_id).where(
                OutboxRow.seq.in_(seqs)
            )
        )
    }
    versions: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        if result.seq not in outbox or result.version is None:
            continue
        entity, entity_id = outbox[result.seq]
        versions.setdefault(entity, []).append({"id": entity_id, "version": result.version})
    for entity, rows in versions.items():
        table = TABLES[EntityKind(entity)]
        ids = [row["id"] for row in rows]
        existing = set(session.scalars(select(table.id).where(table.id.in_(ids))))
        rows = [row for row in rows if row["id"] in existing]  # deleted here: nothing to stamp
        if rows:
            session.execute(update(table), rows)  # bulk UPDATE by primary key
    return Changes()


def unsettled_merges(session: Session, results: Sequence[MutationResult]) -> bool:
    """Whether a merge of these results may not have happened on the server: refused, or
    acknowledged as a duplicate (sent before, its answer lost: applied or refused, the
    client cannot tell). The local merge already deleted and re-pointed records that no
    server version will bring back, so the caller downloads its scope again."""
    unsure = [
        result.seq
        for result in results
        if result.status in (MutationStatus.REJECTED, MutationStatus.DUPLICATE)
    ]
    if not unsure:
        return False
    found = session.scalar(
        select(OutboxRow.seq)
        .where(OutboxRow.seq.in_(unsure), OutboxRow.op == MutationOp.MERGE.value)
        .limit(1)
    )
    return found is not None
