"""A new site file that locks another server moves a signed-in laptop (issue 23, point 3):
its unsynced edits go to the old server first, then its session there ends and its copy of
the old server's data is erased; while the old server cannot be reached nothing moves and
nothing is lost. Two real `sfa-server` processes (pilot and production), real
`sfa-desktop` commands, no keyring (the store's passphrase comes from the environment)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_kit import PASSWORD, acme_server, edit_offline, rep_env, run_client

from sfa_desktop.sync.local_server import ServerProcess


@pytest.fixture
def pilot(tmp_path: Path) -> Iterator[ServerProcess]:
    process = acme_server(tmp_path / "pilot", ("rob", "mia"))
    yield process
    process.stop()


@pytest.fixture
def production(tmp_path: Path) -> Iterator[ServerProcess]:
    process = acme_server(tmp_path / "production")
    yield process
    process.stop()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return rep_env(tmp_path / "home")


def _lock(env: dict[str, str], folder: Path, server: str) -> dict[str, str]:
    """The environment with a site file that locks `server` (no admin file on this machine,
    so SFA_SITE_CONFIG is used as it is)."""
    site = folder / "site.toml"
    site.write_text(
        'locked = ["sync_server"]\n[site]\norganisation = "Acme"\n'
        f'[sync]\nserver_url = "{server}"\n'
    )
    return env | {"SFA_SITE_CONFIG": str(site)}


def _accounts(server_folder: Path) -> list[str]:
    with sqlite3.connect(server_folder / "server.db") as db:
        rows = db.execute("SELECT data FROM records WHERE entity = 'account'").fetchall()
    return [row[0] for row in rows]


def _devices(server: ServerProcess, username: str) -> list[list[str]]:
    return [line.split("\t") for line in server.run("admin", "list-devices", username).splitlines()]


def test_a_locked_server_moves_a_signed_in_laptop_without_losing_an_edit(
    env: dict[str, str], pilot: ServerProcess, production: ServerProcess, tmp_path: Path
) -> None:
    db = Path(env["HOME"]) / "rep.db"
    login = run_client("login", "--server", pilot.url, "--user", "rob", "--db", str(db),
                    env=env, stdin=PASSWORD + "\n")  # fmt: skip
    assert login.returncode == 0, login.stderr
    edit_offline(db, "Made on the pilot")
    moved_env = _lock(env, tmp_path, production.url)

    pilot.stop()  # the admin locks production while the pilot cannot be reached
    held = run_client("sync", "--db", str(db), env=moved_env)
    assert held.returncode == 1
    assert f"from {pilot.url} to {production.url}" in held.stderr
    assert "1 edits made here have not reached" in held.stderr
    assert "Traceback" not in held.stderr
    assert db.exists()  # nothing erased, nothing sent anywhere
    assert not any("Made on the pilot" in data for data in _accounts(tmp_path / "production"))
    refused = run_client("login", "--user", "rob", "--db", str(db), env=moved_env,
                      stdin=PASSWORD + "\n")  # fmt: skip
    assert refused.returncode == 1
    assert "have not reached" in refused.stderr
    assert db.exists()

    pilot.start()  # back (same port): the edit goes to the pilot, then the laptop moves
    moved = run_client("sync", "--db", str(db), env=moved_env)
    assert moved.returncode == 1, moved.stderr  # nothing synced yet: sign in first
    assert "1 unsynced edits were sent there first" in moved.stdout
    assert "Sign in: sfa-desktop login --user rob" in moved.stdout
    assert any("Made on the pilot" in data for data in _accounts(tmp_path / "pilot"))
    assert not db.exists()  # the pilot's copy is erased
    [[_, name, state, *_]] = _devices(pilot, "rob")
    assert state == "signed out"
    assert "(" in name  # host (user, system), not the bare host name

    login = run_client("login", "--user", "rob", "--db", str(db), env=moved_env,
                    stdin=PASSWORD + "\n")  # fmt: skip
    assert login.returncode == 0, login.stderr
    assert f"on {production.url}" in login.stdout
    synced = run_client("sync", "--db", str(db), env=moved_env)
    assert synced.returncode == 0, synced.stderr
    assert f"Syncing with {production.url}" in synced.stdout
    [[*_, state, _, _]] = _devices(production, "rob")
    assert state == "active"


def test_a_sign_in_the_app_does_not_keep_ends_on_the_server(
    env: dict[str, str], pilot: ServerProcess
) -> None:
    """Failed sign-ins leave no live device (issue 23, point 7): a second user on a laptop
    holding the first user's data is refused, and their new session ends at once."""
    db = Path(env["HOME"]) / "rep.db"
    for user, expected in (("rob", 0), ("mia", 1)):
        done = run_client("login", "--server", pilot.url, "--user", user, "--db", str(db),
                       env=env, stdin=PASSWORD + "\n")  # fmt: skip
        assert done.returncode == expected, done.stderr
    assert "belongs to another user" in done.stderr
    [[*_, state, _, _]] = _devices(pilot, "mia")
    assert state == "signed out"
    [[*_, state, _, _]] = _devices(pilot, "rob")
    assert state == "active"
