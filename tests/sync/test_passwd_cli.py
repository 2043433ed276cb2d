"""`sfa-desktop passwd` in process, against the in-process server."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sync_fixtures import PASSWORD, SERVER_URL, TEST_KEY, Device

from sfa_desktop.cli import main
from sfa_desktop.store import Store
from sfa_desktop.sync import commands
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.client import SyncClient
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.errors import AuthenticationRequired
from sync_server.models import User
from sync_server.services import passwords

NEW = "a brand new passphrase"


def _run(monkeypatch: pytest.MonkeyPatch, account: SyncAccount, stdin: str, *args: str) -> int:
    monkeypatch.setattr(commands, "_open_account", lambda _db: account)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["passwd", *args])


def test_passwd_changes_the_signed_in_users_password(
    server: TestClient,
    device: Device,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(monkeypatch, device("rob"), f"not mine\n{NEW}\n") == 1
    assert capsys.readouterr().err.splitlines() == [
        "Password not changed: The server refused the request (400): the current password is wrong"
    ]
    assert _run(monkeypatch, device("rob"), f"{PASSWORD}\nshort\n") == 2
    assert "at least 8 characters" in capsys.readouterr().err
    assert _run(monkeypatch, device("rob"), "") == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
    assert _run(monkeypatch, device("rob"), f"{PASSWORD}\n{NEW}\n") == 0
    assert capsys.readouterr().out.strip() == "Password changed."
    client = SyncClient(SERVER_URL, transport=server._transport)
    with pytest.raises(AuthenticationRequired):
        client.login("rob", PASSWORD, "desk")
    assert client.login("rob", NEW, "desk").user.name == "Rob"


def test_passwd_setup_takes_the_code(
    server: TestClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = passwords.new_setup_code()
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        rob = session.query(User).filter_by(username="rob").one()
        rob.password_hash = passwords.setup_hash(code, datetime.now(UTC) + timedelta(days=1), None)
        session.commit()

    def fresh() -> SyncAccount:
        store = Store.open(tmp_path / f"new-{len(list(tmp_path.iterdir()))}.db", key=TEST_KEY)
        return SyncAccount(store, Credentials(persistent=False), transport=server._transport)

    setup = ["--setup", "--user", "rob", "--server", "http://127.0.0.1:8765"]
    assert _run(monkeypatch, fresh(), f"{PASSWORD}\n{NEW}\n", *setup) == 1
    assert "wrong username or set-up code" in capsys.readouterr().err
    assert _run(monkeypatch, fresh(), f"{code}\n{NEW}\n", *setup) == 0
    assert capsys.readouterr().out.strip() == "Password set: sign in with it now."
    client = SyncClient(SERVER_URL, transport=server._transport)
    assert client.login("rob", NEW, "desk").user.name == "Rob"
    unused = fresh()
    assert _run(monkeypatch, unused, f"{code}\n{NEW}\n", "--setup") == 2  # who, where?
    assert "needs --user NAME" in capsys.readouterr().err
    unused.store.close()
