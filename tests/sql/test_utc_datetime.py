"""The one UTC column type keeps instants exact on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pg_schema import fresh_schema
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.exc import StatementError

from sfa_desktop.sql.types import UTCDateTime, sqlite_text

BERLIN_SUMMER = timezone(timedelta(hours=2))
METADATA = MetaData()
MOMENTS = Table(
    "moments",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime(), nullable=True),
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'moments.db'}"
        return
    with fresh_schema("sfa_utc") as pg_url:
        yield pg_url


def test_aware_instants_come_back_in_utc(url: str) -> None:
    engine = create_engine(url)
    METADATA.create_all(engine)
    written = {
        1: datetime(2026, 5, 1, 9, 30, 0, 123456, tzinfo=UTC),
        2: datetime(2026, 5, 1, 11, 30, 0, 123456, tzinfo=BERLIN_SUMMER),  # the same instant
        3: None,
    }
    with engine.begin() as connection:
        connection.execute(insert(MOMENTS), [{"id": i, "at": at} for i, at in written.items()])
    with engine.connect() as connection:
        read = dict(connection.execute(select(MOMENTS.c.id, MOMENTS.c.at)).all())
    instant = datetime(2026, 5, 1, 9, 30, 0, 123456, tzinfo=UTC)
    assert read == {1: instant, 2: instant, 3: None}
    assert all(at is None or at.tzinfo is UTC for at in read.values())
    engine.dispose()


def test_a_naive_datetime_is_refused(url: str) -> None:
    engine = create_engine(url)
    METADATA.create_all(engine)
    with engine.begin() as connection, pytest.raises(StatementError, match="naive datetime"):
        connection.execute(insert(MOMENTS), {"id": 1, "at": datetime(2026, 5, 1, 9, 30)})
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_keeps_a_time_zone_aware_column() -> None:
    with fresh_schema("sfa_utc") as pg_url:
        engine = create_engine(pg_url)
        METADATA.create_all(engine)
        with engine.connect() as connection:
            kind = connection.scalar(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'moments' AND column_name = 'at' "
                    "AND table_schema = current_schema()"
                )
            )
        engine.dispose()
    assert kind == "timestamp with time zone"


def test_sqlite_text_is_what_the_type_stores(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'moments.db'}")
    METADATA.create_all(engine)
    moments = [
        datetime(2026, 5, 1, 11, 30, 0, 5, tzinfo=BERLIN_SUMMER),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ]
    with engine.begin() as connection:
        connection.execute(insert(MOMENTS), [{"id": i, "at": at} for i, at in enumerate(moments)])
        stored = connection.scalars(text("SELECT at FROM moments ORDER BY id")).all()
    assert stored == [sqlite_text(at) for at in moments]
    assert stored == ["2026-05-01 09:30:00.000005", "1999-12-31 23:59:59.000000"]
    assert sqlite_text(None) is None
    with pytest.raises(ValueError, match="naive"):
        sqlite_text(datetime(2026, 5, 1))
    engine.dispose()
