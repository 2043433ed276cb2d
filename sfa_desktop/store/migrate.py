"""Bring a store database to the newest schema with the bundled Alembic migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision; a test checks it against the migration scripts.
HEAD_REVISION = "0002"


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Autogenerate ignores the search tables (FTS5 and its map), which have no model."""
    return not (type_ == "table" and name is not None and name.startswith("search_"))


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply missing migrations in one transaction; a no-op on an up-to-date file."""
    with engine.begin() as connection:
        if revision == "head" and current_revision(connection) == HEAD_REVISION:
            return
        command.upgrade(alembic_config(connection), revision)
