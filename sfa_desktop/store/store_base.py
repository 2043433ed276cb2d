"""What every part of the Store shares: the engines, a Session per call, device state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sfa_desktop.store.engine import WRITE
from sfa_desktop.store.schema import SyncStateRow
from sfa_desktop.store.writer import RecordWriter


class StoreBase:
    """The engines of one store file and the Session plumbing its parts use."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self._engine = engine
        self._writer_engine = engine.execution_options(**WRITE)
        self.path = path

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self._engine) as session, session.begin():
            yield session

    @contextmanager
    def _write(self) -> Iterator[RecordWriter]:
        """A writer in one IMMEDIATE transaction: all of it lands, or none of it."""
        with Session(self._writer_engine) as session, session.begin():
            yield RecordWriter(session, self._state(session, "user_id"))

    @staticmethod
    def _state(session: Session, key: str) -> str | None:
        row = session.get(SyncStateRow, key)
        return row.value if row else None
