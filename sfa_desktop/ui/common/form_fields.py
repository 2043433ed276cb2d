"""What each record's form asks for: the fields, their labels, widgets and choices (data
only: the form itself is record_form.RecordForm; open_form is in forms)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from sfa_desktop.core.entities import Account, Contact, Lead, Opportunity, Record, Task
from sfa_desktop.core.enums import (
    BuyingRole,
    Channel,
    EntityKind,
    LeadStatus,
    Orientation,
    Priority,
    Stage,
)
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.ui.common.format import label


@dataclass(frozen=True)
class Field:
    """One form field; `kind` picks the widget, `choices` are (label, value) pairs."""

    name: str
    label: str
    kind: str = (
        "text"  # text | optional | notes | choice | bool | int | money | date | moment | ref
    )
    choices: tuple[tuple[str, Any], ...] = ()
    ref: EntityKind | None = None
    maximum: int = 100_000


def _options(enum: type[Enum], optional: bool = False) -> tuple[tuple[str, Any], ...]:
    none: tuple[tuple[str, Any], ...] = (("—", None),) if optional else ()
    return none + tuple((label(member), member.value) for member in enum)


GRADES = (("—", None), *((grade, grade) for grade in "ABCDE"))
# The currencies a record may be in: the corporate default first (the rate sheet's own
# currencies are offered as well once synced: record_form adds any the record uses).
CURRENCIES = tuple(
    (code, code)
    for code in dict.fromkeys((DEFAULT_CORPORATE_CURRENCY, "EUR", "USD", "GBP", "CHF", "JPY"))
)

FORMS: dict[type[Record], list[Field]] = {
    Account: [
        Field("name", "Name"),
        Field("grade", "Grade", "choice", GRADES),
        Field("industry", "Industry"),
        Field("segment", "Segment"),
        Field("domain", "Website"),
        Field("parent_id", "Parent account", "ref", ref=EntityKind.ACCOUNT),
        Field("street", "Street"),
        Field("postal_code", "Postal code"),
        Field("city", "City"),
        Field("country", "Country"),
        Field("phone", "Phone", "optional"),
        Field("currency", "Currency", "choice", CURRENCIES),
        Field("potential_revenue", "Potential revenue", "money", maximum=10**12),
        Field("orientation", "Orientation", "choice", _options(Orientation)),
        Field("is_partner", "Partner", "bool"),
        Field("notes", "Notes", "notes"),
    ],
    Contact: [
        Field("first_name", "First name"),
        Field("last_name", "Last name"),
        Field("title", "Job title"),
        Field("account_id", "Account", "ref", ref=EntityKind.ACCOUNT),
        Field("buying_role", "Buying role", "choice", _options(BuyingRole, optional=True)),
        Field("email", "Email", "optional"),
        Field("phone", "Phone", "optional"),
        Field("mobile", "Mobile", "optional"),
        Field("preferred_channel", "Preferred channel", "choice", _options(Channel, True)),
        Field("do_not_call", "Do not call", "bool"),
        Field("do_not_email", "Do not email", "bool"),
        Field("do_not_mail", "Do not mail", "bool"),
        Field("notes", "Notes", "notes"),
    ],
    Task: [
        Field("title", "Title"),
        Field("due_date", "Due", "date"),
        Field("remind_at", "Remind me", "moment"),
        Field("priority", "Priority", "choice", _options(Priority)),
        Field("account_id", "Account", "ref", ref=EntityKind.ACCOUNT),
        Field("notes", "Notes", "notes"),
    ],
    Lead: [
        Field("first_name", "First name"),
        Field("last_name", "Last name"),
        Field("company", "Company"),
        Field("title", "Job title"),
        Field("email", "Email", "optional"),
        Field("phone", "Phone", "optional"),
        Field("source", "Source"),
        Field("campaign", "Campaign"),
        Field("status", "Status", "choice", _options(LeadStatus)),
        Field("disqualify_reason", "Disqualified because"),
        Field("notes", "Notes", "notes"),
    ],
    Opportunity: [
        Field("name", "Name"),
        Field("account_id", "Account", "ref", ref=EntityKind.ACCOUNT),
        Field("stage", "Stage", "choice", _options(Stage)),
        Field("amount", "Amount", "money", maximum=10**12),
        Field("currency", "Currency", "choice", CURRENCIES),
        Field("close_date", "Close date", "date"),
        Field("next_step", "Next step"),
        Field("competitor", "Competitor"),
    ],
}
