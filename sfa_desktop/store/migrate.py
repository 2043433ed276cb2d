"""Bring a store database to the newest schema with the bundled Alembic migrations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from sfa_desktop.sql import migrate as shared

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision; a test checks it against the migration scripts.
HEAD_REVISION = "0013"


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Autogenerate ignores what has no model: the search tables (FTS5 and its map) and
    the case-insensitive sort indexes (a model cannot declare a collation per index)."""
    if name is None:
        return True
    return not (
        (type_ == "table" and name.startswith("search_"))
        or (type_ == "index" and name.startswith("sort_"))
    )


def alembic_config(connection: Connection) -> Config:
    return shared.alembic_config(str(MIGRATIONS), connection)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply missing migrations in one transaction; a no-op on an up-to-date file (read
    with plain SQL: importing Alembic costs start-up time)."""
    shared.upgrade(engine, str(MIGRATIONS), revision, head=HEAD_REVISION)
