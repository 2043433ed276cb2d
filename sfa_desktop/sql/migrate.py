"""The one Alembic helper: a config on a caller's connection, the revision read with plain
SQL, and an upgrade in one transaction. Alembic is imported only when a migration runs
(importing it costs start-up time)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(script_location: str, connection: Connection | None = None) -> Config:
    """A config for the migrations at `script_location` (a folder or `package:folder`);
    their env.py runs on `connection` (config.attributes["connection"])."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", script_location)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    """The database's revision, or None before the first migration."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(
    engine: Engine, script_location: str, revision: str = "head", head: str | None = None
) -> None:
    """Apply the missing migrations in one transaction; with `head` given, a database
    already there is left alone without importing Alembic."""
    with engine.begin() as connection:
        if head is not None and revision == "head" and current_revision(connection) == head:
            return
        from alembic import command

        command.upgrade(alembic_config(script_location, connection), revision)
