"""The lines of the duplicate comparison: which record fields each shows and how a
record's value reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from sfa_desktop.core.entities import Account, Contact, FieldDefinition
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.custom_values import display_text
from sfa_desktop.operations.duplicates import Candidate
from sfa_desktop.ui.common.format import day, label, money, yes

Text = Callable[[Candidate, Mapping[str, str]], str]


@dataclass(frozen=True)
class Row:
    """A line of the comparison: the record fields it shows (none for facts that are not
    picked, such as the owner) and how a record's value reads."""

    label: str
    fields: tuple[str, ...]
    text: Text

    @property
    def pickable(self) -> bool:
        return bool(self.fields)


def _field(name: str) -> Text:
    def text(candidate: Candidate, _: Mapping[str, str]) -> str:
        value = getattr(candidate.record, name)
        return label(value) if isinstance(value, Enum) else str(value or "")

    return text


def _account(name: str) -> Text:
    def text(candidate: Candidate, names: Mapping[str, str]) -> str:
        account_id = getattr(candidate.record, name)
        return names.get(account_id, "(not on this device)") if account_id else ""

    return text


def _contact_name(candidate: Candidate, _: Mapping[str, str]) -> str:
    record = candidate.record
    return record.full_name if isinstance(record, Contact) else ""


def _blocked(candidate: Candidate, _: Mapping[str, str]) -> str:
    record = candidate.record
    if not isinstance(record, Contact):
        return ""
    return ", ".join(label(channel) for channel in sorted(record.blocked_channels()))


def _address(candidate: Candidate, _: Mapping[str, str]) -> str:
    record = candidate.record
    if not isinstance(record, Account):
        return ""
    town = " ".join(part for part in (record.postal_code, record.city) if part)
    return ", ".join(part for part in (record.street, town, record.country) if part)


def _location(candidate: Candidate, _: Mapping[str, str]) -> str:
    """Where the visit planner puts the account: "48.1370, 11.5750 (pinned)", or ""."""
    record = candidate.record
    latitude, longitude = getattr(record, "latitude", None), getattr(record, "longitude", None)
    if latitude is None or longitude is None:
        return ""
    how = getattr(record, "located_by", None)
    how_text = label(how) if isinstance(how, Enum) else str(how or "")
    return f"{latitude:.4f}, {longitude:.4f}" + (f" ({how_text})" if how_text else "")


def _potential(candidate: Candidate, _: Mapping[str, str]) -> str:
    record = candidate.record
    if not isinstance(record, Account) or not record.potential_revenue:
        return ""
    return money(record.potential_revenue, record.currency)


def _partner(candidate: Candidate, _: Mapping[str, str]) -> str:
    record = candidate.record
    return yes(record.is_partner) if isinstance(record, Account) else ""


def _revenue(candidate: Candidate, _: Mapping[str, str]) -> str:
    record = candidate.record
    if not isinstance(record, Account) or not record.revenue_history:
        return ""
    years = sorted(entry.year for entry in record.revenue_history)
    return f"{len(years)} year{'s' * (len(years) != 1)} ({years[0]}–{years[-1]}), merged by year"


def _owner(candidate: Candidate, _: Mapping[str, str]) -> str:
    return candidate.owner


def _created(candidate: Candidate, _: Mapping[str, str]) -> str:
    return day(candidate.record.created_at.astimezone().date())


def _count(name: str) -> Text:
    def text(candidate: Candidate, _: Mapping[str, str]) -> str:
        return str(dict(candidate.related).get(name, 0))

    return text


ROWS: dict[EntityKind, tuple[Row, ...]] = {
    EntityKind.CONTACT: (
        Row("Name", ("first_name", "last_name"), _contact_name),
        Row("Account", ("account_id",), _account("account_id")),
        Row("Title", ("title",), _field("title")),
        Row("Buying role", ("buying_role",), _field("buying_role")),
        Row("Email", ("email",), _field("email")),
        Row("Phone", ("phone",), _field("phone")),
        Row("Mobile", ("mobile",), _field("mobile")),
        Row("Preferred channel", ("preferred_channel",), _field("preferred_channel")),
        Row("Do not contact by", ("do_not_call", "do_not_email", "do_not_mail"), _blocked),
        Row("Notes", ("notes",), _field("notes")),
    ),
    EntityKind.ACCOUNT: (
        Row("Name", ("name",), _field("name")),
        Row("Web domain", ("domain",), _field("domain")),
        Row("Phone", ("phone",), _field("phone")),
        Row("Address", ("street", "postal_code", "city", "country"), _address),
        Row("Location", ("latitude", "longitude", "located_by"), _location),
        Row("Industry", ("industry",), _field("industry")),
        Row("Segment", ("segment",), _field("segment")),
        Row("Grade", ("grade",), _field("grade")),
        Row("Parent account", ("parent_id",), _account("parent_id")),
        Row("Potential revenue", ("potential_revenue", "currency"), _potential),
        Row("Orientation", ("orientation",), _field("orientation")),
        Row("Partner", ("is_partner",), _partner),
        Row("Notes", ("notes",), _field("notes")),
        Row("Revenue history", (), _revenue),
    ),
}
FACTS = (Row("Owner", (), _owner), Row("Created", (), _created))
ALWAYS_SHOWN = frozenset({"Name", "Owner", "Created"})


def custom_rows(definitions: Iterable[FieldDefinition]) -> list[Row]:
    """A pickable line per admin's custom field (a retired one shows while a record
    still holds a value: the merge keeps it)."""

    def row(definition: FieldDefinition) -> Row:
        def text(candidate: Candidate, _: Mapping[str, str]) -> str:
            return display_text(definition, candidate.fields().get(definition.key))

        label = definition.label + (" (retired)" if definition.retired else "")
        return Row(label, (definition.key,), text)

    return [row(definition) for definition in definitions]


def count_row(name: str) -> Row:
    return Row(name, (), _count(name))
