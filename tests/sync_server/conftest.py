"""Fixtures: a fresh database per test on SQLite and PostgreSQL, the real app, a seeded org."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from sync_server.app import create_app
from sync_server.config import ServerSettings

sys.path.insert(0, str(Path(__file__).parent))  # server_kit sits beside this file
from server_kit import PG_URL, Org, make_settings, seed

_pg_state: dict[str, str | None] = {}


def _pg_problem() -> str | None:
    if "problem" not in _pg_state:
        try:
            engine = create_engine(PG_URL)
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            _pg_state["problem"] = None
        except Exception as exc:  # any failure to connect means "unreachable"
            _pg_state["problem"] = f"PostgreSQL unreachable at {PG_URL}: {exc}"
    return _pg_state["problem"]


def _require_pg() -> None:
    problem = _pg_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    yield from _pg_schema()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema only (for tests that need real concurrency)."""
    yield from _pg_schema()


def _pg_schema() -> Iterator[str]:
    _require_pg()
    schema = f"sfa_t_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin_engine.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin_engine.dispose()


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
