"""Sign in: server, user name, password and device; offline, continue as a local user."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.settings import LOCKED_HINT
from sfa_desktop.core.addresses import server_url_problem
from sfa_desktop.core.device_names import default_device_name
from sfa_desktop.core.entities import User
from sfa_desktop.ui.common.widgets import caption, heading


@dataclass(frozen=True)
class Credentials:
    """What the user typed; the sync client turns it into tokens (never stored in a file)."""

    server: str
    username: str
    password: str
    device_name: str
    offline_user_id: str | None


class LoginDialog(QDialog):
    """`server` prefills the server field (the site file's when there is one); `locked`
    makes it read-only, as when the administrator locked `sync_server`."""

    def __init__(
        self,
        server: str,
        users: list[User],
        parent: QWidget | None = None,
        *,
        locked: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in")
        self.setMinimumWidth(460)
        self.server = QLineEdit(server)
        self.server.setPlaceholderText("https://sfa.example.com")
        if locked:
            self.server.setReadOnly(True)
            self.server.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.server.setToolTip(LOCKED_HINT)
            self.server.setStyleSheet("QLineEdit { background: #f1f3f4; color: #5f6368; }")
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.device = QLineEdit(default_device_name())
        self.offline = QComboBox()
        self.offline.addItem("—", None)
        for user in users:
            self.offline.addItem(f"{user.name} ({user.email})", user.id)
        self.server_error = QLabel()
        self.server_error.setStyleSheet("color: #b3261e;")
        self.server_error.setWordWrap(True)
        self.server_error.hide()
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        for text, widget in (
            ("Server", self.server),
            ("User name", self.username),
            ("Password", self.password),
            ("Device name", self.device),
            ("Work offline as", self.offline),
        ):
            form.addRow(text, widget)
            if widget is self.server:  # why the address is refused, under the field
                form.addRow("", self.server_error)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(heading("Sign in to sync", 13))
        layout.addWidget(
            caption(
                "Your password goes to the server only; the app keeps a refresh token in "
                "the system keyring. Without a server you can work offline on local data."
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def credentials(self) -> Credentials:
        return Credentials(
            server=self.server.text().strip(),
            username=self.username.text().strip(),
            password=self.password.text(),
            device_name=self.device.text().strip(),
            offline_user_id=self.offline.currentData(),
        )

    def accept(self) -> None:
        entered = self.credentials()
        online = entered.server and entered.username and entered.password
        if not online and entered.offline_user_id is None:
            self.error.setText(
                "Enter server, user name and password, or pick a user to work offline as."
            )
            self.error.show()
            return
        problem = server_url_problem(entered.server) if online else None
        self.server_error.setText(f"The server address {problem}." if problem else "")
        self.server_error.setVisible(bool(problem))
        if problem:
            return
        super().accept()
