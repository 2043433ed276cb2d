"""File ▸ Mailbox…: connect the rep's mailbox over IMAP (server, port, TLS/STARTTLS, user,
password or app password), or see the connected one, change what is never logged,
review it, disconnect it. Connecting opens the first-run review."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app import mail_capture
from sfa_desktop.app.context import AppContext
from sfa_desktop.ui.common.format import moment
from sfa_desktop.ui.common.widgets import ERROR_STYLE, caption, heading
from sfa_desktop.ui.mail.mail_review import ReviewDialog

SECURITY_LABELS = {
    "tls": "TLS (port 993)",
    "starttls": "STARTTLS (port 143)",
    "none": "None (this computer only)",
}


def _words(text: str) -> list[str]:
    return [w for w in text.replace(";", ",").replace(" ", ",").split(",") if w]


class MailDialog(QDialog):
    """The connect form, or the connected mailbox's settings."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mailbox")
        self.setMinimumWidth(520)
        self._ctx = ctx
        self.account: mail_capture.MailAccount | None = None
        self.review: ReviewDialog | None = None  # the review this dialog opened
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(20, 16, 20, 16)
        self._layout.setSpacing(10)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        mailboxes = ctx.store.mail_accounts()
        if mailboxes:
            self._show_connected(mailboxes[0])
        else:
            self._show_form()

    # -- connecting ------------------------------------------------------------------------

    def _show_form(self) -> None:
        self._layout.addWidget(heading("Capture email from your mailbox"))
        intro = caption(
            "Emails to and from your contacts are logged as activities with their account. "
            "Before anything is logged you review the last 30 days."
        )
        intro.setWordWrap(True)
        self._layout.addWidget(intro)
        self.host = QLineEdit()
        self.host.setPlaceholderText("imap.example.com")
        self.security = QComboBox()
        for value, text in SECURITY_LABELS.items():
            self.security.addItem(text, value)
        self.security.currentIndexChanged.connect(self._security_changed)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(mail_capture.DEFAULT_PORTS["tls"])
        self.user = QLineEdit()
        self.user.setPlaceholderText("you@example.com")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("password or app password")
        self.never = QLineEdit()
        self.never.setPlaceholderText("your company's domain")
        self.folders = QLineEdit()
        self.folders.setPlaceholderText("Inbox and Sent")
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        server_row = QHBoxLayout()
        server_row.addWidget(self.host, 1)
        server_row.addWidget(QLabel("Port"))
        server_row.addWidget(self.port)
        form.addRow("Server", server_row)
        form.addRow("Security", self.security)
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        form.addRow("Never log", self.never)
        form.addRow("Folders", self.folders)
        self._layout.addLayout(form)
        self._layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton(
            "Connect and review", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.connect_mailbox)
        self.buttons.rejected.connect(self.reject)
        self._layout.addWidget(self.buttons)

    def _security_changed(self) -> None:
        self.port.setValue(mail_capture.DEFAULT_PORTS[str(self.security.currentData())])

    def connect_mailbox(self) -> None:
        host, user, password = (
            self.host.text().strip(),
            self.user.text().strip(),
            self.password.text(),
        )
        missing = [
            n for n, v in (("server", host), ("user", user), ("password", password)) if not v
        ]
        if missing:
            self._fail(f"Fill in the {' and '.join(missing)}.")
            return
        store, port, security = self._ctx.store, self.port.value(), str(self.security.currentData())
        never = _words(self.never.text()) or None
        folders = [f.strip() for f in self.folders.text().split(",") if f.strip()]
        self.connect_button.setEnabled(False)
        self.error.setText("Connecting…")
        self.error.setStyleSheet("color: #5f6368;")
        self.error.show()
        self._ctx.tasks.run_network(
            lambda: mail_capture.connect(
                store, host, port, security, user, password, "", never, folders
            ),
            self._connected,
            self._failed,
        )

    def _connected(self, account: mail_capture.MailAccount) -> None:
        self.account = account
        self._open_review(account)

    def _failed(self, error: BaseException) -> None:
        self.connect_button.setEnabled(True)
        self._fail(str(error) if isinstance(error, mail_capture.MailError) else repr(error))

    def _fail(self, text: str) -> None:
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setText(text)
        self.error.show()

    # -- the connected mailbox --------------------------------------------------------------

    def _show_connected(self, account: mail_capture.MailAccount) -> None:
        self.account = account
        self._layout.addWidget(heading(f"{account.username} at {account.host}"))
        if account.state == "review":
            state = "Waiting for your review: nothing is logged until you accept it."
        elif account.last_error:
            state = f"Last check failed: {account.last_error}"
        else:
            state = f"Logging email; last checked {moment(account.last_check_at) or 'never'}."
        status = QLabel(state)
        status.setWordWrap(True)
        self._layout.addWidget(status)
        self._layout.addWidget(caption(f"Watching {', '.join(account.folders)}"))
        self.never = QLineEdit(", ".join(account.never_capture))
        form = QFormLayout()
        form.addRow("Never log", self.never)
        self._layout.addLayout(form)
        self._layout.addWidget(self.error)
        row = QHBoxLayout()
        review = QPushButton("Review…" if account.state == "review" else "Check last 30 days…")
        review.setEnabled(account.state == "review")
        review.clicked.connect(self._review)
        disconnect = QPushButton("Disconnect")
        disconnect.clicked.connect(self._disconnect)
        row.addWidget(review)
        row.addWidget(disconnect)
        row.addStretch(1)
        self._layout.addLayout(row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        self._layout.addWidget(buttons)

    def _save(self) -> None:
        assert self.account is not None
        account_id, never = self.account.id, _words(self.never.text())
        self._ctx.query(
            lambda store: store.update_mail_account(account_id, never_capture=never),
            lambda _account: self.accept(),
        )

    def _review(self) -> None:
        assert self.account is not None
        self._open_review(self.account)

    def _open_review(self, account: mail_capture.MailAccount) -> None:
        self.review = ReviewDialog(self._ctx, account, self.parentWidget())
        self.accept()
        self.review.start()

    def _disconnect(self) -> None:
        assert self.account is not None
        account_id = self.account.id
        self._ctx.query(
            lambda store: mail_capture.disconnect(store, account_id), lambda _: self.accept()
        )
