"""One source row through a mapping: field values parsed and normalized, then checked by
the record's own model, with a message per field for everything that is wrong."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sfa_desktop.core.entities import MODELS, FieldDefinition
from sfa_desktop.core.enums import EntityKind, LeadStatus
from sfa_desktop.core.enums import FieldType as CustomType
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.core.rules.custom_values import check_value, parse_text
from sfa_desktop.core.rules.normalize import fold, web_domain
from sfa_desktop.interchange.fields import FieldType, TargetField, target
from sfa_desktop.interchange.issues import Issue
from sfa_desktop.interchange.mapping import ColumnMapping
from sfa_desktop.interchange.names import split_full_name
from sfa_desktop.interchange.source import SourceRow
from sfa_desktop.interchange.values import (
    ValueFormat,
    clean_text,
    parse_bool,
    parse_date,
    parse_email,
    parse_money,
    parse_phone,
)

_PHONES = frozenset({"phone", "mobile"})
# Google's CSV puts the values of one label in one cell: "a@x.example ::: b@y.example".
MULTI_VALUE = " ::: "
_SPLIT_TYPES = frozenset({FieldType.EMAIL, FieldType.PHONE, FieldType.WEB})
_EXCHANGE = re.compile(r"^/o=[^/]+/", re.IGNORECASE)  # an X.500 address of Exchange
_MOBILE_WORDS = ("mobile", "cell", "handy", "mobil", "portable", "iphone")
_GRADES = frozenset("ABCDEFG")
_ACCOUNT_PARTS = ("account_street", "account_city", "account_postal_code", "account_country")


@dataclass(frozen=True)
class AccountRef:
    """The account a contact row names: to be found by name or domain, or created."""

    name: str
    domain: str | None = None
    email_domain: str | None = None  # the company domain of the contact's email address
    street: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""

    @property
    def address(self) -> tuple[str, ...]:
        return (self.street, self.city, self.postal_code, self.country)

    def account_fields(self) -> dict[str, Any]:
        """The fields of the account a row creates."""
        return {
            "name": self.name,
            "domain": self.domain or self.email_domain or "",
            "street": self.street,
            "city": self.city,
            "postal_code": self.postal_code,
            "country": self.country,
        }


@dataclass(frozen=True)
class Candidate:
    """A row as record fields, with what is wrong with it."""

    fields: dict[str, Any]
    issues: tuple[Issue, ...]
    account: AccountRef | None = None
    emails: tuple[str, ...] = ()  # every address of the row (duplicate matching)
    phones: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(issue.is_error for issue in self.issues)


@lru_cache(maxsize=16)
def _plan(mapping: ColumnMapping) -> tuple[tuple[int, str, int | None], ...]:
    """(column, field key, label column for phones routed by label) of the mapped columns."""
    routed = mapping.kind is EntityKind.CONTACT
    return tuple(
        (column, key, mapping.label_column(column) if routed and key in _PHONES else None)
        for column, key in enumerate(mapping.targets)
        if key is not None
    )


def _gather(row: SourceRow, mapping: ColumnMapping) -> dict[str, list[str]]:
    """Field key → the non-empty values of its columns, in column order (phones by label;
    a cell of several values joined by " ::: " gives each)."""
    gathered: dict[str, list[str]] = defaultdict(list)
    values = row.values
    for column, key, label_column in _plan(mapping):
        if column >= len(values) or not values[column]:
            continue
        value = clean_text(values[column])
        if not value:
            continue
        if label_column is not None:
            label = values[label_column].casefold() if label_column < len(values) else ""
            key = "mobile" if any(word in label for word in _MOBILE_WORDS) else "phone"
        spec = target(mapping.kind, key)
        if spec is not None and spec.type in _SPLIT_TYPES and MULTI_VALUE in value:
            gathered[key].extend(part.strip() for part in value.split(MULTI_VALUE) if part.strip())
        else:
            gathered[key].append(value)
    return gathered


def _parse(spec: TargetField, text: str, fmt: ValueFormat, issues: list[Issue]) -> tuple[bool, Any]:
    """(usable, value) of one field; problems are added to `issues`."""
    try:
        if spec.type is FieldType.EMAIL:
            if _EXCHANGE.match(text.strip()):
                issues.append(
                    Issue.warning(
                        "an Exchange (X.500) address is not an email address; left out",
                        spec.key,
                    )
                )
                return False, None
            return True, parse_email(text)
        if spec.type is FieldType.PHONE:
            number, warning = parse_phone(text, fmt)
            if warning:
                issues.append(Issue.warning(warning, spec.key))
            return True, number
        if spec.type is FieldType.WEB:
            domain = web_domain(text)
            if domain is None:
                issues.append(Issue.warning(f"{text!r} is not a web address; left out", spec.key))
                return False, None
            return True, domain
        if spec.type is FieldType.BOOL:
            return True, parse_bool(text)
        if spec.type is FieldType.MONEY:
            return True, parse_money(text, fmt)
        if spec.type is FieldType.CHOICE:
            choice = spec.choices.get(fold(text))
            if choice is None:
                allowed = ", ".join(sorted(set(spec.choices.values())))
                raise ValueError(f"{text!r} is not one of {allowed}")
            return True, choice
        if spec.type is FieldType.GRADE:
            grade = text.strip().upper()
            if grade not in _GRADES:
                raise ValueError(f"{text!r} is not a grade (A to G)")
            return True, grade
        if spec.type is FieldType.CUSTOM and spec.custom is not None:
            return True, _custom_value(spec.custom, text, fmt)
        if spec.type is FieldType.CURRENCY:
            code = text.strip().upper()
            if len(code) != 3 or not code.isalpha():
                raise ValueError(f"{text!r} is not a currency code such as EUR")
            return True, code
    except ValueError as error:
        issues.append(Issue(str(error), spec.key))
        return False, None
    return True, text


def _custom_value(definition: FieldDefinition, text: str, fmt: ValueFormat) -> Any:
    """A custom field's value from a cell, checked by the rule the app and server share;
    dates and amounts are read in the file's format like built-in ones."""
    kind = definition.field_type
    if kind is CustomType.DATE:
        return check_value(definition, parse_date(text, fmt).isoformat())
    if kind is CustomType.CURRENCY:
        return check_value(definition, parse_money(text, fmt))
    if kind is CustomType.CHECKBOX:
        return check_value(definition, parse_bool(text))
    return check_value(definition, parse_text(definition, text))


