"""An admin's changes to custom fields: add, rename, edit, retire, choices, type change.

Definitions are records (entity `field_definition`) saved through the one write path, so
each change gets a version and reaches every device of the organisation at its next pull.
No change loses a value: retiring hides a field, a type change that some value cannot
survive is refused with the count and examples.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS, FieldChange, FieldDefinition, new_id
from sfa_desktop.core.enums import CUSTOMISABLE, AuditAction, EntityKind, FieldType
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.core.rules.custom_values import check_value, convert, parse_text
from sync_server.errors import BadRequestError, ConflictError, NotFoundError
from sync_server.models import Org, Record
from sync_server.services.audit import write_audit
from sync_server.services.custom_fields import definitions, forget_definitions
from sync_server.services.records import lock_versions, save

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class FieldSpec:
    """What `add-field` and `edit-field` were asked (None: not given)."""

    label: str | None = None
    field_type: FieldType | None = None
    required: bool | None = None
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    default: str | None = None
    read_only_for_rep: bool | None = None
    position: int | None = None


def key_for(label: str) -> str:
    """The stable key of a new field: `cf_` and its label in lower-case ASCII words."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:37] or "field"
    return f"cf_{'f' + slug if slug[0].isdigit() else slug}"


def add_field(
    session: Session, org: Org, kind: EntityKind, spec: FieldSpec, now: datetime
) -> FieldDefinition:
    existing = definitions(session, org.id, kind)
    if spec.label is None or spec.field_type is None:
        raise BadRequestError("a new field needs a name and a type")
    key = key_for(spec.label)
    taken = {d.key: d for d in existing}
    if key in taken:
        state = " (retired: restore it with restore-field)" if taken[key].retired else ""
        raise ConflictError(f"{kind.value} already has a field {taken[key].label!r}{state}")
    position = spec.position
    if position is None:
        position = max((d.position for d in existing), default=0) + 10
    data: dict[str, Any] = {
        "id": new_id(),
        "owner_id": org.id,
        "for_entity": kind,
        "key": key,
        "label": spec.label,
        "field_type": spec.field_type,
        "required": bool(spec.required),
        "required_since": now if spec.required else None,
        "choices": spec.choices or (),
        "minimum": spec.minimum,
        "maximum": spec.maximum,
        "read_only_for_rep": bool(spec.read_only_for_rep),
        "position": position,
    }
    definition = _definition(data)
    if spec.default is not None:
        definition = _definition({**data, "default": _default(definition, spec.default)})
    return _store(session, org, definition, now)


def edit_field(
    session: Session, org: Org, kind: EntityKind, name: str, spec: FieldSpec, now: datetime
) -> FieldDefinition:
    """Change a field's label, rules, order or default (not its type: see change_type)."""
    current = find_field(session, org, kind, name)
    changes: dict[str, Any] = {}
    if spec.label is not None:
        changes["label"] = spec.label
    if spec.required is not None and spec.required != current.required:
        changes["required"] = spec.required
        changes["required_since"] = now if spec.required else None
    for name_, value in (
        ("minimum", spec.minimum),
        ("maximum", spec.maximum),
        ("read_only_for_rep", spec.read_only_for_rep),
        ("position", spec.position),
    ):
        if value is not None:
            changes[name_] = value
    if spec.default is not None:
        changes["default"] = _default(current, spec.default) if spec.default else None
    if not changes:
        raise BadRequestError("nothing to change: give a new label, rule, order or default")
    return _store(session, org, _definition({**current.model_dump(), **changes}), now)


def set_retired(
    session: Session, org: Org, kind: EntityKind, name: str, retired: bool, now: datetime
) -> FieldDefinition:
    """Retire (hide, values kept) or restore a field."""
    current = find_field(session, org, kind, name)
    if current.retired == retired:
        raise BadRequestError(f"{current.label} is {'already' if retired else 'not'} retired")
    return _store(session, org, _definition({**current.model_dump(), "retired": retired}), now)


def add_choice(
    session: Session, org: Org, kind: EntityKind, name: str, choice: str, now: datetime
) -> FieldDefinition:
    """Offer a new choice (or bring a retired one back)."""
    current = find_field(session, org, kind, name)
    data = current.model_dump()
    if choice in current.retired_choices:
        data["retired_choices"] = tuple(c for c in current.retired_choices if c != choice)
    else:
        data["choices"] = (*current.choices, choice)
    return _store(session, org, _definition(data), now)


