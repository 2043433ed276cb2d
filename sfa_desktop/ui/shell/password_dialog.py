"""File ▸ Change password…: the current password, the new one twice; a problem shows under
the field it is about, the server's reason included."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.core.protocol import MIN_PASSWORD_LENGTH
from sfa_desktop.ui.common.widgets import caption, heading

# submit(current, new, done, failed): asks the server off the UI thread, then calls back.
Submit = Callable[[str, str, Callable[[], None], Callable[[BaseException], None]], None]


class PasswordDialog(QDialog):
    """Accepted once the server took the new password."""

    def __init__(self, submit: Submit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change password")
        self.setMinimumWidth(420)
        self._submit = submit
        self.current, self.new, self.repeat = QLineEdit(), QLineEdit(), QLineEdit()
        self.errors: dict[QLineEdit, QLabel] = {}
        form = QFormLayout()
        for text, field in (
            ("Current password", self.current),
            ("New password", self.new),
            ("New password again", self.repeat),
        ):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            error = QLabel()
            error.setStyleSheet("color: #b3261e;")
            error.setWordWrap(True)
            error.hide()
            self.errors[field] = error
            form.addRow(text, field)
            form.addRow("", error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(heading("Change your password", 13))
        layout.addWidget(
            caption(f"At least {MIN_PASSWORD_LENGTH} characters. This device stays signed in.")
        )
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def show_error(self, field: QLineEdit, text: str) -> None:
        for label in self.errors.values():
            label.hide()
        self.errors[field].setText(text)
        self.errors[field].show()
        field.setFocus()

    def accept(self) -> None:
        current, new = self.current.text(), self.new.text()
        if not current:
            self.show_error(self.current, "Enter your current password.")
        elif len(new) < MIN_PASSWORD_LENGTH:
            self.show_error(self.new, f"Use at least {MIN_PASSWORD_LENGTH} characters.")
        elif new != self.repeat.text():
            self.show_error(self.repeat, "The two new passwords differ.")
        else:
            self.buttons.setEnabled(False)
            self._submit(current, new, self._done, self._failed)

    def _done(self) -> None:
        self.buttons.setEnabled(True)
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        reason = str(getattr(error, "detail", "") or error)
        about_current = "current password" in reason
        shown = reason[:1].upper() + reason[1:]
        self.show_error(self.current if about_current else self.new, shown)
