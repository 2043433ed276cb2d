"""What the rep is told when the local store is damaged: one line from the commands, a
message box at start-up; never a traceback (issue 14, point 6)."""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import pytest
from store_keys import TEST_KEY

from sfa_desktop import cli
from sfa_desktop.core.entities import Account, User
from sfa_desktop.security import store_key
from sfa_desktop.store import Store
from sfa_desktop.ui import app

SERVER = "http://127.0.0.1:9"  # nothing listens: the sync after the rescue is offline


def damaged_store(path: Path, edits: int = 3) -> None:
    """A signed-in store with unsynced edits whose file was cut to 0 bytes; its key and
    its session are in the (test) keyring."""
    store = Store.open(path, key=TEST_KEY)
    store.sign_in_as(User(id="user-rob", name="Rob", email="rob@example.com"))
    store.set_state(server_url=SERVER, username="rob", device_id="device-1")
    for i in range(edits):
        store.create(Account, {"name": f"Offline {i}"})
    store.close()
    store_key.remember(path, TEST_KEY)
    keyring.set_password("sfa-desktop", f"rob@{SERVER}", "refresh-" + "x" * 40)
    os.truncate(path, 0)


def test_the_sync_command_says_in_one_line_what_was_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "store.db"
    damaged_store(path)
    assert cli.main(["sync", "--db", str(path)]) == 1  # offline, but not signed out
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert lines[0].startswith("The local database store.db was empty (0 bytes), so it was set")
    assert "your 3 unsynced edits and your sign-in were kept" in lines[0]
    assert lines[1].startswith("Sync failed:")
    assert "Sign in" not in lines[1]
    assert len(lines) == 2
    assert "Traceback" not in out + err


def test_the_sync_command_reports_a_wrong_key_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "store.db"
    damaged_store(path)
    Store.open(path, key=TEST_KEY).close()  # rescued
    store_key.remember(path, bytes(range(32)))
    assert cli.main(["sync", "--db", str(path)]) == 1
    out, err = capsys.readouterr()
    assert err.startswith("The local database cannot be opened: The local database ")
    assert err.count("\n") == 1
    assert "Traceback" not in out + err


def test_start_up_shows_what_a_rescue_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "store.db"
    damaged_store(path, edits=2)
    shown: list[str] = []
    monkeypatch.setattr(app.QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    store = app.open_store(path)
    assert isinstance(store, Store)
    assert shown == [store.rescued.message if store.rescued else ""]
    assert "your 2 unsynced edits and your sign-in were kept" in shown[0]
    assert store.outbox_count() == 2
    assert store.state("server_url") == SERVER
    store.close()
