"""`sfa-desktop reset` hands a laptop over (issue 23, point 7): what can be pushed is pushed,
then the local store, its outbox copy, its key and the saved sign-in are erased; unsynced
edits are never erased silently. Real `sfa-desktop` and `sfa-server` processes, no keyring
(the store's passphrase comes from the environment)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_kit import PASSPHRASE, acme_server, edit_offline, login, rep_env, run_client

from sfa_desktop.security import store_key
from sfa_desktop.sync.local_server import ServerProcess


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return rep_env(tmp_path / "home")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = acme_server(tmp_path / "server")
    try:
        yield process
    finally:
        process.stop()


def _accounts_on_server(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "server" / "server.db") as db:
        rows = db.execute("SELECT data FROM records WHERE entity = 'account'").fetchall()
    return [row[0] for row in rows]


def _left(db: Path) -> list[str]:
    return sorted(path.name for path in db.parent.iterdir() if path.name.startswith(db.name))


def test_reset_pushes_first_and_never_erases_unsynced_edits_silently(
    env: dict[str, str], server: ServerProcess, tmp_path: Path
) -> None:
    db = Path(env["HOME"]) / "rep.db"
    login(server.url, db, env)
    edit_offline(db, "Made offline")

    server.stop()  # the server cannot be reached: nothing is erased
    refused = run_client("reset", "--db", str(db), env=env)
    assert refused.returncode == 1
    assert "Not reset: 1 edits made on this computer have not reached the server" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert db.exists()
    assert _left(db) == ["rep.db", "rep.db.outbox", "rep.db.salt", "rep.db.salt-copy"]
    assert not any("Made offline" in data for data in _accounts_on_server(tmp_path))

    server.start()  # reachable again (same port): the edit goes up, then everything goes
    done = run_client("reset", "--db", str(db), env=env)
    assert done.returncode == 0, done.stderr
    assert "Sending 1 unsynced edits" in done.stdout
    assert "Reset:" in done.stdout
    assert any("Made offline" in data for data in _accounts_on_server(tmp_path))
    assert _left(db) == []  # the store, its WAL, its outbox copy (with the sign-in)
    with pytest.raises(store_key.StoreKeyError):
        store_key.unlock(db, PASSPHRASE)  # no key material left to unlock with
    again = run_client("reset", "--db", str(db), env=env)
    assert again.returncode == 0
    assert "Nothing to reset" in again.stdout


def test_reset_force_erases_unsynced_edits_and_says_so(
    env: dict[str, str], server: ServerProcess
) -> None:
    db = Path(env["HOME"]) / "rep.db"
    login(server.url, db, env)
    edit_offline(db, "Lost on purpose")
    server.stop()
    forced = run_client("reset", "--force", "--db", str(db), env=env)
    assert forced.returncode == 0, forced.stderr
    assert "(1 unsynced edits erased)" in forced.stdout
    assert _left(db) == []
