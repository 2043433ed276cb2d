"""`sfa-desktop reset` hands a laptop over (issue 23, point 7): what can be pushed is pushed,
then the local store, its outbox copy, its key and the saved sign-in are erased; unsynced
edits are never erased silently. Real `sfa-desktop` and `sfa-server` processes, no keyring
(the store's passphrase comes from the environment)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sfa_desktop.core.entities import Account
from sfa_desktop.security import store_key
from sfa_desktop.store import Store
from sfa_desktop.sync.local_server import ServerProcess

PASSWORD = "correct horse battery"
PASSPHRASE = "a passphrase for the store"
CLIENT = (sys.executable, "-m", "sfa_desktop")
TESTS = str(Path(__file__).resolve().parents[1])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return os.environ | {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONPATH": os.pathsep.join(filter(None, [TESTS, os.environ.get("PYTHONPATH")])),
        "SFA_STORE_PASSPHRASE": PASSPHRASE,
    }


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(
        {"SFA_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}", "SFA_SECRET_KEY": "k" * 40}
    )
    process.run("migrate")
    process.run("admin", "create-org", "acme")
    user = ("rob", "--org", "acme", "--name", "Rob Rep", "--email", "rob@example.com")
    process.run("admin", "create-user", *user, "--password", PASSWORD)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _client(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLIENT, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def _edit_offline(db: Path, name: str) -> None:
    """An edit made on the laptop that has not synced yet."""
    store = Store.open(db, key=store_key.unlock(db, PASSPHRASE).key)
    store.create(Account, {"name": name})
    store.close()


def _accounts_on_server(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "server.db") as db:
        rows = db.execute("SELECT data FROM records WHERE entity = 'account'").fetchall()
    return [row[0] for row in rows]


def _left(db: Path) -> list[str]:
    return sorted(path.name for path in db.parent.iterdir() if path.name.startswith(db.name))


def test_reset_pushes_first_and_never_erases_unsynced_edits_silently(
    env: dict[str, str], server: ServerProcess, tmp_path: Path
) -> None:
    db = Path(env["HOME"]) / "rep.db"
    login = _client("login", "--server", server.url, "--user", "rob", "--db", str(db),
                    env=env, stdin=PASSWORD + "\n")  # fmt: skip
    assert login.returncode == 0, login.stderr
    _edit_offline(db, "Made offline")

    server.stop()  # the server cannot be reached: nothing is erased
    refused = _client("reset", "--db", str(db), env=env)
    assert refused.returncode == 1
    assert "Not reset: 1 edits made on this computer have not reached the server" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert db.exists()
    assert _left(db) == ["rep.db", "rep.db.outbox", "rep.db.salt", "rep.db.salt-copy"]
    assert not any("Made offline" in data for data in _accounts_on_server(tmp_path))

    server.start()  # reachable again (same port): the edit goes up, then everything goes
    done = _client("reset", "--db", str(db), env=env)
    assert done.returncode == 0, done.stderr
    assert "Sending 1 unsynced edits" in done.stdout
    assert "Reset:" in done.stdout
    assert any("Made offline" in data for data in _accounts_on_server(tmp_path))
    assert _left(db) == []  # the store, its WAL, its outbox copy (with the sign-in)
    with pytest.raises(store_key.StoreKeyError):
        store_key.unlock(db, PASSPHRASE)  # no key material left to unlock with
    again = _client("reset", "--db", str(db), env=env)
    assert again.returncode == 0
    assert "Nothing to reset" in again.stdout


def test_reset_force_erases_unsynced_edits_and_says_so(
    env: dict[str, str], server: ServerProcess
) -> None:
    db = Path(env["HOME"]) / "rep.db"
    login = _client("login", "--server", server.url, "--user", "rob", "--db", str(db),
                    env=env, stdin=PASSWORD + "\n")  # fmt: skip
    assert login.returncode == 0, login.stderr
    _edit_offline(db, "Lost on purpose")
    server.stop()
    forced = _client("reset", "--force", "--db", str(db), env=env)
    assert forced.returncode == 0, forced.stderr
    assert "(1 unsynced edits erased)" in forced.stdout
    assert _left(db) == []
