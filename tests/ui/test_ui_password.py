"""File ▸ Change password…: the dialog against the in-process server (offscreen)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sync_fixtures import PASSWORD, SERVER_URL, Device

from sfa_desktop.app.context import AppContext
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.client import SyncClient
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.errors import AuthenticationRequired
from sfa_desktop.ui.app import change_password
from sfa_desktop.ui.main_window import MainWindow
from sfa_desktop.ui.shell.password_dialog import NewPassword, PasswordDialog
from sync_server.models import User
from sync_server.services import passwords

NEW = "a brand new passphrase"
LOOPBACK = "http://127.0.0.1:8765"  # the in-process server answers whatever the host


def _dialog(qtbot: QtBot, client: SyncClient) -> PasswordDialog:
    def submit(
        typed: NewPassword, done: Callable[[], None], failed: Callable[[BaseException], None]
    ) -> None:
        try:
            client.change_password(typed.current, typed.new)
        except Exception as error:
            failed(error)
            return
        done()

    dialog = PasswordDialog(submit)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _type(dialog: PasswordDialog, current: str, new: str, repeat: str | None = None) -> None:
    dialog.current.setText(current)
    dialog.new.setText(new)
    dialog.repeat.setText(new if repeat is None else repeat)
    dialog.accept()


def _shown(dialog: PasswordDialog) -> dict[str, str]:
    names = {dialog.current: "current", dialog.new: "new", dialog.repeat: "repeat"}
    return {names[f]: label.text() for f, label in dialog.errors.items() if label.isVisible()}


def test_errors_show_under_their_field(qtbot: QtBot, server: TestClient, device: Device) -> None:
    dialog = _dialog(qtbot, device("rob").client())
    _type(dialog, "not my password", NEW)
    assert _shown(dialog) == {"current": "The current password is wrong"}
    _type(dialog, PASSWORD, "short")
    assert _shown(dialog) == {"new": "Use at least 8 characters."}
    _type(dialog, PASSWORD, NEW, "a brand new passphrasE")
    assert _shown(dialog) == {"repeat": "The two new passwords differ."}
    assert dialog.result() != QDialog.DialogCode.Accepted
    _type(dialog, PASSWORD, NEW)
    assert dialog.result() == QDialog.DialogCode.Accepted
    fresh = SyncClient(SERVER_URL, transport=server._transport)
    with pytest.raises(AuthenticationRequired):
        fresh.login("rob", PASSWORD, "desk")
    assert fresh.login("rob", NEW, "desk").user.name == "Rob"


def test_the_file_menu_offers_it(qtbot: QtBot, window: MainWindow) -> None:
    (action,) = [a for a in window.findChildren(QAction) if a.text() == "Change &password…"]
    with qtbot.waitSignal(window.change_password_requested, timeout=1000):
        action.trigger()


def test_the_window_asks_the_server_off_the_ui_thread(
    qtbot: QtBot,
    ctx: AppContext,
    window: MainWindow,
    device: Device,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[PasswordDialog] = []
    monkeypatch.setattr(PasswordDialog, "exec", lambda self: opened.append(self) or self.show())
    change_password(ctx, window, device("rob"))
    (dialog,) = opened
    _type(dialog, "not my password", NEW)
    qtbot.waitUntil(lambda: bool(_shown(dialog)))
    assert _shown(dialog) == {"current": "The current password is wrong"}
    _type(dialog, PASSWORD, NEW)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)


def test_before_the_first_sign_in_it_takes_a_set_up_code(
    qtbot: QtBot,
    ctx: AppContext,
    window: MainWindow,
    server: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = passwords.new_setup_code()
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        rob = session.query(User).filter_by(username="rob").one()
        rob.password_hash = passwords.setup_hash(code, datetime.now(UTC) + timedelta(days=1), None)
        session.commit()
    ctx.settings.set("sync_server", LOOPBACK)  # http:// is for loopback alone
    account = SyncAccount(ctx.store, Credentials(persistent=False), transport=server._transport)
    assert account.server_url is None
    opened: list[PasswordDialog] = []
    monkeypatch.setattr(PasswordDialog, "exec", lambda self: opened.append(self) or self.show())
    change_password(ctx, window, account)
    (dialog,) = opened
    assert dialog.windowTitle() == "Set your password"
    dialog.username.setText("rob")
    _type(dialog, "AAAA-BBBB-CCCC-DDDD", NEW)
    qtbot.waitUntil(lambda: bool(_shown(dialog)))
    assert _shown(dialog)["current"].startswith("Wrong username or set-up code")
    _type(dialog, code, NEW)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    assert SyncClient(SERVER_URL, transport=server._transport).login("rob", NEW, "desk")