def retire_choice(
    session: Session, org: Org, kind: EntityKind, name: str, choice: str, now: datetime
) -> FieldDefinition:
    """Stop offering a choice; records that hold it keep it."""
    current = find_field(session, org, kind, name)
    if choice not in current.active_choices:
        raise BadRequestError(f"{current.label} has no choice {choice!r} to retire")
    data = {**current.model_dump(), "retired_choices": (*current.retired_choices, choice)}
    return _store(session, org, _definition(data), now)


def change_type(
    session: Session,
    org: Org,
    kind: EntityKind,
    name: str,
    new_type: FieldType,
    choices: tuple[str, ...] | None,
    now: datetime,
) -> tuple[FieldDefinition, int]:
    """Give a field another type, converting every stored value, or refuse with how many
    values cannot be converted and a few of them. Returns the definition and the number
    of records converted (each saved and audited like an edit)."""
    current = find_field(session, org, kind, name)
    data = current.model_dump()
    data["field_type"] = new_type
    picks = new_type in (FieldType.PICKLIST, FieldType.MULTI_PICKLIST)
    data["choices"] = choices if choices is not None else (current.choices if picks else ())
    data["retired_choices"] = tuple(c for c in current.retired_choices if c in data["choices"])
    data["default"] = None
    new = _definition(data)
    if current.default is not None:
        # a default that does not survive the change is dropped
        with contextlib.suppress(ValueError):
            new = _definition({**data, "default": convert(current.default, current, new)})
    rows = _rows_with_value(session, org, kind, current.key)
    converted: list[tuple[Record, Any]] = []
    failures: list[str] = []
    for row in rows:
        value = row.data[current.key]
        try:
            converted.append((row, convert(value, current, new)))
        except ValueError:
            failures.append(f"{value!r} ({kind.value} {row.id})")
    if failures:
        examples = "; ".join(failures[:MAX_EXAMPLES])
        raise ConflictError(
            f"{len(failures)} of {len(rows)} values of {current.label} cannot become "
            f"{new_type.value}, e.g. {examples}; change or clear them first"
        )
    lock_versions(session)
    for row, value in converted:
        old = row.data[current.key]
        if value == old:
            continue
        record = MODELS[kind].parse({**row.data, current.key: value, "version": row.version})
        save(session, org.id, record, actor=None, now=now, deleted=row.deleted)
        write_audit(
            session,
            org_id=org.id,
            record=row,
            action=AuditAction.UPDATED,
            actor_id=None,
            device_id=None,
            changes=(FieldChange(field=current.key, old=old, new=value),),
            note=f"{current.label} became {new_type.value}",
            now=now,
        )
    stored = _store(session, org, new, now)
    return stored, len(converted)


def find_field(session: Session, org: Org, kind: EntityKind, name: str) -> FieldDefinition:
    """A field of `kind` by its key or its label (any case)."""
    folded = name.strip().casefold()
    for definition in definitions(session, org.id, kind):
        if definition.key == name or definition.label.casefold() == folded:
            return definition
    raise NotFoundError(f"{kind.value} has no field {name!r} (see list-fields)")


def all_fields(session: Session, org: Org, kind: EntityKind | None) -> list[FieldDefinition]:
    """The organisation's fields of `kind` (or of every kind), retired ones too."""
    kinds = [kind] if kind else sorted(CUSTOMISABLE, key=lambda k: k.value)
    return [d for each in kinds for d in definitions(session, org.id, each)]


def _rows_with_value(session: Session, org: Org, kind: EntityKind, key: str) -> list[Record]:
    return list(
        session.scalars(
            select(Record)
            .where(
                Record.org_id == org.id,
                Record.entity == kind.value,
                Record.data[key].as_string().is_not(None),
            )
            .order_by(Record.id)
        )
    )


def _default(definition: FieldDefinition, text: str) -> Any:
    try:
        return check_value(definition, parse_text(definition, text))
    except ValueError as exc:
        raise BadRequestError(f"default: {exc}") from None


def _definition(data: dict[str, Any]) -> FieldDefinition:
    try:
        return FieldDefinition.parse(data)
    except InvalidRecord as exc:
        raise BadRequestError("; ".join(exc.errors.values())) from None


def _store(
    session: Session, org: Org, definition: FieldDefinition, now: datetime
) -> FieldDefinition:
    lock_versions(session)
    version = save(session, org.id, definition, actor=None, now=now)
    session.commit()
    forget_definitions(session)
    return definition.model_copy(update={"version": version})
