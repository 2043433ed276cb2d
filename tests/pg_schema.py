"""A fresh PostgreSQL schema per test or harness example (never a shared database)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from required_tools import unavailable
from sqlalchemy import create_engine, text

PG_URL = os.environ.get(
    "SFA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_problem: dict[str, str | None] = {}


def pg_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None (checked once per run)."""
    if "value" not in _problem:
        try:
            engine = create_engine(PG_URL)
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            _problem["value"] = None
        except Exception as exc:  # any failure to connect means "unreachable"
            _problem["value"] = f"PostgreSQL unreachable at {PG_URL}: {exc}"
    return _problem["value"]


def require_pg() -> None:
    """Skip when PostgreSQL is down; under CI that is a failure, never a skip."""
    problem = pg_problem()
    if problem:
        unavailable(problem)


@contextmanager
def fresh_schema(prefix: str = "sfa_t") -> Iterator[str]:
    """A URL whose search_path is a new empty schema, dropped afterwards."""
    require_pg()
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
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
