"""A form dialog built from field specs, with validation messages next to each field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import BrokenReference, InvalidRecord
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.operations.custom_fields import CustomFields, custom_fields
from sfa_desktop.ui.common.custom_widgets import CustomSection
from sfa_desktop.ui.common.form_fields import Field
from sfa_desktop.ui.common.format import local_moment
from sfa_desktop.ui.common.history_panel import HistorySection
from sfa_desktop.ui.common.record_picker import RecordPicker
from sfa_desktop.ui.common.widgets import ERROR_STYLE, MoneyBox

NO_DATE = QDate(2000, 1, 1)
MIN_SCROLL = 120  # the custom fields' section never shrinks below this (px)


Submit = Callable[[dict[str, Any], "RecordForm"], None]
# The kind whose custom fields the form adds, the record's values, and whether it is new.
CustomOf = tuple[EntityKind, Mapping[str, Any], bool]


class RecordForm(QDialog):
    """Collects field values; `submit(values, form)` runs the write and calls back."""

    def __init__(
        self,
        ctx: AppContext,
        title: str,
        fields: list[Field],
        values: dict[str, Any],
        submit: Submit,
        parent: QWidget | None = None,
        *,
        history: tuple[EntityKind, str] | None = None,
        custom: CustomOf | None = None,
    ) -> None:
        """`history` (kind, id) of an existing record adds its collapsed History section;
        `custom` adds the kind's custom fields ("More fields") once they are read."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self._ctx = ctx
        self._fields = fields
        self._submit = submit
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        self.form_error = QLabel()
        self.form_error.setStyleSheet(ERROR_STYLE)
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        layout.addWidget(self.form_error)
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for spec in fields:
            widget = self._widget(spec, values.get(spec.name))
            error = QLabel()
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            cell = QWidget()
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.setSpacing(2)
            cell_layout.addWidget(widget)
            cell_layout.addWidget(error)
            form.addRow(spec.label, cell)
            self.widgets[spec.name], self.errors[spec.name] = widget, error
        layout.addLayout(form)
        self._layout, self._custom_at = layout, layout.count()
        self.custom: CustomSection | None = None
        self.custom_loaded = custom is None
        self._follow_currency(values.get("currency"))
        self.history: HistorySection | None = None
        if history is not None:
            self.setMinimumWidth(600)  # room for the changes column
            self.history = HistorySection(ctx, *history)
            layout.addWidget(self.history)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if custom is not None:
            kind, stored, new = custom
            ctx.query(
                lambda store: custom_fields(store, kind),
                lambda fields: self._add_custom(fields, stored, new),
            )

    def _add_custom(self, fields: CustomFields, stored: Mapping[str, Any], new: bool) -> None:
        """The "More fields" section (none when the kind has no custom fields)."""
        self.custom_loaded = True
        if not fields.definitions:
            return
        without = self.sizeHint().height()
        self.custom = CustomSection(fields, stored, new=new)
        # The section scrolls when the form would not fit the window (or screen) it is on.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.custom)
        parent = self.parentWidget()
        screen = self.screen().availableGeometry().height()
        limit = min(screen, parent.window().height()) if parent is not None else screen
        room = limit - without - 24
        natural = self.custom.sizeHint().height()
        scroll.setMinimumHeight(max(MIN_SCROLL, min(natural, room)))
        self._layout.insertWidget(self._custom_at, scroll)
        scroll.show()  # at once: a layout shows a late child only on the next event loop
        self.errors.update(self.custom.errors())
        self.adjustSize()

    def _widget(self, spec: Field, value: Any) -> QWidget:
        if spec.kind in ("text", "optional"):
            line = QLineEdit("" if value is None else str(value))
            return line
        if spec.kind == "notes":
            notes = QPlainTextEdit(value or "")
            notes.setFixedHeight(72)
            notes.setTabChangesFocus(True)
            return notes
        if spec.kind == "choice":
            combo = QComboBox()
            for text, data in spec.choices:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            return combo
        if spec.kind == "bool":
            check = QCheckBox()
            check.setChecked(bool(value))
            return check
        if spec.kind == "money":
            amount = MoneyBox(cents=True, maximum=spec.maximum * 100)
            amount.setMinimumWidth(180)
            amount.set_minor(value or 0)
            return amount
        if spec.kind == "int":
            spin = QSpinBox()
            spin.setMaximum(spec.maximum)
            spin.setGroupSeparatorShown(True)
            spin.setMinimumWidth(180)
            spin.setValue(int(value or 0))
            return spin
        if spec.kind == "date":
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setMinimumDate(NO_DATE)
            edit.setSpecialValueText("None")
            edit.setDate(QDate(value.year, value.month, value.day) if value else NO_DATE)
            return edit
        if spec.kind == "moment":
            moment = QDateTimeEdit()
            moment.setCalendarPopup(True)
            moment.setMinimumDate(NO_DATE)
            moment.setSpecialValueText("None")
            local = value.astimezone() if value else None
            when = (
                QDateTime(local.date(), local.time()) if local else QDateTime(NO_DATE.startOfDay())
            )
            moment.setDateTime(when)
            return moment
        assert spec.kind == "ref"
        assert spec.ref is not None
        picker = RecordPicker(self._ctx, spec.ref)
        record_id, title = value if isinstance(value, tuple) else (None, "")
        picker.set_record(record_id, title)
        return picker

    def _follow_currency(self, currency: str | None) -> None:
        """Money fields show the form's currency (else the record's, else euros)."""
        boxes = [w for w in self.widgets.values() if isinstance(w, MoneyBox)]
        chooser = self.widgets.get("currency")

        def show(code: object) -> None:
            for box in boxes:
                box.set_currency(str(code or DEFAULT_CORPORATE_CURRENCY))

        show(currency)
        if isinstance(chooser, QComboBox):
            show(chooser.currentData())
            chooser.currentIndexChanged.connect(lambda _: show(chooser.currentData()))

    def values(self) -> dict[str, Any]:
        """The entered values, converted to what the store expects (of the custom
        fields, only those the user changed)."""
        values = {spec.name: _value(spec, self.widgets[spec.name]) for spec in self._fields}
        if self.custom is not None:
            values.update(self.custom.changed())
        return values

    def save(self) -> None:
        self.clear_errors()
        if self.custom is not None and not self.custom.check_all():
            return  # the rule's messages are under the fields
        self.buttons.setEnabled(False)
        self._submit(self.values(), self)

    def saved(self, *_: object) -> None:
        self.accept()

    def clear_errors(self) -> None:
        self.form_error.hide()
        for label in self.errors.values():
            label.hide()

    def show_error(self, error: BaseException) -> None:
        """Put each message next to its field; the rest above the form."""
        self.buttons.setEnabled(True)
        if isinstance(error, InvalidRecord):
            messages = dict(error.errors)
        elif isinstance(error, BrokenReference):
            messages = {error.field: "points at a record that no longer exists"}
        else:
            messages = {"": str(error)}
        general = []
        for field, message in messages.items():
            if field in self.errors:
                self.errors[field].setText(_sentence(message))
                self.errors[field].show()
            else:
                general.append(_sentence(message if not field else f"{field}: {message}"))
        if general:
            self.form_error.setText("\n".join(general))
            self.form_error.show()


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] if message else message


def _value(spec: Field, widget: QWidget) -> Any:
    if isinstance(widget, RecordPicker):
        return widget.record_id()
    if isinstance(widget, QLineEdit):
        text = widget.text().strip()
        return (text or None) if spec.kind == "optional" else text
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, MoneyBox):
        return widget.minor()
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, QDateTimeEdit) and spec.kind == "moment":
        when = widget.dateTime()
        if when.date() == NO_DATE:
            return None
        return local_moment(when)
    if isinstance(widget, QDateEdit):
        picked = widget.date()
        return None if picked == NO_DATE else date(picked.year(), picked.month(), picked.day())
    raise TypeError(f"no value for {type(widget).__name__}")
