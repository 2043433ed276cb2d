"""A record's history on screen: when, who (and on which device), and what changed."""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import MODELS, REFERENCES, FieldChange
from sfa_desktop.core.enums import AuditAction, EntityKind
from sfa_desktop.operations.history import RecordHistory, load_history
from sfa_desktop.store import Changes
from sfa_desktop.store.history import HistoryEntry
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.form_fields import FORMS
from sfa_desktop.ui.common.format import day, label, moment, money, yes
from sfa_desktop.ui.common.list_model import Index, RecordListModel
from sfa_desktop.ui.common.widgets import caption, table

PENDING = "not yet synced"
ARROW = " → "
_MONEY = frozenset({"amount", "potential_revenue", "revenue_target", "commit", "best_case"})
_PERCENT = frozenset({"probability", "share_of_wallet_target"})
_SHORT = 60  # characters of a text value shown in the table (the tooltip has the rest)
# Labels the forms do not give (fields without a form row, or a better word for history).
_LABELS = {
    "owner_id": "Owner",
    "domain": "Website",
    "forecast_category": "Forecast category",
    "probability_overridden": "Probability set by hand",
    "category_overridden": "Category set by hand",
    "closed_at": "Closed",
    "completed_at": "Completed",
    "occurred_at": "When",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "contact_ids": "Contacts",
    "attendee_ids": "Attendees",
    "primary_contact_id": "Primary contact",
    "duration_minutes": "Duration (min)",
    "reminder_minutes": "Reminder (min before)",
}
_HEADS = {
    AuditAction.CREATED: "Created",
    AuditAction.DELETED: "Deleted",
    AuditAction.RESTORED: "Restored",
    AuditAction.MERGED: "Merged",
    AuditAction.MOVED: "Moved",
    AuditAction.REASSIGNED: "Reassigned",
}


@dataclass(frozen=True)
class HistoryRow:
    """One entry as the table shows it."""

    when: str
    who: str
    what: str
    pending: bool


# -- turning entries into text (no widgets: testable on its own) -----------------------------


@cache
def field_label(entity: EntityKind, name: str) -> str:
    """The form's label of a field, else a readable version of its name."""
    for spec in FORMS.get(MODELS[entity], []):
        if spec.name == name:
            return spec.label
    if name in _LABELS:
        return _LABELS[name]
    return label(name.removesuffix("_ids").removesuffix("_id"))


@cache
def _field_type(entity: EntityKind, name: str) -> type | None:
    """The plain type of a model field (Optional and Annotated unwrapped), if one."""
    info = MODELS[entity].model_fields.get(name)
    annotation: Any = info.annotation if info is not None else None
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            annotation = options[0] if len(options) == 1 else None
        else:
            break
    return annotation if isinstance(annotation, type) else None


def value_text(
    entity: EntityKind, name: str, value: Any, titles: dict[str, str], currency: str
) -> str:
    """A changed value as it reads on screen: money, dates in local time, labels, names."""
    if value is None or value == "" or value == []:
        return "—"
    kind = _field_type(entity, name)
    reference = name == "owner_id" or name in REFERENCES[entity]
    if reference:
        ids = value if isinstance(value, list) else [value]
        return ", ".join(titles.get(str(i), "(not on this device)") for i in ids)
    if isinstance(value, bool):
        return yes(value)
    if name in _MONEY and isinstance(value, int):
        return money(value, currency)
    if name in _PERCENT and isinstance(value, int):
        return f"{value} %"
    if isinstance(value, str) and kind is not None:
        try:
            if issubclass(kind, datetime):
                return moment(datetime.fromisoformat(value))
            if issubclass(kind, date):
                return day(date.fromisoformat(value))
        except ValueError:
            return value
        if issubclass(kind, Enum):
            return label(value)
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return _short("; ".join(value))
        return f"{len(value)} {'entry' if len(value) == 1 else 'entries'}"
    if isinstance(value, dict):
        return "…"
    return _short(str(value))


def _short(text: str) -> str:
    text = " ".join(text.split())  # notes: one line in a table cell
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def change_text(
    entity: EntityKind, change: FieldChange, titles: dict[str, str], currency: str, pending: bool
) -> str:
    """'Stage: Proposal → Negotiation'; a pending change knows its new value only."""
    name = field_label(entity, change.field)
    new = value_text(entity, change.field, change.new, titles, currency)
    if pending:
        return f"{name}{ARROW}{new}"
    old = value_text(entity, change.field, change.old, titles, currency)
    return f"{name}: {old}{ARROW}{new}"


