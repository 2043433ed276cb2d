"""Local writes inside one transaction: the record, its checks and its outbox entry."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import OWNED_BY, REFERENCES, Record, utcnow
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import BrokenReference, InUse, InvalidRecord, NotFound
from sfa_desktop.core.protocol import MutationOp
from sfa_desktop.store.changes import Changes
from sfa_desktop.store.rows import column_values, to_record
from sfa_desktop.store.schema import TABLES, ActivityContactRow, EventAttendeeRow, OutboxRow, Synced

R = TypeVar("R", bound=Record)

# Reverse lookups for list-valued references, through the link tables the triggers keep.
_LINKS = {
    (EntityKind.ACTIVITY, "contact_ids"): (ActivityContactRow, ActivityContactRow.contact_id),
    (EntityKind.EVENT, "attendee_ids"): (EventAttendeeRow, EventAttendeeRow.contact_id),
}


class RecordWriter:
    """Writes records through one Session, appending one outbox row per write."""

    def __init__(self, session: Session, owner_id: str | None) -> None:
        self.session = session
        self.owner_id = owner_id
        self.changes = Changes()
        self.now: datetime = utcnow()

    def get(self, model: type[R], record_id: str) -> R:
        row = self.session.get(TABLES[model.entity], record_id)
        if row is None:
            raise NotFound(model.entity_name(), record_id)
        record = to_record(row)
        assert isinstance(record, model)
        return record

    def create(self, model: type[R], fields: dict[str, Any]) -> R:
        """Validate and insert a new record owned by the current user unless told otherwise."""
        data = {"owner_id": self.owner_id, **fields, "created_at": self.now, "updated_at": self.now}
        data.pop("version", None)
        record = model.parse(data)
        if self.session.get(TABLES[model.entity], record.id) is not None:
            raise InvalidRecord(model.entity_name(), {"id": f"{record.id} already exists"})
        self._check_references(record)
        self.session.add(TABLES[model.entity](**column_values(record)))
        self._append(record, MutationOp.UPSERT, record.data_fields(), base_version=None)
        return record

    def update(self, model: type[R], record_id: str, changes: dict[str, Any]) -> R:
        """Apply field changes; only fields whose value really changes reach the outbox."""
        current, updated, changed = self.change(model, record_id, changes)
        if changed:
            self._append(updated, MutationOp.UPSERT, changed, base_version=current.version)
        return updated

    def change(
        self, model: type[R], record_id: str, changes: dict[str, Any]
    ) -> tuple[R, R, dict[str, Any]]:
        """Validate and write field changes without an outbox row: (record before, record
        after, the JSON values of the fields that really changed). For writes the server
        repeats by itself (a merge re-points references on both sides)."""
        current = self.get(model, record_id)
        forbidden = set(changes) & set(Record.META_FIELDS)
        if forbidden:
            raise InvalidRecord(
                model.entity_name(), dict.fromkeys(sorted(forbidden), "cannot be changed")
            )
        updated = current.with_changes({**changes, "updated_at": self.now})
        before, after = current.data_fields(), updated.data_fields()
        changed = {name: value for name, value in after.items() if before[name] != value}
        if not changed:
            return current, current, {}
        self._check_references(updated, only=set(changed))
        row = self.session.get(TABLES[model.entity], record_id)
        values = column_values(updated)
        for name in [*changed, "updated_at"]:
            setattr(row, name, values[name])
        self.changes |= Changes.of(model.entity)
        return current, updated, changed

    def remove(self, model: type[Record], record_id: str) -> Record:
        """Delete a record without an outbox row or reference checks (a merge folds it into
        another after re-pointing what referred to it; the server deletes it the same way)."""
        current = self.get(model, record_id)
        self.session.delete(self.session.get(TABLES[model.entity], record_id))
        self.changes |= Changes.of(model.entity)
        return current

    def append_merge(
        self,
        survivor: Record,
        fields: dict[str, Any],
        merged_ids: list[str],
        base_version: int | None,
    ) -> None:
        """The one outbox row of a merge: `merged_ids` folded into `survivor`, whose changed
        fields are `fields`."""
        self._append(survivor, MutationOp.MERGE, fields, base_version, merged_ids)

    def delete(self, model: type[Record], record_id: str) -> None:
        """Delete a record nothing else points at (owned children go with it)."""
        current = self.get(model, record_id)
        self._check_unreferenced(current)
        for child_kind, (parent_kind, field) in OWNED_BY.items():
            if parent_kind is model.entity:
                table = TABLES[child_kind]
                children = self.session.scalars(
                    select(table).where(getattr(table, field) == record_id)
                ).all()
                for child in children:
                    self.delete(type(to_record(child)), child.id)
        self.session.delete(self.session.get(TABLES[model.entity], record_id))
        self.session.flush()
        self._append(current, MutationOp.DELETE, {}, base_version=current.version)

    def _append(
        self,
        record: Record,
        op: MutationOp,
        fields: dict[str, Any],
        base_version: int | None,
        merged_ids: list[str] | None = None,
    ) -> None:
        self.session.add(
            OutboxRow(
                mutation_id=str(uuid.uuid4()),
                entity=record.entity.value,
                entity_id=record.id,
                op=op.value,
                fields=fields,
                base_version=base_version,
                created_at=self.now,
                merged_ids=merged_ids,
            )
        )
        self.changes |= Changes.of(record.entity)

    def _exists(self, kind: EntityKind, record_id: str) -> bool:
        table = TABLES[kind]
        return self.session.scalar(select(table.id).where(table.id == record_id)) is not None

    def _check_references(self, record: Record, only: set[str] | None = None) -> None:
        self.session.flush()
        for field, target in REFERENCES[record.entity].items():
            if only is not None and field not in only:
                continue
            value = getattr(record, field)
            for target_id in value if isinstance(value, tuple) else (value,):
                if target_id is not None and not self._exists(target, target_id):
                    raise BrokenReference(record.entity_name(), field, target_id)

    def _check_unreferenced(self, record: Record) -> None:
        self.session.flush()
        users: list[str] = []
        for kind, fields in REFERENCES.items():
            if OWNED_BY.get(kind, (None, ""))[0] is record.entity:
                continue
            for field, target in fields.items():
                if target is not record.entity:
                    continue
                link = _LINKS.get((kind, field))
                if link is not None:
                    count = self.session.scalar(
                        select(func.count()).select_from(link[0]).where(link[1] == record.id)
                    )
                else:
                    table: type[Synced] = TABLES[kind]
                    count = self.session.scalar(
                        select(func.count()).where(getattr(table, field) == record.id)
                    )
                if count:
                    users.append(_counted(count, kind))
        if users:
            raise InUse(
                f"This {record.entity_name()} is still used by {', '.join(users)}; "
                "remove those links first"
            )


def _counted(count: int, kind: EntityKind) -> str:
    """'1 contact', '3 activities'."""
    noun = kind.value.replace("_", " ")
    if count != 1:
        noun = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{count} {noun}"
