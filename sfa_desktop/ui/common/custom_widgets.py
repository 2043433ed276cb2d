"""The "More fields" section of a record form: one editor per admin's custom field, each
checked by the shared rule (core.rules.custom_values) as the user types or leaves it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import FieldDefinition
from sfa_desktop.core.enums import EntityKind, FieldType
from sfa_desktop.core.rules.custom_values import check_value, display_text, parse_text
from sfa_desktop.operations.custom_fields import CustomFields, changed_values, custom_fields
from sfa_desktop.ui.common.widgets import ERROR_STYLE

# A custom date may be long ago ("customer since 1987"); the minimum reads "None".
NO_DATE = QDate(1900, 1, 1)
LIST_ROWS = 5  # a multi-picklist shows this many choices before it scrolls
READ_ONLY_HINT = "Read-only for reps"


class CustomEditor:
    """One custom field's widget and message: `value()` is what the user entered, as
    the rule normalises it, or ValueError with the rule's message."""

    def __init__(self, definition: FieldDefinition, shown: Any, stored: Any) -> None:
        self.definition = definition
        self.stored = stored
        self.widget = _widget(definition, shown, stored)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self._connect()

    def raw(self) -> Any:
        """The widget's content in the JSON shape of the field (not yet checked)."""
        widget, definition = self.widget, self.definition
        if isinstance(widget, QLineEdit):
            return parse_text(definition, widget.text())
        if isinstance(widget, QPlainTextEdit):
            return parse_text(definition, widget.toPlainText())
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QCheckBox):
            # Left unticked on a record that never had the field: still empty, not "No".
            return True if widget.isChecked() else (None if self.stored is None else False)
        if isinstance(widget, QDateEdit):
            picked = widget.date()
            if picked == NO_DATE:
                return None
            return date(picked.year(), picked.month(), picked.day()).isoformat()
        assert isinstance(widget, QListWidget)
        items = (widget.item(row) for row in range(widget.count()))
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    def value(self) -> Any:
        return check_value(self.definition, self.raw(), keep=self.stored)

    def check(self) -> bool:
        """Show the rule's message under the field (or hide it); True when the value is fine."""
        try:
            value = self.value()
        except ValueError as exc:
            self.show_message(str(exc))
            return False
        self.error.hide()
        widget = self.widget
        if isinstance(widget, QLineEdit) and not widget.hasFocus():
            shown = display_text(self.definition, value)  # 12.5 -> 12.50 for an amount
            if widget.text().strip() and shown != widget.text():
                widget.setText(shown)
        return True

    def show_message(self, message: str) -> None:
        self.error.setText(message[:1].upper() + message[1:])
        self.error.show()

    def _connect(self) -> None:
        widget = self.widget
        if isinstance(widget, QLineEdit):
            widget.editingFinished.connect(self.check)
            # Once a message shows, it follows each keystroke (and goes when fixed).
            widget.textEdited.connect(lambda _: self.error.isHidden() or self.check())
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(self.check)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(lambda _: self.check())
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(lambda _: self.check())
        elif isinstance(widget, QDateEdit):
            widget.dateChanged.connect(lambda _: self.check())
        elif isinstance(widget, QListWidget):
            widget.itemChanged.connect(lambda _: self.check())


class CustomSection(QGroupBox):
    """ "More fields": the live custom fields of a record, in the admin's order."""

    def __init__(
        self,
        fields: CustomFields,
        stored: Mapping[str, Any],
        *,
        new: bool,
        parent: QWidget | None = None,
    ) -> None:
        """`stored`: the record's custom values; a `new` record starts from the defaults."""
        super().__init__("More fields", parent)
        self.stored = dict(stored)
        self.editors: dict[str, CustomEditor] = {}
        form = QFormLayout(self)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for definition in fields.definitions:
            key = definition.key
            shown = definition.default if new else stored.get(key)
            editor = CustomEditor(definition, shown, stored.get(key))
            if fields.read_only(definition):
                editor.widget.setEnabled(False)
                editor.widget.setToolTip(READ_ONLY_HINT)
            cell = QWidget()
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.setSpacing(2)
            cell_layout.addWidget(editor.widget)
            cell_layout.addWidget(editor.error)
            form.addRow(definition.label, cell)
            self.editors[key] = editor

    def errors(self) -> dict[str, QLabel]:
        return {key: editor.error for key, editor in self.editors.items()}

    def check_all(self) -> bool:
        """Check every field (showing each message); True when all are fine."""
        results = [editor.check() for editor in self.editors.values()]
        return all(results)

    def changed(self) -> dict[str, Any]:
        """The values the user changed (call check_all first: a bad value is left out)."""
        values: dict[str, Any] = {}
        for key, editor in self.editors.items():
            if not editor.widget.isEnabled():
                continue  # read-only for this user: never sent
            try:
                values[key] = editor.value()
            except ValueError:
                continue
        return changed_values(self.stored, values)


