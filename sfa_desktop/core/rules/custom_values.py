"""The one rule for custom values: the desktop runs it as the user types and saves, the
server on every push, so a value refused online is refused offline with the same words.

Values are JSON: text kinds are strings, a number is a number, a currency amount is an
integer in minor units, a date is `YYYY-MM-DD`, a checkbox true/false, a multi-picklist a
list of its choices (in the definition's order). An empty value is `None`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from sfa_desktop.core.entities.base import Customisable, Record, _check_email, _check_phone
from sfa_desktop.core.entities.fields import FieldDefinition
from sfa_desktop.core.enums import FieldType, Role
from sfa_desktop.core.errors import InvalidRecord

R = TypeVar("R", bound=Record)
MAX_TEXT = 255
MAX_LONG_TEXT = 20_000
MULTI_SEPARATOR = ";"
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_TRUE = {"yes", "y", "true", "1", "x", "on", "ja", "oui", "si", "sí"}
_FALSE = {"no", "n", "false", "0", "off", "nein", "non"}


@dataclass(frozen=True)
class CustomCheck:
    """What checking a write's custom values found: normalised values and the messages."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def check_custom(
    definitions: Iterable[FieldDefinition],
    changes: Mapping[str, Any],
    *,
    before: Mapping[str, Any] | None,
    role: Role | None,
    ask_missing: bool = False,
    created_at: datetime | None = None,
) -> CustomCheck:
    """Check the custom values a write sets (`changes`, by `cf_` key) on a record whose
    values were `before` (None: a new record).

    A new record must fill its required fields (a read-only-for-rep one only when someone
    other than a rep writes; not one made, at `created_at`, before the field became
    required: a device offline meanwhile still uploads it); an edit may not clear one, and
    a form saving an old record (`ask_missing`) must fill those still empty. A rep may not
    change a field that is read-only for reps. Retired fields keep whatever is written to
    them (an offline device may still send one): their values are only checked for their
    kind.
    """
    by_key = {d.key: d for d in definitions}
    old_values = before or {}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, raw in changes.items():
        definition = by_key.get(key)
        if definition is None:
            errors[key] = f"{key} is not a field of this record"
            continue
        old = old_values.get(key)
        try:
            value = check_value(definition, raw, keep=old)
        except ValueError as exc:
            errors[key] = str(exc)
            continue
        values[key] = value
        unchanged = value == (old if before is not None else definition.default)
        if definition.retired or unchanged:
            continue
        if definition.read_only_for_rep and role is Role.REP:
            errors[key] = f"{definition.label} is read-only for reps"
        elif value is None and definition.required:
            errors[key] = f"{definition.label} is required"
    if before is None or ask_missing:
        for definition in by_key.values():
            if not definition.required or definition.retired or definition.key in errors:
                continue
            if definition.read_only_for_rep and role is Role.REP:
                continue
            since = definition.required_since
            if not ask_missing and created_at and since and created_at < since:
                continue
            value = values.get(definition.key, old_values.get(definition.key))
            if value is None:
                errors[definition.key] = f"{definition.label} is required"
    return CustomCheck(values, errors)


def check_record(
    definitions: Sequence[FieldDefinition],
    before: Record | None,
    after: R,
    role: Role | None,
    *,
    ask_missing: bool = False,
) -> R:
    """`after` (a write of a record that was `before`, None when new) with its custom
    values checked and normalised; raises InvalidRecord with one message per field.
    The desktop's store and the server's push both call this."""
    if not isinstance(after, Customisable):
        return after
    new = after.custom_values()
    if before is None:
        if not new and not definitions:
            return after
        old = None
        changes = with_defaults(definitions, new)
    else:
        assert isinstance(before, Customisable)
        old = before.custom_values()
        extra = after.__pydantic_extra__ or {}
        changes = {key: value for key, value in extra.items() if old.get(key) != value}
        if not changes and not ask_missing:
            return after
    result = check_custom(
        definitions,
        changes,
        before=old,
        role=role,
        ask_missing=ask_missing,
        created_at=after.created_at,
    )
    if result.errors:
        raise InvalidRecord(after.entity_name(), result.errors)
    normalised = {key: value for key, value in result.values.items() if new.get(key) != value}
    return after.with_changes(normalised) if normalised else after


def with_defaults(
    definitions: Iterable[FieldDefinition], values: Mapping[str, Any]
) -> dict[str, Any]:
    """A new record's custom values with each live field's default where none was given."""
    filled = dict(values)
    for definition in definitions:
        if definition.retired or definition.default is None:
            continue
        if filled.get(definition.key) is None:
            filled[definition.key] = definition.default
    return filled


