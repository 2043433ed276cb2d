"""The settings dialog, generated from the declarative settings schema."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.settings import LOCKED_HINT, Setting, Settings, cross_problems
from sfa_desktop.operations.session import Session
from sfa_desktop.ui.common.format import label


class SettingsDialog(QDialog):
    """One row per setting (widget by type), its description underneath; OK saves.

    Settings the site file locks are shown disabled, with "Set by your administrator".
    While `session` is signed in, the sync server row shows its server and user, read-only.
    """

    def __init__(
        self, settings: Settings, parent: QWidget | None = None, session: Session | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(640)
        self._settings = settings
        self.widgets: dict[str, QWidget] = {}
        self._shown_only: set[str] = set()  # rows that show a value without saving it
        self.errors: dict[str, QLabel] = {}  # under each field, why its value is refused
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(4)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for setting in settings.schema.values():
            value, text = settings[setting.name], setting.description
            locked = settings.locked(setting.name)
            signed_in = setting.name == "sync_server" and session is not None and session.signed_in
            if signed_in and session is not None:
                value = session.server
                text = (
                    f"Signed in as {session.who}. To use another server, sign out first "
                    "(File ▸ Sign out)."
                )
                self._shown_only.add(setting.name)
            widget = self._widget(setting, value)
            widget.setToolTip(LOCKED_HINT if locked else text)
            widget.setEnabled(not locked)
            if signed_in and isinstance(widget, QLineEdit):
                widget.setReadOnly(True)
                widget.setStyleSheet("QLineEdit { background: #f1f3f4; }")
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 8)
            column.setSpacing(2)
            column.addWidget(widget)
            hint = QLabel(f"{text} — {LOCKED_HINT.lower()}." if locked else text)
            hint.setStyleSheet("color: #5f6368; font-size: 9pt;")
            hint.setWordWrap(True)
            column.addWidget(hint)
            self.errors[setting.name] = error = QLabel()
            error.setStyleSheet("color: #b3261e;")
            error.setWordWrap(True)
            error.hide()
            column.addWidget(error)
            form.addRow(setting.label, cell)
            self.widgets[setting.name] = widget
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        body = QWidget()
        body.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumHeight(min(body.sizeHint().height(), 560))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)

    @staticmethod
    def _widget(setting: Setting, value: Any) -> QWidget:
        if setting.type is bool:
            check = QCheckBox("On")
            check.setChecked(bool(value))
            return check
        if setting.type is int:
            spin = QSpinBox()
            spin.setRange(setting.minimum, setting.maximum)
            spin.setValue(int(value))
            spin.setMinimumWidth(120)
            return spin
        if setting.choices:
            combo = QComboBox()
            for choice in setting.choices:
                combo.addItem(label(choice), choice)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            return combo
        return QLineEdit(str(value))

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, widget in self.widgets.items():
            if name in self._shown_only:
                continue
            if isinstance(widget, QCheckBox):
                values[name] = widget.isChecked()
            elif isinstance(widget, QSpinBox):
                values[name] = widget.value()
            elif isinstance(widget, QComboBox):
                values[name] = widget.currentData()
            elif isinstance(widget, QLineEdit):
                values[name] = widget.text().strip()
        return values

    def accept(self) -> None:
        """Save, unless a value is refused: then say why under its field and stay open."""
        values = self.values()
        together = cross_problems({**{n: self._settings[n] for n in self.widgets}, **values})
        for name, value in values.items():
            problem = self._settings.schema[name].problem(value) or together.get(name)
            self.errors[name].setText(f"This {problem}." if problem else "")
            self.errors[name].setVisible(bool(problem))
        if any(error.text() for error in self.errors.values()):
            return
        for name, value in values.items():
            if not self._settings.locked(name):
                self._settings.set(name, value)
        super().accept()
