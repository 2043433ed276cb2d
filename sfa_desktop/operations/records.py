"""Writes a view asks for, each returning an `OpResult` with its undo."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sfa_desktop.core.entities import Activity, Lead, Opportunity, Record, Task
from sfa_desktop.core.enums import LeadStatus
from sfa_desktop.operations.result import OpResult, Undo
from sfa_desktop.store import Changes, LeadConversion, Store
from sfa_desktop.sync.rates import corporate_currency

R = TypeVar("R", bound=Record)


def _label(model: type[Record]) -> str:
    return model.entity_name().replace("_", " ")


def _recreate(model: type[Record], record: Record) -> Undo:
    data = record.model_dump(exclude={"created_at", "updated_at", "version"})
    return Undo(f"delete {_label(model)}", (lambda s: s.create(model, data).changes,))


def _remove(model: type[Record], record_id: str, label: str) -> Undo:
    return Undo(label, (lambda s: s.delete(model, record_id),))


def create_record(store: Store, model: type[R], fields: dict[str, Any]) -> OpResult[R]:
    """Create a record; money without a currency is in the organisation's currency."""
    if "currency" in model.model_fields and not fields.get("currency"):
        fields = {**fields, "currency": corporate_currency(store)}
    saved = store.create(model, fields)
    undo = _remove(model, saved.value.id, f"new {_label(model)}")
    return OpResult(saved.value, saved.changes, undo)


def update_record(
    store: Store,
    model: type[R],
    record_id: str,
    changes: dict[str, Any],
    *,
    from_form: bool = False,
) -> OpResult[R]:
    """Apply field changes; the undo puts back the previous values of those fields.
    `from_form`: a person saved the record's form (required custom fields it still lacks
    are asked for)."""
    before = store.get(model, record_id)
    saved = store.update(model, record_id, changes, from_form=from_form)
    previous = {name: getattr(before, name, None) for name in changes}
    undo = Undo(f"edit {_label(model)}", (lambda s: s.update(model, record_id, previous).changes,))
    return OpResult(saved.value, saved.changes, undo)


def delete_record(store: Store, model: type[Record], record_id: str) -> OpResult[None]:
    """Delete a record; the undo creates it again with the same id and fields."""
    before = store.get(model, record_id)
    changes = store.delete(model, record_id)
    return OpResult(None, changes, _recreate(model, before))


def log_activity(store: Store, fields: dict[str, Any]) -> OpResult[Activity]:
    saved = store.log_activity(fields)
    return OpResult(saved.value, saved.changes, _remove(Activity, saved.value.id, "log activity"))


def complete_task(store: Store, task_id: str, done: bool = True) -> OpResult[Task]:
    before = store.get(Task, task_id)
    saved = store.complete_task(task_id, done)
    previous = {"done": before.done, "completed_at": before.completed_at}
    undo = Undo("complete task", (lambda s: s.update(Task, task_id, previous).changes,))
    return OpResult(saved.value, saved.changes, undo)


def set_lead_status(
    store: Store, lead_id: str, status: LeadStatus, reason: str = ""
) -> OpResult[Lead]:
    """Qualify or disqualify a lead (a disqualification needs a reason)."""
    changes: dict[str, Any] = {"status": status}
    if status is LeadStatus.DISQUALIFIED:
        changes["disqualify_reason"] = reason
    return update_record(store, Lead, lead_id, changes)


def convert_lead(
    store: Store, lead_id: str, opportunity_name: str, amount: int, close_date: date
) -> OpResult[LeadConversion]:
    """Convert a lead; the undo restores the lead and deletes what the conversion made."""
    before = store.get(Lead, lead_id)
    saved = store.convert_lead(
        lead_id, opportunity_name=opportunity_name or None, amount=amount, close_date=close_date
    )
    made = saved.value
    restore = {
        name: getattr(before, name)
        for name in (
            "status",
            "converted_account_id",
            "converted_contact_id",
            "converted_opportunity_id",
        )
    }

    def unconvert(s: Store) -> Changes:
        changes = s.update(Lead, lead_id, restore).changes
        changes |= s.delete(Opportunity, made.opportunity.id)
        changes |= s.delete(type(made.contact), made.contact.id)
        return changes | s.delete(type(made.account), made.account.id)

    return OpResult(made, saved.changes, Undo("convert lead", (unconvert,)))