def history_row(entry: HistoryEntry, history: RecordHistory) -> HistoryRow:
    entity, titles, currency = history.entity, history.titles, history.currency
    changes = [change_text(entity, c, titles, currency, entry.pending) for c in entry.changes]
    # A note says what happened in full ("merged Acme Ltd into this record"); else the action.
    note = entry.note.strip()
    title = note[:1].upper() + note[1:] if note else _HEADS.get(entry.action, "")
    lines = ([title] if title else []) + changes
    if entry.pending:
        who = f"{entry.actor_name} — {PENDING}"
    else:  # the device under the name: the column stays narrow
        who = "\n".join(part for part in (entry.actor_name, entry.device_name) if part)
    return HistoryRow(moment(entry.at), who, "\n".join(lines) or "Edited", entry.pending)


COLUMNS: list[Column[HistoryRow]] = [
    Column("When", lambda r: r.when),
    Column("Who", lambda r: r.who, colour=lambda r: "#9a6700" if r.pending else None),
    Column("What", lambda r: r.what),
]


# -- widgets -----------------------------------------------------------------------------------


class _HistoryModel(RecordListModel[HistoryRow]):
    """Cells aligned to the top: an entry's changes take a line each."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return super().data(index, role)


class HistoryPanel(QWidget):
    """The history of one record, newest first; loads on the DB thread and reloads when
    the sync brings audit entries or the record's kind changes here."""

    loaded = Signal(int)  # number of entries shown

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.entity: EntityKind | None = None
        self.record_id: str | None = None
        self._request = 0
        self._stale = False
        self.model = _HistoryModel(COLUMNS, self)
        self.view = table(self.model)
        self.view.setObjectName("history")
        self.view.setStyleSheet("#history::item { padding: 4px 6px; }")
        self.view.setWordWrap(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Wrapped changes need their rows measured again when the columns get their width.
        header.sectionResized.connect(lambda *_: self.view.resizeRowsToContents())
        self.empty = caption("No changes recorded yet. Changes appear here once synced.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        ctx.signals.changes_applied.connect(self._changes_applied)

    def show_record(self, entity: EntityKind, record_id: str) -> None:
        self.entity, self.record_id = entity, record_id
        self.reload()

    def clear(self) -> None:
        self.entity, self.record_id = None, None
        self._request += 1
        self.model.set_records([])
        self.stack.setCurrentIndex(0)

    def reload(self) -> None:
        if self.entity is None or self.record_id is None:
            return
        self._stale = False
        self._request += 1
        request, entity, record_id = self._request, self.entity, self.record_id
        self._ctx.query(
            lambda store: load_history(store, entity, record_id),
            lambda history: self._loaded(request, history),
        )

    def rows(self) -> list[HistoryRow]:
        count = self.model.rowCount()
        return [row for row in map(self.model.record_at, range(count)) if row is not None]

    def _loaded(self, request: int, history: RecordHistory) -> None:
        if request != self._request:
            return
        self.model.set_records([history_row(entry, history) for entry in history.entries])
        self.stack.setCurrentIndex(1 if history.entries else 0)
        self.loaded.emit(len(history.entries))

    def _changes_applied(self, changes: Changes) -> None:
        if self.entity is None or not (EntityKind.AUDIT_ENTRY in changes or self.entity in changes):
            return
        if self.window().isVisible():
            self.reload()
        else:
            self._stale = True  # read when shown again

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.view.resizeRowsToContents()
        if self._stale:
            self.reload()


class HistorySection(QWidget):
    """A collapsed "History" block for a record's dialog: a toggle and the panel."""

    def __init__(
        self,
        ctx: AppContext,
        entity: EntityKind,
        record_id: str,
        parent: QWidget | None = None,
        height: int = 170,
    ) -> None:
        super().__init__(parent)
        self._count = 0
        self._height = height
        self.toggle = QPushButton()
        self.toggle.setCheckable(True)
        self.toggle.setFlat(True)
        self.toggle.setCursor(Qt.CursorShape.PointingHandCursor)
        self.toggle.setStyleSheet(
            "QPushButton { font-weight: 600; border: none; padding: 2px 0; text-align: left; }"
        )
        self.toggle.toggled.connect(self.set_expanded)
        self.panel = HistoryPanel(ctx)
        self.panel.setFixedHeight(height)
        self.panel.hide()
        self.panel.loaded.connect(self._counted)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.toggle)
        layout.addWidget(self.panel)
        self._label()
        self.panel.show_record(entity, record_id)

    def set_expanded(self, expanded: bool) -> None:
        self.toggle.setChecked(expanded)
        self._label()
        self.panel.setVisible(expanded)
        top = self.window()
        if top is not self and not expanded:
            top.adjustSize()  # give the dialog its height back

    def _counted(self, count: int) -> None:
        self._count = count
        self.panel.setFixedHeight(self._height if count else self.panel.empty.sizeHint().height())
        self._label()

    def _label(self) -> None:
        arrow = "▾" if self.toggle.isChecked() else "▸"
        count = f" ({self._count})" if self._count else ""
        self.toggle.setText(f"{arrow}  History{count}")
