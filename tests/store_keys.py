"""The key the tests encrypt their stores with, and raw access to an encrypted file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sfa_desktop.store import Store
from sfa_desktop.store.engine import RawConnection, connect

TEST_KEY = bytes.fromhex("5fa0de5c" * 8)  # 32 bytes: SQLCipher's raw-key mode


def open_store(path: Path) -> Store:
    """The store at `path`, encrypted with TEST_KEY (as every test store is)."""
    return Store.open(path, key=TEST_KEY)


@contextmanager
def raw(path: Path, key: bytes | None = TEST_KEY) -> Iterator[RawConnection]:
    """A DB-API connection on a store file, keyed (what `sqlite3.connect` was for plain
    files); autocommit, closed at the end."""
    connection = connect(path, key)
    try:
        yield connection
    finally:
        connection.close()
