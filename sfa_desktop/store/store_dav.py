"""The Store's connector side: connected calendars and address books, what their servers
held at the last sync, which record is which object, and one transaction per sync step
that writes records (through the outbox, like any edit) together with that bookkeeping."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.sqlite import insert

from sfa_desktop.core.entities import Contact, Record
from sfa_desktop.core.errors import DomainError, InUse, NotFound
from sfa_desktop.store.changes import Changes
from sfa_desktop.store.dav_schema import DavAccountRow, DavLinkRow, DavObjectRow
from sfa_desktop.store.schema import TABLES, AccountRow, ConflictRow, ContactRow
from sfa_desktop.store.store_base import StoreBase

_CHUNK = 500  # ids per IN (...) list, well below SQLite's limit on bound values


@dataclass(frozen=True)
class DavAccount:
    """A connected CalDAV calendar ("calendar") or CardDAV address book ("contacts")."""

    id: str
    kind: str
    url: str
    username: str
    collection_url: str
    name: str
    options: dict[str, Any]
    sync_token: str | None
    last_sync_at: datetime | None
    last_error: str
    last_summary: str = ""


@dataclass(frozen=True)
class DavObject:
    """An object on the server as last seen: its href, UID, ETag and body."""

    href: str
    uid: str
    etag: str
    data: str


@dataclass(frozen=True)
class DavLink:
    """A record and where it lives on the server; `base` is the agreed mapped values."""

    record_id: str
    href: str
    recurrence_id: str
    base: dict[str, Any]
    seen: str = ""  # the record's mark (DavSide.dav_marks) when this base was agreed


@dataclass(frozen=True)
class NewConflict:
    """A value one side lost, for the review inbox (`field` DELETED_FIELD for a delete)."""

    entity: str
    entity_id: str
    field: str
    reason: str
    kept_value: Any
    lost_value: Any


@dataclass
class DavBatch:
    """What one sync step writes, all in one transaction. Record writes go through the
    outbox; a delete refused because other records still use the record is skipped and
    reported (`DavSide.dav_apply` returns those ids)."""

    creates: list[tuple[type[Record], dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[type[Record], str, dict[str, Any]]] = field(default_factory=list)
    deletes: list[tuple[type[Record], str]] = field(default_factory=list)
    conflicts: list[NewConflict] = field(default_factory=list)
    put_objects: list[DavObject] = field(default_factory=list)
    drop_objects: list[str] = field(default_factory=list)
    put_links: list[DavLink] = field(default_factory=list)
    drop_links: list[str] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)  # record id -> mark, links unchanged
    account: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(
            (self.creates, self.updates, self.deletes, self.conflicts, self.put_objects),
        ) or any((self.drop_objects, self.put_links, self.drop_links, self.seen, self.account))

    def extend(self, other: DavBatch) -> None:
        """Add what `other` writes (its account fields excepted)."""
        for name in (
            "creates",
            "updates",
            "deletes",
            "conflicts",
            "put_objects",
            "drop_objects",
            "put_links",
            "drop_links",
        ):
            getattr(self, name).extend(getattr(other, name))
        self.seen.update(other.seen)


_ACCOUNT_FIELDS = (
    "name",
    "options",
    "sync_token",
    "last_sync_at",
    "last_error",
    "last_summary",
    "collection_url",
)


class DavSide(StoreBase):
    """What the calendar and address-book connectors read and write."""

    def dav_accounts(self, kind: str | None = None) -> list[DavAccount]:
        with self._read() as session:
            query = select(DavAccountRow).order_by(DavAccountRow.name, DavAccountRow.id)
            if kind is not None:
                query = query.where(DavAccountRow.kind == kind)
            return [_account(row) for row in session.scalars(query)]

    def dav_account(self, account_id: str) -> DavAccount:
        with self._read() as session:
            row = session.get(DavAccountRow, account_id)
            if row is None:
                raise NotFound("connection", account_id)
            return _account(row)

    def add_dav_account(
        self,
        kind: str,
        url: str,
        username: str,
        collection_url: str,
        name: str,
        options: dict[str, Any] | None = None,
    ) -> DavAccount:
        """Remember a connected collection; the same collection and user twice is refused."""
        with self._write() as writer:
            session = writer.session
            same = select(DavAccountRow).where(
                DavAccountRow.collection_url == collection_url,
                DavAccountRow.username == username,
            )
            if session.scalars(same).first() is not None:
                raise DomainError(f"{collection_url} is connected already")
            row = DavAccountRow(
                id=str(uuid.uuid4()),
                kind=kind,
                url=url,
                username=username,
                collection_url=collection_url,
                name=name,
                options=options or {},
                sync_token=None,
                last_sync_at=None,
                last_error="",
            )
            session.add(row)
            session.flush()
            return _account(row)

    def remove_dav_account(self, account_id: str) -> None:
        """Forget a connection, its objects and links (the records stay)."""
        with self._write() as writer:
            for table in (DavLinkRow, DavObjectRow):
                writer.session.execute(delete(table).where(table.account_id == account_id))
            writer.session.execute(delete(DavAccountRow).where(DavAccountRow.id == account_id))

    def dav_objects(
        self, account_id: str, hrefs: Collection[str] | None = None
    ) -> dict[str, DavObject]:
        """Objects as last seen, with their bodies: all, or those of `hrefs`."""
        query = select(DavObjectRow).where(DavObjectRow.account_id == account_id)
        with self._read() as session:
            return {
                row.href: DavObject(row.href, row.uid, row.etag, row.data)
                for chunk in _chunks(query, DavObjectRow.href, hrefs)
                for row in session.scalars(chunk)
            }

    def dav_etags(self, account_id: str) -> dict[str, tuple[str, str]]:
        """(UID, ETag) of every object as last seen, by href, without the bodies."""
        query = select(DavObjectRow.href, DavObjectRow.uid, DavObjectRow.etag).where(
            DavObjectRow.account_id == account_id
        )
        with self._read() as session:
            return {href: (uid, etag) for href, uid, etag in session.execute(query)}

    def dav_links(
        self, account_id: str, hrefs: Collection[str] | None = None
    ) -> dict[str, DavLink]:
        """Links of a connection by record id: all, or those of the objects `hrefs`."""
        query = select(DavLinkRow).where(DavLinkRow.account_id == account_id)
        with self._read() as session:
            return {
                row.record_id: DavLink(
                    row.record_id, row.href, row.recurrence_id, row.base, row.seen
                )
                for chunk in _chunks(query, DavLinkRow.href, hrefs)
                for row in session.scalars(chunk)
            }

    def dav_seen(self, account_id: str) -> dict[str, tuple[str, str]]:
        """(href, mark when last settled) of every linked record, by record id."""
        query = select(DavLinkRow.record_id, DavLinkRow.href, DavLinkRow.seen).where(
            DavLinkRow.account_id == account_id
        )
        with self._read() as session:
            return {record_id: (href, seen) for record_id, href, seen in session.execute(query)}

    def dav_marks(self, model: type[Record]) -> dict[str, str]:
        """Every record of `model` by id with its mark: its server version and last change
        time, which every write moves (here or pulled from the server). A contact's mark
        includes its account's (the card shows the company; grades choose contacts)."""
        table = TABLES[model.entity]
        with self._read() as session:
            query: Any
            if model is Contact:
                query = select(
                    ContactRow.id,
                    ContactRow.version,
                    ContactRow.updated_at,
                    AccountRow.version,
                    AccountRow.updated_at,
                ).outerjoin(AccountRow, AccountRow.id == ContactRow.account_id)
            else:
                query = select(table.id, table.version, table.updated_at)
            return {
                row[0]: "|".join("" if v is None else str(v) for v in row[1:])
                for row in session.execute(query)
            }

    def linked_record_ids(self, kind: str) -> set[str]:
        """Records linked by any connection of `kind` (a record goes to one place only)."""
        with self._read() as session:
            query = (
                select(DavLinkRow.record_id)
                .join(DavAccountRow, DavAccountRow.id == DavLinkRow.account_id)
                .where(DavAccountRow.kind == kind)
            )
            return set(session.scalars(query))

    def dav_apply(self, account_id: str, batch: DavBatch) -> tuple[Changes, list[str]]:
        """Write `batch` in one transaction: (what changed, ids whose delete was refused)."""
        refused: list[str] = []
        with self._write() as writer:
            session = writer.session
            for model, fields in batch.creates:
                writer.create(model, fields)
            for model, record_id, changes in batch.updates:
                writer.update(model, record_id, changes)
            for model, record_id in batch.deletes:
                try:
                    with session.begin_nested():
                        writer.delete(model, record_id)
                except (InUse, NotFound):
                    refused.append(record_id)
            for conflict in batch.conflicts:
                session.add(_conflict_row(conflict, writer.now))
                writer.changes |= Changes(conflicts=True)
            self._write_bookkeeping(session, account_id, batch)
            return writer.changes, refused

    @staticmethod
    def _write_bookkeeping(session: Any, account_id: str, batch: DavBatch) -> None:
        for start in range(0, len(batch.drop_objects), _CHUNK):
            session.execute(
                delete(DavObjectRow).where(
                    DavObjectRow.account_id == account_id,
                    DavObjectRow.href.in_(batch.drop_objects[start : start + _CHUNK]),
                )
            )
        _upsert(session, DavObjectRow, account_id, [o.__dict__ for o in batch.put_objects])
        for start in range(0, len(batch.drop_links), _CHUNK):
            session.execute(
                delete(DavLinkRow).where(
                    DavLinkRow.account_id == account_id,
                    DavLinkRow.record_id.in_(batch.drop_links[start : start + _CHUNK]),
                )
            )
        _upsert(session, DavLinkRow, account_id, [link.__dict__ for link in batch.put_links])
        if batch.seen:
            table: Any = DavLinkRow.__table__
            links = table.c
            session.execute(
                update(table)
                .where(links.account_id == account_id, links.record_id == bindparam("rid"))
                .values(seen=bindparam("mark")),
                [{"rid": rid, "mark": mark} for rid, mark in batch.seen.items()],
            )
        if batch.account:
            row = session.get(DavAccountRow, account_id)
            if row is None:
                raise NotFound("connection", account_id)
            for name, value in batch.account.items():
                if name not in _ACCOUNT_FIELDS:
                    raise DomainError(f"a connection has no field {name}")
                setattr(row, name, value)


