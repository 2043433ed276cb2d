"""The Store facade: one method per use case, a Session per call, DTOs and Changes out.

The methods live in parts by job (store_records, store_use_cases, store_views, store_sync,
store_dav, store_mail);
`Store` joins them and is the one way into the local database.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

from sqlalchemy import Engine

from sfa_desktop.store import encryption, integrity, outbox_copy, rescue
from sfa_desktop.store.engine import RawConnection
from sfa_desktop.store.store_dav import DavSide
from sfa_desktop.store.store_mail import MailSide
from sfa_desktop.store.store_sync import SyncSide
from sfa_desktop.store.store_use_cases import LeadConversion, UseCases
from sfa_desktop.store.store_views import ViewReads

__all__ = ["LeadConversion", "Store"]


class Store(UseCases, ViewReads, SyncSide, DavSide, MailSide):
    """The local database of one signed-in user. Thread-safe: each call has its own Session."""

    def __init__(self, engine: Engine, path: Path) -> None:
        super().__init__(engine, path)
        self.rescued: rescue.Rescue | None = None  # set when `open` rescued a damaged file
        self.encrypted = False  # opened with a key (what a session may be kept in)
        self._fully_checked: float | None = None  # monotonic time of the last full check

    @classmethod
    def open(cls, path: Path | str, *, key: bytes | None) -> Store:
        """Open (creating or upgrading in place) the store at `path`, encrypted with `key`
        (32 bytes, see sfa_desktop.security.store_key); a plain file is encrypted in place
        first. `key=None` opens a plain file: only for tests and benchmarks that ask.

        The file is checked first: a damaged one is set aside and what only this computer
        has (unsynced edits, sign-in) is kept in a new store, `rescued` saying so in one
        sentence (sfa_desktop.store.rescue). WrongStoreKey when the file cannot be read
        with `key`; StoreDamaged when it can be neither opened nor rescued.
        """
        path = Path(path)
        engine, checked = rescue.open_engine(path, key)
        store = cls(engine, path)
        store.rescued = checked.rescue
        store.encrypted = key is not None
        store._fully_checked = time.monotonic() if checked.full else None
        return store

    def integrity_problem(self) -> str:
        """Why this store is damaged, in one sentence for the rep, or "" (what a sync checks
        before it reports success; see sfa_desktop.store.integrity for what is checked)."""
        last = self._fully_checked
        full = last is None or time.monotonic() - last > integrity.FULL_CHECK_EVERY
        with self._engine.connect() as connection:
            raw = cast(RawConnection, connection.connection.driver_connection)
            found = integrity.problem(raw, full=full)
            if found:
                outbox_copy.mark_check_failed(raw, found)
                connection.invalidate()  # SQLCipher fails its every later read
        if found:
            return integrity.message(self.path, found)
        if full:
            self._fully_checked = time.monotonic()
        return ""

    def close(self) -> None:
        self._engine.dispose()

    def destroy(self) -> None:
        """Close and erase the database file with its WAL (a revoked device wipes itself;
        the key is shredded by its keeper, `sfa_desktop.security.store_key.forget`)."""
        self.close()
        encryption.remove_with_sidecars(self.path)
        encryption.remove_with_sidecars(encryption.temp_path(self.path))
