"""The Store's generic part: who is signed in, and reading and writing any record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import FieldDefinition, Opportunity, Record, StageChange, User
from sfa_desktop.core.enums import EntityKind, Stage
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.protocol import CLIENT_WRITABLE
from sfa_desktop.store import custom_fields
from sfa_desktop.store.changes import Changes, Saved
from sfa_desktop.store.rows import column_values, record_of, to_record
from sfa_desktop.store.schema import TABLES, SyncStateRow
from sfa_desktop.store.store_base import StoreBase
from sfa_desktop.store.writer import RecordWriter

R = TypeVar("R", bound=Record)


class RecordAccess(StoreBase):
    """Identity and generic record reads and writes (opportunities keep their stage history)."""

    # -- identity ---------------------------------------------------------------------------

    def current_user_id(self) -> str | None:
        with self._read() as session:
            return self._state(session, "user_id")

    def sign_in_as(self, user: User) -> Changes:
        """Remember the signed-in user (and keep their User row) for new records' owner."""
        with Session(self._writer_engine) as session, session.begin():
            session.merge(TABLES[EntityKind.USER](**column_values(user)))
            session.merge(SyncStateRow(key="user_id", value=user.id))
        return Changes.of(EntityKind.USER)

    def users(self) -> list[User]:
        with self._read() as session:
            rows = session.scalars(select(TABLES[EntityKind.USER]).order_by("name")).all()
            return [record for record in map(to_record, rows) if isinstance(record, User)]

    # -- generic reads and writes -----------------------------------------------------------

    def get(self, model: type[R], record_id: str) -> R:
        with self._read() as session:
            return RecordWriter(session, None).get(model, record_id)

    def get_many(self, model: type[R], ids: Sequence[str]) -> list[R]:
        """Records for `ids` in the order given; ids that no longer exist are left out."""
        table = TABLES[model.entity]
        with self._read() as session:
            rows = session.scalars(select(table).where(table.id.in_(ids)))
            by_id = {row.id: record_of(model, row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def ids(
        self,
        model: type[Record],
        *,
        where: dict[str, Any] | None = None,
        sort: str = "created_at",
        descending: bool = False,
        limit: int | None = None,
    ) -> list[str]:
        """Ids of the records matching `where` (field equality), sorted in SQL."""
        table = TABLES[model.entity]
        columns = table.__table__.columns
        unknown = [name for name in [sort, *(where or {})] if name not in columns]
        if unknown:
            raise DomainError(f"{model.entity_name()} has no field {', '.join(unknown)}")
        order = columns[sort].desc() if descending else columns[sort].asc()
        query = select(table.id).order_by(order, table.id).limit(limit)
        for name, value in (where or {}).items():
            query = query.where(columns[name] == value)
        with self._read() as session:
            return list(session.scalars(query))

    def records(self, model: type[R], where: dict[str, Any] | None = None) -> list[R]:
        """Every record of `model` matching `where` (field equality), oldest first."""
        table = TABLES[model.entity]
        columns = table.__table__.columns
        query = select(table).order_by(table.created_at, table.id)
        for name, value in (where or {}).items():
            if name not in columns:
                raise DomainError(f"{model.entity_name()} has no field {name}")
            query = query.where(columns[name] == value)
        with self._read() as session:
            return [record_of(model, row) for row in session.scalars(query)]

    def field_definitions(
        self, kind: EntityKind, include_retired: bool = False
    ) -> list[FieldDefinition]:
        """The admins' custom fields of `kind`, in their order (as last pulled)."""
        with self._read() as session:
            found = custom_fields.definitions(session, kind)
        return [d for d in found if include_retired or not d.retired]

    def count(self, model: type[Record]) -> int:
        with self._read() as session:
            return session.scalar(select(func.count()).select_from(TABLES[model.entity])) or 0

    def create(self, model: type[R], fields: dict[str, Any]) -> Saved[R]:
        """Create a record; opportunities also start their stage history."""
        self._check_writable(model)
        with self._write() as writer:
            record = writer.create(model, fields)
            if isinstance(record, Opportunity):
                self._record_stage_change(writer, record, None)
            return Saved(record, writer.changes)

    def update(
        self,
        model: type[R],
        record_id: str,
        changes: dict[str, Any],
        *,
        from_form: bool = False,
    ) -> Saved[R]:
        """Change fields of a record; a stage move is added to the opportunity's history.
        `from_form`: a person saved the whole record, so required custom fields still
        empty must be filled now (an old record is not blocked until then)."""
        self._check_writable(model)
        with self._write() as writer:
            writer.ask_missing = from_form
            before = writer.get(model, record_id)
            if isinstance(before, Opportunity) and "stage" in changes:
                changes = self._closing_fields(before, changes, writer.now)
            record = writer.update(model, record_id, changes)
            if (
                isinstance(before, Opportunity)
                and isinstance(record, Opportunity)
                and record.stage is not before.stage
            ):
                self._record_stage_change(writer, record, before)
            return Saved(record, writer.changes)

    def delete(self, model: type[Record], record_id: str) -> Changes:
        self._check_writable(model)
        with self._write() as writer:
            writer.delete(model, record_id)
            return writer.changes

    @staticmethod
    def _check_writable(model: type[Record]) -> None:
        if model.entity not in CLIENT_WRITABLE:
            raise DomainError(f"{model.entity_name()} records are managed on the server")

    def column_rows(self, model: type[Record], columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """(id, *columns) of every record of `model`, oldest first, in one query (what
        match indexes for duplicates are built from)."""
        table = TABLES[model.entity]
        known = table.__table__.columns
        unknown = [name for name in columns if name not in known]
        if unknown:
            raise DomainError(f"{model.entity_name()} has no field {', '.join(unknown)}")
        query = select(table.id, *(known[name] for name in columns)).order_by(
            table.created_at, table.id
        )
        with self._read() as session:
            return [tuple(row) for row in session.execute(query)]

    @staticmethod
    def _closing_fields(
        before: Opportunity, changes: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        stage = Stage(changes["stage"])
        if stage.is_closed and not before.stage.is_closed:
            return {"closed_at": now, **changes}
        if not stage.is_closed and before.stage.is_closed:
            return {"closed_at": None, **changes}
        return changes

    @staticmethod
    def _record_stage_change(
        writer: RecordWriter, record: Opportunity, before: Opportunity | None
    ) -> None:
        writer.create(
            StageChange,
            {
                "opportunity_id": record.id,
                "from_stage": before.stage if before else None,
                "to_stage": record.stage,
                "changed_at": writer.now,
                "amount": record.amount,
                "owner_id": record.owner_id,
            },
        )
