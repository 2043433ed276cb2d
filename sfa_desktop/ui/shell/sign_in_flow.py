"""Signing in and out from the File menu: the menu items follow the sign-in, a busy
dialog with Cancel while the server is asked, and a dialog saying what to check when it
fails."""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import User
from sfa_desktop.operations.session import Session, session
from sfa_desktop.sync.errors import AuthenticationRequired, ServerRefused
from sfa_desktop.ui.common.widgets import caption, heading
from sfa_desktop.ui.shell.login_dialog import Credentials, LoginDialog

CHECKS = (
    "the server address: {server}",
    "that this computer is online (open any web page)",
    "VPN or proxy: company servers often answer only through the VPN",
    "the certificate: a server on https:// whose certificate this computer does not "
    "trust cannot be reached (your administrator can tell)",
)


def explain(error: BaseException, server: str) -> tuple[str, str]:
    """What a failed sign-in means for the rep: a headline and what to do (HTML)."""
    detail = html.escape(str(error))
    if isinstance(error, AuthenticationRequired):
        return "The server refused the sign-in", f"{detail}<br><br>Check user name and password."
    if isinstance(error, ServerRefused):
        return "The server refused the sign-in", html.escape(error.detail)
    items = "".join(f"<li>{html.escape(c.format(server=server))}</li>" for c in CHECKS)
    return (
        f"{server} could not be reached",
        f"Please check:<ul>{items}</ul><span style='color:#5f6368'>Details: {detail}</span>",
    )


class SignInProgress(QDialog):
    """Signing in to a server: a busy bar, the seconds waited so far, and Cancel."""

    def __init__(self, server: str, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Signing in")
        self.setMinimumWidth(420)
        self._started = time.monotonic()
        self._retries = 0
        self.waited = caption("")
        bar = QProgressBar()
        bar.setRange(0, 0)  # busy
        bar.setTextVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(heading("Signing in…", 13))
        text = QLabel(f"Connecting to {server} as {username}.")
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addWidget(bar)
        layout.addWidget(self.waited)
        self.retrying = caption("")  # why it waits: a busy server asked to try again later
        self.retrying.setWordWrap(True)
        self.retrying.hide()
        layout.addWidget(self.retrying)
        layout.addWidget(buttons)
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self._tick()

    def _tick(self) -> None:
        seconds = int(time.monotonic() - self._started)
        self.waited.setText(f"Waiting for the server… {seconds} s" if seconds else "")

    def show_retry(self, why: str) -> None:
        """Say why the sign-in waits (e.g. 'server busy or failing (503); trying again in
        8 s'): a burst of sign-ins is queued by the server, not refused."""
        self._retries += 1
        self.retrying.setText(f"Attempt {self._retries + 1}: {why}.")
        self.retrying.show()


class SignInFailed(QDialog):
    """Why a sign-in failed and what to check, with Try again and Close."""

    def __init__(self, headline: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign-in failed")
        self.setMinimumWidth(500)
        self.headline = heading(headline, 12)
        self.details = QLabel(details)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.try_again = buttons.addButton("Try again…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(self.headline)
        layout.addWidget(self.details)
        layout.addWidget(buttons)


class SignInFlow(QObject):
    """The File menu's sign-in items and the dialogs around a sign-in.

    `changed(Session)` after every refresh; the sync service answers `requested` with
    `finished(user)` or `failed(error)`.
    """

    requested = Signal(object)  # Credentials to sign in with (online)
    offline_requested = Signal(object)  # Credentials with a local user to work as
    sign_out_requested = Signal()
    cancel_requested = Signal()
    changed = Signal(object)  # Session

    def __init__(self, ctx: AppContext, window: QWidget, menu: QMenu) -> None:
        super().__init__(window)
        self._ctx = ctx
        self._window = window
        self.session: Session | None = None
        self.progress: SignInProgress | None = None
        self.failure: SignInFailed | None = None
        self.who = QAction("Not signed in", window)
        self.who.setEnabled(False)
        self.sign_in_action = QAction("&Sign in…", window)
        self.sign_in_action.triggered.connect(self.sign_in)
        self.sign_out_action = QAction("Sign &out…", window)
        self.sign_out_action.triggered.connect(self.sign_out)
        menu.addActions([self.who, self.sign_in_action, self.sign_out_action])
        self._credentials: Credentials | None = None

    def refresh(self) -> None:
        """Read the sign-in again (after a sign-in, a sign-out or a sync)."""
        self._ctx.query(session, self._show)

    def _show(self, current: Session) -> None:
        self.session = current
        if current.signed_in:
            self.who.setText(f"Signed in as {current.who} · {current.server}")
        elif current.who:
            self.who.setText(f"Working offline as {current.who}")
        else:
            self.who.setText("Not signed in")
        self.sign_in_action.setVisible(not current.signed_in)
        self.sign_out_action.setVisible(current.signed_in)
        self.changed.emit(current)

    def sign_in(self) -> LoginDialog:
        settings = self._ctx.settings
        server = settings["sync_server"] or (self.session.server if self.session else "") or ""
        dialog = LoginDialog(server, [], self._window, locked=settings.locked("sync_server"))
        if self.session is not None and self.session.username:
            dialog.username.setText(self.session.username)
        self._ctx.query(lambda store: store.users(), lambda users: _fill(dialog, users))
        dialog.accepted.connect(lambda: self._submit(dialog.credentials()))
        dialog.show()
        return dialog

    def _submit(self, credentials: Credentials) -> None:
        if credentials.server:
            self._ctx.settings.set("sync_server", credentials.server)
        if credentials.offline_user_id and not credentials.password:
            self.offline_requested.emit(credentials)
            return
        self._credentials = credentials
        self.progress = SignInProgress(credentials.server, credentials.username, self._window)
        self.progress.rejected.connect(self._cancel)
        self.progress.show()
        self.requested.emit(credentials)

    def waiting(self, why: str) -> None:
        """The sign-in under way waits to try again: show why in its progress dialog."""
        if self.progress is not None:
            self.progress.show_retry(why)

    def finished(self, _user: User) -> None:
        self._close_progress()
        self.refresh()

    def failed(self, error: BaseException) -> SignInFailed:
        self._close_progress()
        server = self._credentials.server if self._credentials else ""
        box = SignInFailed(*explain(error, server), self._window)
        box.try_again.clicked.connect(self.sign_in)
        box.show()
        self.failure = box
        return box

    def _cancel(self) -> None:
        self._close_progress()
        self.cancel_requested.emit()

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.rejected.disconnect()
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def sign_out(self) -> QMessageBox:
        """Ask first (the data stays, syncing stops); `sign_out_requested` on yes."""
        current = self.session
        where = f" from {current.server}" if current and current.server else ""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Sign out",
            f"Sign out{where}?",
            QMessageBox.StandardButton.Cancel,
            self._window,
        )
        box.setInformativeText(
            "Your data stays on this computer and syncing stops. Changes not synced yet are "
            "kept and sent when you sign in again as the same user."
        )
        confirm = box.addButton("Sign out", QMessageBox.ButtonRole.AcceptRole)
        box.buttonClicked.connect(lambda button: self._sign_out() if button is confirm else None)
        box.show()
        return box

    def _sign_out(self) -> None:
        settings, server = self._ctx.settings, self.session.server if self.session else None
        if server and not settings["sync_server"]:
            settings.set("sync_server", server)  # offered at the next sign-in
        self.sign_out_requested.emit()


def _fill(dialog: LoginDialog, users: list[User]) -> None:
    for user in users:
        dialog.offline.addItem(f"{user.name} ({user.email})", user.id)
