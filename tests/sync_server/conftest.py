"""Fixtures: a fresh database per test on SQLite and PostgreSQL, the real app, a seeded org."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pg_schema import fresh_schema

from sync_server.app import create_app
from sync_server.config import ServerSettings

sys.path.insert(0, str(Path(__file__).parent))  # server_kit and fuzz_kit sit beside this file
from fuzz_kit import World, live_world
from server_kit import Org, make_settings, seed


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    with fresh_schema() as url:
        yield url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema only (for tests that need real concurrency)."""
    with fresh_schema() as url:
        yield url


@pytest.fixture
def app_settings(db_url: str) -> ServerSettings:
    return make_settings(db_url)


@pytest.fixture
def client(app_settings: ServerSettings) -> Iterator[TestClient]:
    app = create_app(app_settings)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def org(client: TestClient) -> Org:
    return seed(client)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The fuzz tests' live server over a seeded database, once per module and database."""
    with live_world(request.param, tmp_path_factory.mktemp("fuzz")) as live:
        yield live
