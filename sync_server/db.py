"""Engines and sessions: SQLite (WAL, foreign keys, immediate writes) or PostgreSQL."""

from __future__ import annotations

from typing import Any

import pydantic_core
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(
    url: str, *, pool_size: int = 20, connect_args: dict[str, Any] | None = None
) -> Engine:
    """An engine for `url`; SQLite connections get WAL, foreign keys and BEGIN IMMEDIATE.

    On PostgreSQL the pool holds `pool_size` connections (the app admits as many requests at
    once) plus a few for background jobs. JSON columns use pydantic-core's codec.
    """
    parsed = make_url(url)
    json_options: dict[str, Any] = {
        "json_serializer": _dumps,
        "json_deserializer": pydantic_core.from_json,
    }
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False, **(connect_args or {})},
            **json_options,
        )
        _tune_sqlite(engine)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max(4, pool_size // 4),
        pool_pre_ping=True,
        connect_args=connect_args or {},
        **json_options,
    )


def _dumps(value: Any) -> str:
    return pydantic_core.to_json(value).decode()


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the lock up front: no deadlock upgrading a read lock.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(session_or_engine: Session | Engine) -> bool:
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, Session)
        else session_or_engine
    )
    return bind.dialect.name == "postgresql"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
