"""File ▸ Change password…: the current password (or, before the first sign-in, the user
name and the admin's one-time set-up code), the new one twice; a problem shows under the
field it is about, the server's reason included."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class NewPassword:
    """What was typed: `current` is the set-up code in set-up mode (`username` then set)."""

    username: str
    current: str
    new: str


# submit(typed, done, failed): asks the server off the UI thread, then calls one back.
Submit = Callable[[NewPassword, Callable[[], None], Callable[[BaseException], None]], None]


class PasswordDialog(QDialog):
    """Accepted once the server took the new password; with `setup_server`, a first
    password is set with a set-up code for that server."""

    def __init__(
        self, submit: Submit, parent: QWidget | None = None, *, setup_server: str | None = None
    ) -> None:
        super().__init__(parent)
        self.setup = setup_server is not None
        self.setWindowTitle("Set your password" if self.setup else "Change password")
        self.setMinimumWidth(440)
        self._submit = submit
        self.username, self.current = QLineEdit(), QLineEdit()
        self.new, self.repeat = QLineEdit(), QLineEdit()
        self.errors: dict[QLineEdit, QLabel] = {}
        fields = [
            ("Set-up code" if self.setup else "Current password", self.current),
            ("New password", self.new),
            ("New password again", self.repeat),
        ]
        if self.setup:
            fields.insert(0, ("User name", self.username))
        form = QFormLayout()
        for text, field in fields:
            if field is not self.username and (field is not self.current or not self.setup):
                field.setEchoMode(QLineEdit.EchoMode.Password)
            self.errors[field] = error = QLabel()
            error.setStyleSheet("color: #b3261e;")
            error.setWordWrap(True)
            error.hide()
            form.addRow(text, field)
            form.addRow("", error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        rule = f"At least {MIN_PASSWORD_LENGTH} characters."
        if self.setup:
            layout.addWidget(heading("Set your password", 13))
            layout.addWidget(
                caption(
                    f"Use the one-time set-up code your administrator gave you for "
                    f"{setup_server}. {rule} Then sign in with the new password."
                )
            )
        else:
            layout.addWidget(heading("Change your password", 13))
            layout.addWidget(caption(f"{rule} This device stays signed in."))
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def show_error(self, field: QLineEdit, text: str) -> None:
        for label in self.errors.values():
            label.hide()
        self.errors[field].setText(text)
        self.errors[field].show()
        field.setFocus()

    def accept(self) -> None:
        typed = NewPassword(self.username.text().strip(), self.current.text(), self.new.text())
        if self.setup and not typed.username:
            self.show_error(self.username, "Enter your user name.")
        elif not typed.current:
            what = "the set-up code" if self.setup else "your current password"
            self.show_error(self.current, f"Enter {what}.")
        elif len(typed.new) < MIN_PASSWORD_LENGTH:
            self.show_error(self.new, f"Use at least {MIN_PASSWORD_LENGTH} characters.")
        elif typed.new != self.repeat.text():
            self.show_error(self.repeat, "The two new passwords differ.")
        else:
            self.buttons.setEnabled(False)
            self._submit(typed, self._done, self._failed)

    def _done(self) -> None:
        self.buttons.setEnabled(True)
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        reason = str(getattr(error, "detail", "") or error)
        about_current = "current password" in reason or "set-up code" in reason
        shown = reason[:1].upper() + reason[1:]
        self.show_error(self.current if about_current else self.new, shown)
