"""The passphrase dialog (no system keyring) and opening the store at start-up."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from pytestqt.qtbot import QtBot

from sfa_desktop.core.entities import Account
from sfa_desktop.security import store_key
from sfa_desktop.security.store_key import PassphraseRequest, entry, salt_file
from sfa_desktop.store import Store
from sfa_desktop.ui import app
from sfa_desktop.ui.shell import passphrase_dialog
from sfa_desktop.ui.shell.passphrase_dialog import PassphraseDialog

GOOD = "correct horse battery"


def test_choosing_a_passphrase_enables_ok_only_once_it_is_valid(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = PassphraseDialog(PassphraseRequest(tmp_path / "sfa.db", new=True))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "SFA Desktop — local data"
    assert not dialog.ok.isEnabled()
    assert dialog.message.text() == "Enter a passphrase."  # a hint before typing
    dialog.grab().save(str(tmp_path / "passphrase-new.png"))

    qtbot.keyClicks(dialog.passphrase, "short")
    assert dialog.message.text() == "Use at least 8 characters."
    assert not dialog.ok.isEnabled()
    dialog.passphrase.setText(GOOD)
    qtbot.keyClicks(dialog.repeated, "correct horse")
    assert dialog.message.text() == "The two passphrases differ."
    assert not dialog.ok.isEnabled()
    dialog.accept()  # Enter while OK is disabled does nothing
    assert dialog.result() == 0
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.repeated, " battery")
    assert dialog.ok.isEnabled()
    assert dialog.message.text() == ""
    dialog.passphrase.clear()
    assert dialog.message.text() == "Enter a passphrase."
    assert not dialog.ok.isEnabled()

    dialog.show_text.setChecked(True)
    assert dialog.repeated.echoMode() == dialog.repeated.EchoMode.Normal
    dialog.grab().save("/tmp/passphrase.png")


def test_unlocking_shows_why_it_asks_again_until_the_rep_types(
    qtbot: QtBot, tmp_path: Path
) -> None:
    request = PassphraseRequest(tmp_path / "sfa.db", new=False, problem="Wrong passphrase.")
    dialog = PassphraseDialog(request)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.repeated.isHidden()  # entered once
    assert dialog.ok.text() == "Unlock"
    assert dialog.message.text() == "Wrong passphrase."
    assert not dialog.ok.isEnabled()
    dialog.grab().save(str(tmp_path / "passphrase-unlock.png"))
    qtbot.keyClicks(dialog.passphrase, "x")
    assert dialog.ok.isEnabled()
    assert dialog.message.text() == ""


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_start_up_asks_for_the_passphrase(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_key, "SCRYPT_N", 2**10)
    path = tmp_path / "sfa.db"
    answers: list[str | None] = [GOOD, "wrong passphrase", GOOD, None]
    asked: list[PassphraseRequest] = []

    def ask(request: PassphraseRequest) -> str | None:
        asked.append(request)
        return answers.pop(0)

    monkeypatch.setattr(passphrase_dialog, "ask_passphrase", ask)
    store = app.open_store(path)
    assert isinstance(store, Store)
    store.create(Account, {"name": "Kept"})
    store.close()
    assert salt_file(path).exists()
    again = app.open_store(path)
    assert isinstance(again, Store)
    assert [a.name for a in again.records(Account)] == ["Kept"]
    again.close()
    assert [(r.new, r.problem) for r in asked] == [
        (True, ""),
        (False, ""),
        (False, "Wrong passphrase. Try again."),
    ]
    assert app.open_store(path) is None  # cancelled: the app does not start


def test_with_a_keyring_start_up_asks_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sfa.db"
    store = app.open_store(path)
    assert isinstance(store, Store)
    store.close()
    assert keyring.get_password("sfa-desktop", entry(path)) is not None
    assert not salt_file(path).exists()


def test_a_store_whose_key_does_not_fit_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sfa.db"
    Store.open(path, key=bytes(32)).close()
    store_key.remember(path, bytes(range(32)))  # the keyring holds another key
    shown: list[str] = []
    monkeypatch.setattr(app.QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    assert app.open_store(path) is None
    assert "cannot be opened with this key" in shown[0]
