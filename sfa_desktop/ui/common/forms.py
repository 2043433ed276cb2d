"""The create/edit forms of each record type, and how a view opens them."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from PySide6.QtWidgets import QWidget

from sfa_desktop.app.context import AppContext
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
from sfa_desktop.operations.records import create_record, update_record
from sfa_desktop.ui.common.format import label
from sfa_desktop.ui.common.record_form import Field, RecordForm


def _options(enum: type[Enum], optional: bool = False) -> tuple[tuple[str, Any], ...]:
    none: tuple[tuple[str, Any], ...] = (("—", None),) if optional else ()
    return none + tuple((label(member), member.value) for member in enum)


GRADES = (("—", None), *((grade, grade) for grade in "ABCDE"))
CURRENCIES = tuple((code, code) for code in ("EUR", "USD", "GBP", "CHF"))

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


def _initial(record: Record | None, fields: list[Field], titles: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in fields:
        value = getattr(record, spec.name, None) if record else None
        if isinstance(value, Enum):
            value = value.value
        if spec.kind == "ref":
            value = (value, titles.get(spec.name, "")) if value else (None, "")
        values[spec.name] = value
    return values


def open_form(
    ctx: AppContext,
    model: type[Record],
    record: Record | None = None,
    *,
    parent: QWidget | None = None,
    preset: dict[str, Any] | None = None,
    titles: dict[str, str] | None = None,
    done: Callable[[Record], None] | None = None,
) -> RecordForm:
    """Show the create form (record None) or the edit form of `record`; return the dialog."""
    fields = FORMS[model]
    values = _initial(record, fields, titles or {})
    for name, value in (preset or {}).items():
        values[name] = value
    noun = model.entity_name().replace("_", " ")

    def submit(entered: dict[str, Any], form: RecordForm) -> None:
        def saved(value: Record) -> None:
            form.saved()
            if done is not None:
                done(value)

        if record is None:
            ctx.run_op(lambda s: create_record(s, model, entered), saved, form.show_error)
        else:
            record_id = record.id
            ctx.run_op(
                lambda s: update_record(s, model, record_id, entered), saved, form.show_error
            )

    title = f"New {noun}" if record is None else f"Edit {noun}"
    history = (model.entity, record.id) if record is not None else None
    form = RecordForm(ctx, title, fields, values, submit, parent, history=history)
    form.setModal(True)
    form.show()
    return form
