"""At start, the app follows the admin's move to another locked server (issue 23, point 3):
a busy dialog while the edits go to the old server, then a new store and the reason; held
(same store, nothing sent elsewhere) while the old server cannot be reached. Two real
server processes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from store_keys import TEST_KEY

from sfa_desktop.core.entities import Account
from sfa_desktop.site_config import SiteConfig
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.local_server import ServerProcess
from sfa_desktop.ui import site_move

PASSWORD = "correct horse battery"


def _server(folder: Path) -> ServerProcess:
    folder.mkdir()
    process = ServerProcess(
        {"SFA_DATABASE_URL": f"sqlite:///{folder / 'server.db'}", "SFA_SECRET_KEY": "k" * 40}
    )
    process.run("migrate")
    process.run("admin", "create-org", "acme")
    user = ("rob", "--org", "acme", "--name", "Rob", "--email", "rob@example.com")
    process.run("admin", "create-user", *user, "--password", PASSWORD)
    process.start()
    return process


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    pilot, production = _server(tmp_path / "pilot"), _server(tmp_path / "production")
    yield pilot, production
    pilot.stop()
    production.stop()


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What message boxes said (they are accepted at once)."""
    said: list[str] = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(lambda _p, _t, text: said.append(text)))
    return said


def _pilot_accounts(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "pilot" / "server.db") as db:
        return [row[0] for row in db.execute("SELECT data FROM records WHERE entity='account'")]


def test_start_moves_to_the_locked_server_after_sending_the_edits(
    qtbot: QtBot, servers: tuple[ServerProcess, ServerProcess], tmp_path: Path, told: list[str]
) -> None:
    pilot, production = servers
    path = tmp_path / "rep.db"
    store = Store.open(path, key=TEST_KEY)
    SyncAccount(store, Credentials(vault=store)).sign_in(pilot.url, "rob", PASSWORD, "lap")
    store.create(Account, {"name": "Made on the pilot"})
    site = SiteConfig(
        path=tmp_path / "site.toml",
        organisation="Acme",
        defaults={"sync_server": production.url},
        locked=frozenset({"sync_server"}),
    )
    fresh: list[Store] = []

    def reopen() -> Store:
        fresh.append(Store.open(path, key=TEST_KEY))
        return fresh[-1]

    pilot.stop()
    kept, held = site_move.follow(store, site, reopen)
    assert kept is store
    assert not fresh
    assert "1 edits made here have not reached" in held
    assert told == [held]
    assert store.outbox_count() == 1

    pilot.start()
    moved, held = site_move.follow(store, site, reopen)
    assert held == ""
    assert fresh == [moved]
    assert moved is not None
    assert moved.state("server_url") is None  # a new store: sign in to production next
    assert moved.outbox_count() == 0
    assert f"sign in to {production.url}" in told[-1]
    assert any("Made on the pilot" in data for data in _pilot_accounts(tmp_path))
    moved.close()


def test_a_start_on_the_locked_server_imports_no_sync_stack(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "rep.db", key=TEST_KEY)
    site = SiteConfig(path=tmp_path / "s.toml", organisation="A", locked=frozenset())
    assert site_move.follow(store, site, lambda: None) == (store, "")
    store.close()
