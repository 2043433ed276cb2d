"""Local writes inside one transaction: the record, its checks and its outbox entry."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import OWNED_BY, REFERENCES, Record, utcnow
from sfa_desktop.core.entities.base import is_custom
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import BrokenReference, InUse, InvalidRecord, NotFound
from sfa_desktop.core.protocol import MutationOp
from sfa_desktop.store.changes import Changes
from sfa_desktop.store.custom_fields import checked
from sfa_desktop.store.references import broken_reference, referring_ids, shape_of
from sfa_desktop.store.rows import column_values, to_record
from sfa_desktop.store.schema import TABLES, OutboxRow

R = TypeVar("R", bound=Record)


def outbox_entry(
    record: Record,
    op: MutationOp,
    fields: dict[str, Any],
    base_version: int | None,
    now: datetime,
    merged_ids: list[str] | None = None,
) -> dict[str, Any]:
    """The values of the one outbox row a local write of `record` appends."""
    return {
        "mutation_id": str(uuid.uuid4()),
        "entity": record.entity.value,
        "entity_id": record.id,
        "op": op.value,
        "fields": fields,
        "base_version": base_version,
        "created_at": now,
        "merged_ids": merged_ids,
    }


class RecordWriter:
    """Writes records through one Session, appending one outbox row per write."""

    def __init__(self, session: Session, owner_id: str | None) -> None:
        self.session = session
        self.owner_id = owner_id
        self.changes = Changes()
        self.now: datetime = utcnow()
        # A person saving a form: required custom fields still empty must be filled now.
        self.ask_missing = False

    def get(self, model: type[R], record_id: str) -> R:
        row = self.session.get(TABLES[model.entity], record_id)
        if row is None:
            raise NotFound(model.entity_name(), record_id)
        record = to_record(row)
        assert isinstance(record, model)
        return record

    def new_record(self, model: type[R], fields: dict[str, Any]) -> R:
        """`fields` validated as a new record written now, owned by the current user unless
        they say otherwise (a version given is dropped: only the server sets it)."""
        data = {"owner_id": self.owner_id, **fields, "created_at": self.now, "updated_at": self.now}
        data.pop("version", None)
        return model.parse(data)

    def create(self, model: type[R], fields: dict[str, Any]) -> R:
        """Validate and insert a new record owned by the current user unless told otherwise."""
        record = checked(self.session, None, self.new_record(model, fields), self.owner_id)
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
        updated = checked(
            self.session, current, updated, self.owner_id, ask_missing=self.ask_missing
        )
        before, after = current.data_fields(), updated.data_fields()
        changed = {name: value for name, value in after.items() if before.get(name) != value}
        if not changed:
            return current, current, {}
        self._check_references(updated, only=set(changed))
        row = self.session.get(TABLES[model.entity], record_id)
        values = column_values(updated)
        names = {"custom" if is_custom(name) else name for name in changed}
        for name in [*names, "updated_at"]:
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
        entry = outbox_entry(record, op, fields, base_version, self.now, merged_ids)
        self.session.add(OutboxRow(**entry))
        self.changes |= Changes.of(record.entity)

    def _check_references(self, record: Record, only: set[str] | None = None) -> None:
        broken = broken_reference(self.session, [record], only)
        if broken is not None:
            _record, field, target_id = broken
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
                shape = shape_of(kind, field)
                count = len(referring_ids(self.session, kind, field, shape, {record.id}))
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