def _names(values: dict[str, Any], kind: EntityKind, issues: list[Issue]) -> None:
    """First and last name from a full name when they are missing; one name is a last name."""
    full = values.pop("full_name", "")
    if full and not values.get("first_name") and not values.get("last_name"):
        values["first_name"], values["last_name"] = split_full_name(full)
    elif full and not values.get("last_name"):
        values["last_name"] = split_full_name(full)[1]
    if kind is EntityKind.CONTACT and values.get("first_name") and not values.get("last_name"):
        values["last_name"], values["first_name"] = values["first_name"], ""
        issues.append(Issue.warning("only one name: it is used as the last name", "last_name"))


def _account_ref(values: dict[str, Any]) -> AccountRef | None:
    name = str(values.pop("company", "") or "")
    domain = values.pop("website", None)
    parts = {key: str(values.pop(key, "") or "") for key in _ACCOUNT_PARTS}
    email = values.get("email")
    email_domain = web_domain(email) if isinstance(email, str) else None
    if not name and not domain and not email_domain:
        return None
    return AccountRef(
        name=name,
        domain=domain,
        email_domain=email_domain,
        street=parts["account_street"],
        city=parts["account_city"],
        postal_code=parts["account_postal_code"],
        country=parts["account_country"],
    )


def _lead_rules(values: dict[str, Any]) -> None:
    if values.get("status") == LeadStatus.DISQUALIFIED and not values.get("disqualify_reason"):
        values["disqualify_reason"] = "Disqualified before the import"


def convert_row(row: SourceRow, mapping: ColumnMapping, fmt: ValueFormat) -> Candidate:
    """The record fields of `row` and every problem found, the record's own checks included."""
    issues = list(row.issues)
    values: dict[str, Any] = {}
    emails: list[str] = []
    phones: list[str] = []
    kind = mapping.kind
    others: dict[str, list[Any]] = {}  # values past the first of an email, phone or web field
    for key, texts in _gather(row, mapping).items():
        spec = target(kind, key)
        if spec is None:
            continue
        separator = mapping.join_for(key)
        if separator is not None:
            texts = [separator.join(texts)]
        parsed: list[Any] = []
        for text in texts:
            # Only the value kept is checked strictly; other ones only feed matching. A
            # value left out with a warning (an Exchange address) lets the next one in.
            found: list[Issue] = []
            usable, value = _parse(spec, text, fmt, found)
            if not parsed:
                issues.extend(found)
                if not usable and any(issue.is_error for issue in found):
                    break
            if usable and value not in parsed:
                parsed.append(value)
        if not parsed:
            continue
        values[key] = parsed[0]
        if spec.type in _SPLIT_TYPES:
            others[key] = parsed[1:]
        if spec.type is FieldType.EMAIL:
            emails.extend(parsed)
        elif spec.type is FieldType.PHONE:
            phones.extend(parsed)
    _place_others(kind, values, others, issues)
    if kind in (EntityKind.CONTACT, EntityKind.LEAD):
        _names(values, kind, issues)
    account = _account_ref(values) if kind is EntityKind.CONTACT else None
    if kind is EntityKind.LEAD:
        _lead_rules(values)
    fields = {k: v for k, v in values.items() if not _is_virtual(kind, k)}
    issues.extend(_model_issues(kind, fields, {i.field for i in issues if i.is_error}))
    return Candidate(fields, tuple(issues), account, tuple(emails), tuple(phones))


def _place_others(
    kind: EntityKind, values: dict[str, Any], others: dict[str, list[Any]], issues: list[Issue]
) -> None:
    """A second phone number goes to the other phone field when that one is empty; what
    still has no place is named in a warning (a contact keeps one email address)."""
    for key, rest in others.items():
        spec = target(kind, key)
        assert spec is not None
        other = (
            {"phone": "mobile", "mobile": "phone"}.get(key) if kind is EntityKind.CONTACT else None
        )
        left = []
        for value in rest:
            if other is not None and other not in values and other not in others:
                values[other] = value
                label = target(kind, other).label.lower()  # type: ignore[union-attr]
                issues.append(
                    Issue.warning(f"{value!r} put in {label} (one number per field)", other)
                )
            else:
                left.append(value)
        if left:
            shown = ", ".join(str(value) for value in left)
            issues.append(Issue.warning(f"more {spec.label.lower()} values left out: {shown}", key))


def _is_virtual(kind: EntityKind, key: str) -> bool:
    spec = target(kind, key)
    return spec is not None and spec.virtual


def _model_issues(kind: EntityKind, fields: dict[str, Any], known: set[str]) -> list[Issue]:
    """The record's own validation, one issue per field not already reported."""
    try:
        MODELS[kind].parse(fields)
    except InvalidRecord as error:
        return [
            Issue(message, "" if name == "record" else name)
            for name, message in error.errors.items()
            if name not in known
        ]
    return []