def _chunks(query: Any, column: Any, values: Collection[str] | None) -> Iterator[Any]:
    """`query` as is (values None), or restricted to `values` of `column` in chunks."""
    if values is None:
        yield query
        return
    wanted = sorted(values)
    for start in range(0, len(wanted), _CHUNK):
        yield query.where(column.in_(wanted[start : start + _CHUNK]))


def _upsert(session: Any, table: Any, account_id: str, rows: list[dict[str, Any]]) -> None:
    """Insert or replace `rows` of `table` for a connection (one statement per chunk)."""
    if not rows:
        return
    keys = {column.name for column in table.__table__.primary_key.columns}
    for start in range(0, len(rows), _CHUNK):
        values = [{**row, "account_id": account_id} for row in rows[start : start + _CHUNK]]
        statement = insert(table).values(values)
        replaced = {name: statement.excluded[name] for name in values[0] if name not in keys}
        session.execute(statement.on_conflict_do_update(index_elements=keys, set_=replaced))


def _account(row: DavAccountRow) -> DavAccount:
    return DavAccount(
        id=row.id,
        kind=row.kind,
        url=row.url,
        username=row.username,
        collection_url=row.collection_url,
        name=row.name,
        options=dict(row.options or {}),
        sync_token=row.sync_token,
        last_sync_at=row.last_sync_at,
        last_error=row.last_error,
        last_summary=row.last_summary or "",
    )


def _conflict_row(conflict: NewConflict, now: datetime) -> ConflictRow:
    return ConflictRow(
        id=str(uuid.uuid4()),
        entity=conflict.entity,
        entity_id=conflict.entity_id,
        field=conflict.field,
        reason=conflict.reason,
        kept_value=conflict.kept_value,
        lost_value=conflict.lost_value,
        detected_at=now,
        resolved_at=None,
    )
