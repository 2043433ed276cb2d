"""Review changes (the conflict inbox): values that lost during sync, and writes the server
refused."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.protocol import DELETED_FIELD
from sfa_desktop.operations.conflicts import ConflictItem, conflict_items, dismiss, restore
from sfa_desktop.store import Changes
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.format import label, moment
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.widgets import caption, fit_columns, heading, table

EXPLANATION = (
    "When the same field was changed here and on another device before a sync, the later "
    "change wins and the other value is kept here. Restore puts it back (and syncs it); "
    "Dismiss keeps the current value. Changes the server refused are listed too."
)


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _field(item: ConflictItem) -> str:
    field = item.conflict.field
    if field == DELETED_FIELD:
        return "your delete"
    return label(field) if field else "whole change"


def _shown(item: ConflictItem, value: Any) -> str:
    if not item.conflict.field:
        return "—"
    if item.conflict.field == DELETED_FIELD:
        return "deleted" if value else "kept"
    return _value(value)


COLUMNS: list[Column[ConflictItem]] = [
    Column("When", lambda i: moment(i.conflict.detected_at)),
    Column("Record", lambda i: f"{label(i.conflict.entity.value)}: {i.record_title}"),
    Column("Field", _field),
    Column("Now", lambda i: _shown(i, i.conflict.kept_value)),
    Column("Lost value", lambda i: _shown(i, i.conflict.lost_value)),
    Column("Why", lambda i: i.conflict.reason),
]


class ConflictsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self._loaded_once = False
        self.model: RecordListModel[ConflictItem] = RecordListModel(COLUMNS, self)
        self.view = table(self.model)
        fit_columns(self.view, 5)  # the reason takes the spare width
        self.restore_button = QPushButton("Restore lost value")
        self.dismiss_button = QPushButton("Dismiss")
        self.restore_button.clicked.connect(lambda: self._act(restore))
        self.dismiss_button.clicked.connect(lambda: self._act(dismiss))
        self.summary = caption("")
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(heading("Review changes"))
        explanation = caption(EXPLANATION)
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        selection = self.view.selectionModel()
        selection.selectionChanged.connect(self._update_buttons)
        ctx.signals.changes_applied.connect(self._changes_applied)
        self._update_buttons()

    def activate(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._ctx.query(conflict_items, self._show)

    def selected(self) -> ConflictItem | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.record_at(rows[0].row()) if rows else None

    def _show(self, items: list[ConflictItem]) -> None:
        self._loaded_once = True
        self.model.set_records(items)
        self.summary.setText("Nothing to review." if not items else f"{len(items)} to review")
        if items:
            self.view.selectRow(0)
        self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        item = self.selected()
        self.dismiss_button.setEnabled(item is not None)
        self.restore_button.setEnabled(item is not None and bool(item.conflict.field))

    def _act(self, action: Any) -> None:
        item = self.selected()
        if item is not None:
            conflict_id = item.conflict.id
            self._ctx.run_op(lambda store: action(store, conflict_id))

    def _changes_applied(self, changes: Changes) -> None:
        if self._loaded_once and (changes.conflicts or changes.kinds):
            self.reload()
