"""The filter of one custom list column: a pick of values (picklists, yes/no) or a
from/to range (numbers, amounts, dates), typed as in the forms."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.core.entities import FieldDefinition
from sfa_desktop.core.enums import FieldType
from sfa_desktop.core.rules.custom_values import check_value, display_text, parse_text
from sfa_desktop.operations.custom_fields import PICK_FILTERS
from sfa_desktop.store.custom_fields import CustomFilter
from sfa_desktop.ui.common.widgets import ERROR_STYLE

_HINTS = {FieldType.DATE: "YYYY-MM-DD", FieldType.CURRENCY: "0.00", FieldType.NUMBER: ""}


class CustomFilterDialog(QDialog):
    """Choose values or a range; `result_filter()` is the CustomFilter (None: no filter)."""

    def __init__(
        self,
        definition: FieldDefinition,
        current: CustomFilter | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.definition = definition
        self.setWindowTitle(f"Filter by {definition.label}")
        self.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        self.choices: QListWidget | None = None
        self.low: QLineEdit | None = None
        self.high: QLineEdit | None = None
        if definition.field_type in PICK_FILTERS:
            layout.addWidget(QLabel("Show the records holding any of:"))
            self.choices = _choice_list(definition, current)
            layout.addWidget(self.choices)
        else:
            form = QFormLayout()
            self.low, self.high = QLineEdit(), QLineEdit()
            for edit, bound, text in (
                (self.low, current.low if current else None, "From"),
                (self.high, current.high if current else None, "To"),
            ):
                edit.setPlaceholderText(_HINTS.get(definition.field_type, ""))
                edit.setText(display_text(definition, bound))
                edit.setClearButtonEnabled(True)
                form.addRow(text, edit)
            layout.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        clear = buttons.addButton("No filter", QDialogButtonBox.ButtonRole.ResetRole)
        clear.clicked.connect(self.clear)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._filter: CustomFilter | None = current

    def clear(self) -> None:
        if self.choices is not None:
            for row in range(self.choices.count()):
                self.choices.item(row).setCheckState(Qt.CheckState.Unchecked)
        for edit in (self.low, self.high):
            if edit is not None:
                edit.clear()
        self.apply()

    def apply(self) -> None:
        """Read the entries (a bad bound is said under them) and accept."""
        try:
            self._filter = self._read()
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()

    def result_filter(self) -> CustomFilter | None:
        return self._filter

    def _read(self) -> CustomFilter | None:
        key = self.definition.key
        if self.choices is not None:
            picked = tuple(
                self.choices.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.choices.count())
                if self.choices.item(row).checkState() == Qt.CheckState.Checked
            )
            multi = self.definition.field_type is FieldType.MULTI_PICKLIST
            return CustomFilter(key, one_of=picked, multi=multi) if picked else None
        assert self.low is not None
        assert self.high is not None
        low, high = self._bound(self.low), self._bound(self.high)
        if low is None and high is None:
            return None
        return CustomFilter(key, low=low, high=high)

    def _bound(self, edit: QLineEdit) -> Any:
        # A bound is checked for its kind only (a range may reach past the field's limits).
        loose = self.definition.model_copy(update={"minimum": None, "maximum": None})
        return check_value(loose, parse_text(loose, edit.text()))


def _choice_list(definition: FieldDefinition, current: CustomFilter | None) -> QListWidget:
    held = set(current.one_of or ()) if current else set()
    if definition.field_type is FieldType.CHECKBOX:
        options: list[tuple[str, Any]] = [("Yes", True), ("No", False)]
    else:
        options = [(choice, choice) for choice in definition.choices]  # retired ones too
    choices = QListWidget()
    choices.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    for text, value in options:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        ticked = Qt.CheckState.Checked if value in held else Qt.CheckState.Unchecked
        item.setCheckState(ticked)
        choices.addItem(item)
    rows = min(max(choices.count(), 1), 10)
    choices.setFixedHeight(choices.sizeHintForRow(0) * rows + 2 * choices.frameWidth() + 4)
    return choices
