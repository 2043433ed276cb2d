"""The sign-in dialog and Settings refuse http:// to another host with a message under the
server field (the one rule of sfa_desktop.core.addresses); loopback http stays allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sfa_desktop.app.settings import Settings
from sfa_desktop.ui.shell.login_dialog import LoginDialog
from sfa_desktop.ui.shell.settings_dialog import SettingsDialog

REFUSED = (
    "must use https:// (http:// is allowed only for a loopback address), "
    "got 'http://sfa.example.com'."
)


def sign_in(qtbot: QtBot, server: str) -> LoginDialog:
    dialog = LoginDialog("", [])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.server.setText(server)
    dialog.username.setText("rita")
    dialog.password.setText("secret")
    dialog.accept()
    return dialog


def test_the_sign_in_dialog_refuses_http_to_another_host(qtbot: QtBot) -> None:
    dialog = sign_in(qtbot, "http://sfa.example.com")
    assert dialog.isVisible()  # not accepted: the password goes nowhere
    assert dialog.server_error.isVisible()
    assert dialog.server_error.text() == f"The server address {REFUSED}"
    dialog.server.setText("https://sfa.example.com")
    dialog.accept()
    assert not dialog.isVisible()
    assert dialog.result() == LoginDialog.DialogCode.Accepted


@pytest.mark.parametrize("server", ["http://127.0.0.1:8765", "https://sfa.example.com"])
def test_the_sign_in_dialog_takes_https_and_loopback_http(qtbot: QtBot, server: str) -> None:
    dialog = sign_in(qtbot, server)
    assert not dialog.server_error.isVisible()
    assert dialog.result() == LoginDialog.DialogCode.Accepted


def test_settings_refuse_http_to_another_host(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(tmp_path / "settings.json")
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    field = dialog.widgets["sync_server"]
    field.setText("http://sfa.example.com")  # type: ignore[attr-defined]
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.errors["sync_server"].isVisible()
    assert dialog.errors["sync_server"].text() == f"This {REFUSED}"
    assert settings["sync_server"] == ""  # nothing saved
    assert not (tmp_path / "settings.json").exists()
    field.setText("http://localhost:8765")  # type: ignore[attr-defined]
    dialog.accept()
    assert not dialog.isVisible()
    assert not dialog.errors["sync_server"].isVisible()
    assert settings["sync_server"] == "http://localhost:8765"