def _widget(definition: FieldDefinition, value: Any, stored: Any) -> QWidget:
    kind = definition.field_type
    if kind is FieldType.LONG_TEXT:
        notes = QPlainTextEdit(display_text(definition, value))
        notes.setFixedHeight(72)
        notes.setTabChangesFocus(True)
        return notes
    if kind is FieldType.CHECKBOX:
        check = QCheckBox()
        check.setChecked(bool(value))
        return check
    if kind is FieldType.PICKLIST:
        combo = QComboBox()
        combo.addItem("—", None)
        for choice in _offered(definition, stored):
            combo.addItem(_choice_text(definition, choice), choice)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        return combo
    if kind is FieldType.MULTI_PICKLIST:
        return _checklist(definition, value, stored)
    if kind is FieldType.DATE:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("None")
        edit.setDate(_qdate(value))
        edit.setMinimumWidth(140)
        return edit
    line = QLineEdit(display_text(definition, value))
    if kind in (FieldType.NUMBER, FieldType.CURRENCY):
        line.setAlignment(Qt.AlignmentFlag.AlignRight)
        line.setMaximumWidth(200)
        if kind is FieldType.CURRENCY:
            line.setPlaceholderText("0.00")
    return line


def _checklist(definition: FieldDefinition, value: Any, stored: Any) -> QListWidget:
    picked = set(value or ())
    checklist = QListWidget()
    checklist.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    for choice in _offered(definition, stored):
        item = QListWidgetItem(_choice_text(definition, choice))
        item.setData(Qt.ItemDataRole.UserRole, choice)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        checked = Qt.CheckState.Checked if choice in picked else Qt.CheckState.Unchecked
        item.setCheckState(checked)
        checklist.addItem(item)
    rows = min(max(checklist.count(), 1), LIST_ROWS)
    height = checklist.sizeHintForRow(0) * rows + 2 * checklist.frameWidth() + 4
    checklist.setFixedHeight(height)
    return checklist


def _offered(definition: FieldDefinition, stored: Any) -> list[str]:
    """The choices to offer: the live ones, and a retired one the record still holds."""
    held = {stored} if isinstance(stored, str) else set(stored or ())
    return [c for c in definition.choices if c not in definition.retired_choices or c in held]


def _choice_text(definition: FieldDefinition, choice: str) -> str:
    return f"{choice} (retired)" if choice in definition.retired_choices else choice


def _qdate(value: Any) -> QDate:
    if not isinstance(value, str):
        return NO_DATE
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return NO_DATE
    return QDate(day.year, day.month, day.day)


def add_section_later(
    ctx: AppContext,
    layout: QBoxLayout,
    index: int,
    kind: EntityKind,
    stored: Mapping[str, Any],
    *,
    new: bool,
    added: Callable[[CustomSection], None],
) -> None:
    """Read `kind`'s custom fields on the DB thread, then insert their section into
    `layout` at `index` and hand it to `added` (nothing when the kind has none): what a
    dialog of its own (activity, event) does where the record forms use RecordForm."""

    def insert(fields: CustomFields) -> None:
        if not fields.definitions:
            return
        section = CustomSection(fields, stored, new=new)
        layout.insertWidget(index, section)
        added(section)

    ctx.query(lambda store: custom_fields(store, kind), insert)
