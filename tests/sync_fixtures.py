"""Fixtures: a real server app in process (SQLite) and devices that sync with it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from store_keys import TEST_KEY

from sfa_desktop.core.enums import Role
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sync_server.app import create_app
from sync_server.config import ServerSettings
from sync_server.models import User
from sync_server.services import admin, auth

PASSWORD = "correct horse battery"
SERVER_URL = "https://testserver"  # the dialogs refuse http:// to another host


@contextmanager
def acme_server(tmp_path: Path, **overrides: Any) -> Iterator[TestClient]:
    """A real server app on a SQLite file in `tmp_path`, seeded with org acme;
    `overrides` are ServerSettings fields."""
    settings = ServerSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path / 'server.db'}",
        secret_key="sync-test-secret",
        **overrides,
    )
    with TestClient(create_app(settings)) as client:
        seed_acme(client)
        yield client


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TestClient]:
    with acme_server(tmp_path) as client:
        yield client


def seed_acme(client: TestClient) -> None:
    """Org acme: mia (manager) over the reps rob and ria, all with PASSWORD."""
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        seed_acme_users(session)


def seed_acme_users(session: Session) -> dict[str, str]:
    """Seed org acme (see `seed_acme`) through `session`; username -> user id."""
    now = datetime.now(UTC)
    admin.create_org(session, "acme", now)
    for username, role, manager in [
        ("mia", Role.MANAGER, None),
        ("rob", Role.REP, "mia"),
        ("ria", Role.REP, "mia"),
    ]:
        admin.create_user(
            session,
            "acme",
            username,
            name=username.title(),
            email=f"{username}@example.com",
            password=PASSWORD,
            role=role,
            manager=manager,
            now=now,
        )
    return {user.username: user.id for user in session.scalars(select(User))}


Device = Callable[..., SyncAccount]


@pytest.fixture
def device(server: TestClient, tmp_path: Path) -> Iterator[Device]:
    """Make a signed-in device: its own SQLite file, talking to the in-process server."""
    opened: list[Store] = []

    def make(
        username: str = "rob", name: str = "laptop", transport: httpx.BaseTransport | None = None
    ) -> SyncAccount:
        store = Store.open(tmp_path / f"{username}-{name}.db", key=TEST_KEY)
        opened.append(store)
        account = SyncAccount(
            store, Credentials(persistent=False), transport=transport or server._transport
        )
        account.sign_in(SERVER_URL, username, PASSWORD, name)
        return account

    yield make
    for store in opened:
        store.close()


@dataclass
class HeldSignIn:
    """Once `hold()` is called, password checks on the server wait: `hashing` is set when
    one starts, and each waits until `finish` is set."""

    holding: threading.Event = field(default_factory=threading.Event)
    hashing: threading.Event = field(default_factory=threading.Event)
    finish: threading.Event = field(default_factory=threading.Event)

    def hold(self) -> None:
        self.holding.set()


@pytest.fixture
def held_sign_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldSignIn]:
    held = HeldSignIn()
    verify = auth._verify

    def slow_verify(password_hash: str, password: str) -> bool:
        if held.holding.is_set():
            held.hashing.set()
            assert held.finish.wait(30)
        return verify(password_hash, password)

    monkeypatch.setattr(auth, "_verify", slow_verify)
    yield held
    held.finish.set()
