"""The SQLite engine of the local store: WAL, foreign keys, explicit transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

WRITE = {"sqlite_immediate": True}


def create_store_engine(path: Path) -> Engine:
    """An engine on the database file at `path` (created when missing).

    Transactions are explicit: reads begin DEFERRED; writes, run on an engine with the
    WRITE execution options, begin IMMEDIATE so two writers queue on the busy timeout
    instead of failing when a reader upgrades to a writer.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", pool_size=4, max_overflow=4)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the begin hook below issue BEGIN
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=10000",
            "temp_store=MEMORY",
            "cache_size=-32000",
        ):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
