"""Shared fixtures: an offscreen Qt platform, a fresh store, and one sample of every entity."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sfa_desktop.core.entities import User
from sfa_desktop.store import Store

pytest_plugins = ["sync_fixtures"]  # `server` and `device`: a real app and synced devices


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "store.db")
    yield opened
    opened.close()


@pytest.fixture
def rep() -> User:
    return User(id="user-rep", name="Rita Rep", email="rita@example.com", manager_id="user-mgr")


@pytest.fixture
def signed_in(store: Store, rep: User) -> Store:
    manager = User(id="user-mgr", name="Max Manager", email="max@example.com", role="manager")
    store.import_records([manager])
    store.sign_in_as(rep)
    return store
