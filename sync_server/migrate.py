"""Apply the bundled Alembic migrations to a database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine

from sfa_desktop.sql import migrate as shared

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = "sync_server:migrations"


def alembic_config() -> Config:
    return shared.alembic_config(MIGRATIONS)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema at `engine` up to `revision` in one transaction (idempotent)."""
    shared.upgrade(engine, MIGRATIONS, revision)