def check_value(definition: FieldDefinition, value: Any, *, keep: Any = None) -> Any:
    """`value` normalised for `definition`, or ValueError with a message for the user.
    `keep` is the value stored before: a retired choice it holds stays acceptable."""
    if value is None or value == "" or value == []:
        return None
    kind = definition.field_type
    label = definition.label
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT, FieldType.URL):
        text = _text(label, value)
        limit = MAX_TEXT if kind is not FieldType.LONG_TEXT else MAX_LONG_TEXT
        if len(text) > limit:
            raise ValueError(f"{label} is too long (at most {limit} characters)")
        if kind is FieldType.URL and not _URL.match(text):
            raise ValueError(f"{label} must be a web address starting with http:// or https://")
        return text or None
    if kind is FieldType.EMAIL:
        try:
            return _check_email(_text(label, value))
        except ValueError:
            raise ValueError(f"{label} must be an email address") from None
    if kind is FieldType.PHONE:
        try:
            return _check_phone(_text(label, value))
        except ValueError:
            message = f"{label} must be a phone number (digits, spaces, + ( ) . / -)"
            raise ValueError(message) from None
    if kind is FieldType.NUMBER:
        number = _number(label, value)
        _check_range(definition, number)
        return number
    if kind is FieldType.CURRENCY:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{label} must be an amount in cents (a whole number)")
        if abs(value) > 10**15:
            raise ValueError(f"{label} is too large")
        _check_range(definition, value / 100)
        return value
    if kind is FieldType.DATE:
        try:
            return date.fromisoformat(_text(label, value)).isoformat()
        except ValueError:
            raise ValueError(f"{label} must be a date (YYYY-MM-DD)") from None
    if kind is FieldType.CHECKBOX:
        if not isinstance(value, bool):
            raise ValueError(f"{label} must be yes or no")
        return value
    if kind is FieldType.PICKLIST:
        return _choice(definition, _text(label, value), _kept(keep))
    if not isinstance(value, list | tuple):
        raise ValueError(f"{label} must be a list of choices")
    picked = {_choice(definition, _text(label, item), _kept(keep)) for item in value}
    ordered = [choice for choice in definition.choices if choice in picked]
    return ordered or None


def parse_text(definition: FieldDefinition, text: str) -> Any:
    """A value typed or imported as text, in the JSON shape of its kind (not yet checked
    against the definition's limits: pass the result to `check_value`)."""
    text = text.strip()
    if not text:
        return None
    kind = definition.field_type
    label = definition.label
    if kind is FieldType.NUMBER:
        number = _decimal(label, text)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind is FieldType.CURRENCY:
        return int((_decimal(label, text) * 100).to_integral_value())
    if kind is FieldType.CHECKBOX:
        word = text.casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueError(f"{label} must be yes or no")
    if kind is FieldType.MULTI_PICKLIST:
        return [part.strip() for part in text.split(MULTI_SEPARATOR) if part.strip()]
    return text


def display_text(definition: FieldDefinition, value: Any) -> str:
    """A value as a person reads it (and as `parse_text` reads it back)."""
    if value is None:
        return ""
    kind = definition.field_type
    if kind is FieldType.CURRENCY and isinstance(value, int):
        return str(_money(value))
    if kind is FieldType.CHECKBOX:
        return "Yes" if value else "No"
    if kind is FieldType.MULTI_PICKLIST and isinstance(value, list | tuple):
        return f"{MULTI_SEPARATOR} ".join(str(item) for item in value)
    if kind is FieldType.NUMBER and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def convert(value: Any, old: FieldDefinition, new: FieldDefinition) -> Any:
    """A stored value carried over to a changed definition (through its text), or
    ValueError when it cannot survive the change."""
    return check_value(new, parse_text(new, display_text(old, value)))


def _text(label: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{label} must be text")
    return value.strip()


def _number(label: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{label} must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{label} must be a number")
    return value


def _decimal(label: str, text: str) -> Decimal:
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # 12,5 as written in much of Europe
    else:
        cleaned = cleaned.replace(",", "")  # 1,234.50
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{label} must be a number") from None
    if not number.is_finite():
        raise ValueError(f"{label} must be a number")
    return number


def _money(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(Decimal("0.01"))


def _check_range(definition: FieldDefinition, number: float) -> None:
    if definition.minimum is not None and number < definition.minimum:
        raise ValueError(f"{definition.label} must be at least {_bound(definition.minimum)}")
    if definition.maximum is not None and number > definition.maximum:
        raise ValueError(f"{definition.label} must be at most {_bound(definition.maximum)}")


def _bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _kept(keep: Any) -> set[str]:
    if isinstance(keep, str):
        return {keep}
    if isinstance(keep, list | tuple):
        return {item for item in keep if isinstance(item, str)}
    return set()


def _choice(definition: FieldDefinition, text: str, kept: set[str]) -> str:
    """The canonical spelling of a choice (matched regardless of case)."""
    folded = text.casefold()
    for choice in definition.choices:
        if choice.casefold() == folded and (
            choice not in definition.retired_choices or choice in kept
        ):
            return choice
    allowed = ", ".join(definition.active_choices)
    raise ValueError(f"{definition.label} must be one of: {allowed}")
