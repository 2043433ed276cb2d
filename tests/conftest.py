"""Shared fixtures: an offscreen Qt platform, a fresh store, and one sample of every entity."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as FailKeyring
from stand_in_keyrings import MemoryKeyring
from store_keys import open_store
from store_seeding import seed_records

from sfa_desktop.core.entities import User
from sfa_desktop.store import Store

pytest_plugins = ["sync_fixtures"]  # `server` and `device`: a real app and synced devices


@pytest.fixture(autouse=True)
def test_keyring() -> Iterator[KeyringBackend]:
    """Every test gets its own in-memory keyring standing in for the OS keyring, never the
    user's keyring (store keys, refresh tokens); tests of "no keyring" replace it."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# The day the forecast team scenarios describe: their quarter (2026-Q4) is open, their
# deals' moves happened "this week". Tests that need it ask for `on_written_day`.
WRITTEN_ON = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def on_written_day() -> Iterator[None]:
    """The wall clock (not the monotonic one) at WRITTEN_ON, ticking on from there, so a
    scenario of a fixed quarter reads the same after that quarter has ended."""
    with time_machine.travel(WRITTEN_ON, tick=True):
        yield


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No usable keyring backend, as on a headless box."""
    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store, encrypted with SQLCipher (store_keys.TEST_KEY) like every test store."""
    opened = open_store(tmp_path / "store.db")
    yield opened
    opened.close()


@pytest.fixture
def rep() -> User:
    return User(id="user-rep", name="Rita Rep", email="rita@example.com", manager_id="user-mgr")


@pytest.fixture
def signed_in(store: Store, rep: User) -> Store:
    manager = User(id="user-mgr", name="Max Manager", email="max@example.com", role="manager")
    seed_records(store, [manager])
    store.sign_in_as(rep)
    return store
