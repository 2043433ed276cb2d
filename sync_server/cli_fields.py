"""`sfa-server admin …-field`: the custom-field commands (services.field_admin)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sfa_desktop.core.entities import FieldDefinition
from sfa_desktop.core.enums import CUSTOMISABLE, EntityKind, FieldType, Role
from sfa_desktop.core.rules.custom_values import display_text
from sync_server.errors import BadRequestError
from sync_server.services import field_admin
from sync_server.services.currency import org_for

COMMANDS = (
    "add-field",
    "edit-field",
    "list-fields",
    "rename-field",
    "retire-field",
    "restore-field",
    "add-choice",
    "retire-choice",
    "change-field-type",
)
_KINDS = sorted(kind.value for kind in CUSTOMISABLE)
_TYPES = [t.value for t in FieldType]


def add_commands(sub: Any) -> None:
    """Register the field commands on the `admin` sub-parsers."""
    org = ("--org", {"default": None, "help": "the organisation (needed when there are several)"})
    entity = ("--entity", {"required": True, "choices": _KINDS, "help": "the record kind"})
    field = ("--name", {"required": True, "help": "the field's name (label) or key"})
    rules: list[tuple[str, dict[str, Any]]] = [
        ("--min", {"type": float, "default": None, "help": "lowest number or amount"}),
        ("--max", {"type": float, "default": None, "help": "highest number or amount"}),
        ("--default", {"default": None, "help": "value a new record starts with"}),
        ("--position", {"type": int, "default": None, "help": "order in forms (lower first)"}),
        (
            "--read-only-for",
            {"choices": ["rep", "none"], "default": None, "help": "reps cannot change it"},
        ),
    ]

    def add(name: str, help_text: str, *args: tuple[str, dict[str, Any]]) -> None:
        parser = sub.add_parser(name, help=help_text)
        for flag, options in args:
            parser.add_argument(flag, **options)
        parser.set_defaults(admin_command=name)

    choices = ("--choices", {"default": None, "help": 'picklist choices: "A,B,C"'})
    add(
        "add-field",
        "add a custom field to a record kind (devices get it at their next sync)",
        entity,
        ("--name", {"required": True, "help": "the label people see"}),
        ("--type", {"required": True, "choices": _TYPES}),
        ("--required", {"action": "store_true", "help": "new records must fill it"}),
        choices,
        *rules,
        org,
    )
    add(
        "edit-field",
        "change a field's rules, order or default",
        entity,
        field,
        ("--required", {"choices": ["yes", "no"], "default": None}),
        *rules,
        org,
    )
    add(
        "list-fields",
        "list the custom fields",
        ("--entity", {"choices": _KINDS, "default": None}),
        org,
    )
    add(
        "rename-field",
        "give a field a new label (values stay)",
        entity,
        field,
        ("new_name", {}),
        org,
    )
    add("retire-field", "hide a field; its values stay in records and history", entity, field, org)
    add("restore-field", "show a retired field again", entity, field, org)
    add("add-choice", "offer a new picklist choice", entity, field, ("choice", {}), org)
    add(
        "retire-choice",
        "stop offering a choice (records keep it)",
        entity,
        field,
        ("choice", {}),
        org,
    )
    add(
        "change-field-type",
        "change a field's type, converting its values (refused if any cannot convert)",
        entity,
        field,
        ("--type", {"required": True, "choices": _TYPES}),
        choices,
        org,
    )


def run(session: Session, args: argparse.Namespace, now: datetime) -> None:
    """Run one field command and print what it did."""
    org = org_for(session, args.org)
    command = args.admin_command
    if command == "list-fields":
        kind = EntityKind(args.entity) if args.entity else None
        for definition in field_admin.all_fields(session, org, kind):
            print(describe(definition))
        return
    kind = EntityKind(args.entity)
    if command == "add-field":
        spec = _spec(args, label=args.name, field_type=FieldType(args.type))
        print(describe(field_admin.add_field(session, org, kind, spec, now)))
    elif command == "edit-field":
        print(describe(field_admin.edit_field(session, org, kind, args.name, _spec(args), now)))
    elif command == "rename-field":
        spec = field_admin.FieldSpec(label=args.new_name)
        print(describe(field_admin.edit_field(session, org, kind, args.name, spec, now)))
    elif command in ("retire-field", "restore-field"):
        retired = command == "retire-field"
        print(describe(field_admin.set_retired(session, org, kind, args.name, retired, now)))
    elif command == "add-choice":
        print(describe(field_admin.add_choice(session, org, kind, args.name, args.choice, now)))
    elif command == "retire-choice":
        changed = field_admin.retire_choice(session, org, kind, args.name, args.choice, now)
        print(describe(changed))
    elif command == "change-field-type":
        definition, count = field_admin.change_type(
            session, org, kind, args.name, FieldType(args.type), _choices(args.choices), now
        )
        print(describe(definition))
        print(f"{count} values converted")


def describe(d: FieldDefinition) -> str:
    """One line per field: kind, key, label, type and its rules."""
    rules = []
    if d.required:
        rules.append("required")
    if d.read_only_for_rep:
        rules.append("read-only for reps")
    if d.minimum is not None:
        rules.append(f"min {d.minimum:g}")
    if d.maximum is not None:
        rules.append(f"max {d.maximum:g}")
    if d.default is not None:
        rules.append(f"default {display_text(d, d.default)}")
    if d.choices:
        shown = [f"{c} (retired)" if c in d.retired_choices else c for c in d.choices]
        rules.append("choices " + ", ".join(shown))
    if d.retired:
        rules.append("RETIRED")
    tail = "; ".join(rules) or "-"
    return f"{d.for_entity.value}\t{d.key}\t{d.label}\t{d.field_type.value}\t{d.position}\t{tail}"


def _spec(args: argparse.Namespace, **given: Any) -> field_admin.FieldSpec:
    required = args.required
    if isinstance(required, str):
        required = required == "yes"
    elif required is False and "label" not in given:
        required = None
    read_only = None if args.read_only_for is None else args.read_only_for == Role.REP.value
    return field_admin.FieldSpec(
        required=required,
        choices=_choices(getattr(args, "choices", None)),
        minimum=args.min,
        maximum=args.max,
        default=args.default,
        read_only_for_rep=read_only,
        position=args.position,
        **given,
    )


def _choices(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    parts = tuple(part.strip() for part in text.split(",") if part.strip())
    if not parts:
        raise BadRequestError("--choices lists no choice")
    return parts
