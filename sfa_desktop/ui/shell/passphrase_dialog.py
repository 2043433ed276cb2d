"""The passphrase of the local database, asked at start-up when there is no system keyring."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.security.store_key import PassphraseRequest, passphrase_problem
from sfa_desktop.ui.common.widgets import caption, heading

ERROR_STYLE = "color: #b3261e;"
HINT_STYLE = "color: #5f6368;"


class PassphraseDialog(QDialog):
    """Choose a passphrase (typed twice) or enter it; OK is enabled once it can be used."""

    def __init__(self, request: PassphraseRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new = request.new
        self.setWindowTitle("SFA Desktop — local data")
        self.setMinimumWidth(480)
        self.passphrase = QLineEdit()
        self.repeated = QLineEdit()
        for field in (self.passphrase, self.repeated):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMinimumWidth(260)
            field.textChanged.connect(self._validate)
        self.show_text = QCheckBox("Show passphrase")
        self.show_text.toggled.connect(self._show)
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.addRow("Passphrase", self.passphrase)
        if self.new:
            form.addRow("Repeat it", self.repeated)
        form.addRow("", self.show_text)
        self.earlier_problem = request.problem
        self.message = QLabel()
        self.message.setWordWrap(True)
        # Its line is kept while empty, so the dialog does not jump as the rep types.
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Create" if self.new else "Unlock")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        if self.new:
            layout.addWidget(heading("Choose a passphrase for your local data", 13))
            text = (
                "This computer has no system keyring to keep the key of the app's local "
                "database, so a passphrase protects it. You will type it each time the app "
                "starts. If it is forgotten, changes not yet synced are lost with it."
            )
        else:
            layout.addWidget(heading("Unlock your local data", 13))
            text = (
                f"The local database ({request.path.name}) is encrypted. Enter the "
                "passphrase you chose for it."
            )
        layout.addWidget(caption(text))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._validate()

    def problem(self) -> str:
        """Why OK cannot be pressed yet, or ""."""
        if not self.new:
            return "" if self.passphrase.text() else "Enter the passphrase."
        return passphrase_problem(self.passphrase.text(), self.repeated.text())

    def _validate(self) -> None:
        problem = self.problem()
        self.ok.setEnabled(not problem)
        if self.passphrase.text() or self.repeated.text():
            self._say(problem, ERROR_STYLE)
        elif self.earlier_problem:  # "Wrong passphrase. Try again." until they type
            self._say(self.earlier_problem, ERROR_STYLE)
        else:  # nothing typed yet: a hint, not an error
            self._say(problem, HINT_STYLE)

    def _say(self, text: str, style: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(style)

    def _show(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.passphrase.setEchoMode(mode)
        self.repeated.setEchoMode(mode)

    def accept(self) -> None:
        if self.problem():  # Enter in a field with OK disabled
            return
        super().accept()


def ask_passphrase(request: PassphraseRequest) -> str | None:
    """Ask in a modal dialog; None when the rep cancels (`store_key.Ask`)."""
    dialog = PassphraseDialog(request)
    try:
        return dialog.passphrase.text() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
