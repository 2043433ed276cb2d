"""The audit trail: who changed what on a record, written by the server and synced."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from sfa_desktop.core.entities.base import LongText, Record, RecordId, ShortText, UtcDateTime, Value
from sfa_desktop.core.enums import AuditAction, EntityKind

# Longer text values are cut to this many characters (the last one an ellipsis), and longer
# lists to this many items: an entry says what changed, it is not a copy of the record.
TEXT_LIMIT = 200
LIST_LIMIT = 20


class FieldChange(Value):
    """One field's value before and after a change (JSON values, long text shortened)."""

    field: str
    old: Any = None
    new: Any = None


class AuditEntry(Record):
    """One change to a record: written by the server, read-only everywhere.

    The server stores it with the owner and account of the record it describes, so it
    reaches exactly the people who see that record. `actor_id` is None for an
    administrator or the system.
    """

    entity: ClassVar[EntityKind] = EntityKind.AUDIT_ENTRY

    record_entity: EntityKind
    record_id: RecordId
    action: AuditAction
    actor_id: RecordId | None = None
    actor_name: ShortText = ""
    device_name: ShortText = ""
    at: UtcDateTime
    changes: tuple[FieldChange, ...] = ()
    note: LongText = ""


def audit_value(value: Any) -> Any:
    """A JSON value shortened for the trail: text to TEXT_LIMIT characters, lists to
    LIST_LIMIT items (plus one "… N more" item), recursively."""
    if isinstance(value, str):
        return value if len(value) <= TEXT_LIMIT else value[: TEXT_LIMIT - 1] + "…"
    if isinstance(value, list | tuple):
        items = [audit_value(item) for item in value[:LIST_LIMIT]]
        if len(value) > LIST_LIMIT:
            items.append(f"… {len(value) - LIST_LIMIT} more")
        return items
    if isinstance(value, dict):
        return {key: audit_value(item) for key, item in value.items()}
    return value


def field_changes(
    model: type[Record],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    fields: Iterable[str],
) -> tuple[FieldChange, ...]:
    """FieldChange values for `fields` (JSON data before and after), in the model's field
    order; fields whose value did not change are left out."""
    order = {name: index for index, name in enumerate(model.model_fields)}
    names = sorted(set(fields), key=lambda name: (order.get(name, len(order)), name))
    return tuple(
        FieldChange(field=name, old=audit_value(before.get(name)), new=audit_value(after.get(name)))
        for name in names
        if before.get(name) != after.get(name)
    )
