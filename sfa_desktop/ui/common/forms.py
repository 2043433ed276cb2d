"""The create/edit forms of each record type, and how a view opens them."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from PySide6.QtWidgets import QWidget

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Customisable, Record
from sfa_desktop.operations.records import create_record, update_record
from sfa_desktop.ui.common.form_fields import FORMS, Field
from sfa_desktop.ui.common.record_form import RecordForm


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
                lambda s: update_record(s, model, record_id, entered, from_form=True),
                saved,
                form.show_error,
            )

    title = f"New {noun}" if record is None else f"Edit {noun}"
    history = (model.entity, record.id) if record is not None else None
    custom = None
    if issubclass(model, Customisable):
        stored = record.custom_values() if isinstance(record, Customisable) else {}
        custom = (model.entity, stored, record is None)
    form = RecordForm(ctx, title, fields, values, submit, parent, history=history, custom=custom)
    form.setModal(True)
    form.show()
    return form
