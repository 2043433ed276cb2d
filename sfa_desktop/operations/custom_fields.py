"""What the forms and lists need about the admins' custom fields (Qt-free)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sfa_desktop.core.entities import Customisable, FieldDefinition, Record
from sfa_desktop.core.enums import EntityKind, FieldType, Role
from sfa_desktop.core.rules.custom_values import display_text
from sfa_desktop.store import Store

# Kinds a list filters by a pick of values or by a from/to range.
PICK_FILTERS = frozenset({FieldType.PICKLIST, FieldType.MULTI_PICKLIST, FieldType.CHECKBOX})
RANGE_FILTERS = frozenset({FieldType.NUMBER, FieldType.CURRENCY, FieldType.DATE})
COLUMNS_STATE = "ui.columns.{kind}"


@dataclass(frozen=True)
class CustomFields:
    """The live custom fields of a kind (the admin's order) and whether the signed-in
    user is a rep (read-only-for-rep fields are then read-only)."""

    definitions: tuple[FieldDefinition, ...]
    rep: bool
    shown: tuple[str, ...] = ()  # the keys a list shows as columns (chosen by the user)

    def read_only(self, definition: FieldDefinition) -> bool:
        return self.rep and definition.read_only_for_rep


def custom_fields(store: Store, kind: EntityKind) -> CustomFields:
    """On the DB thread: the live definitions of `kind`, the user's role and shown columns."""
    definitions = tuple(store.field_definitions(kind))
    user_id = store.current_user_id()
    role = next((u.role for u in store.users() if u.id == user_id), None)
    shown = store.state(COLUMNS_STATE.format(kind=kind.value)) or ""
    return CustomFields(definitions, role == Role.REP, tuple(k for k in shown.split(",") if k))


def remember_columns(store: Store, kind: EntityKind, keys: list[str]) -> None:
    """Keep the custom columns a list shows (by key) on this device."""
    store.set_state(**{COLUMNS_STATE.format(kind=kind.value): ",".join(keys) or None})


def changed_values(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The custom values of `after` that differ from `before` (None clears one)."""
    return {key: value for key, value in after.items() if before.get(key) != value}


def shown_values(definitions: Sequence[FieldDefinition], record: Record) -> list[tuple[str, str]]:
    """(label, value as read) of a record's live custom fields that hold a value, in the
    admin's order: the rows a detail panel adds under its built-in ones."""
    values = record.custom_values() if isinstance(record, Customisable) else {}
    return [
        (d.label, display_text(d, values[d.key]))
        for d in definitions
        if not d.retired and values.get(d.key) is not None
    ]
