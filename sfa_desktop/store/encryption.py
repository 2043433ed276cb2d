"""Turning a plain SQLite store into an encrypted one, in place and crash-safely.

The plain file is exported with `sqlcipher_export` into a sibling temporary file, which is
flushed to disk, checked (it opens with the key, passes `quick_check` — every page is
decrypted and its HMAC verified — and holds as many rows per table as the original) and
only then renamed over the original with `os.replace`, which is atomic. A crash at any
point leaves either the old plain file (the next open starts over) or the new encrypted
one, never neither.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlcipher

from sfa_desktop.core.errors import DomainError
from sfa_desktop.store.engine import RawConnection, connect, key_pragma, raw_key_literal

PLAIN_HEADER = b"SQLite format 3\x00"
SIDECARS = ("-wal", "-shm", "-journal")
TEMP_SUFFIX = ".encrypting"
COPY_FILES = (".outbox", ".outbox-journal")  # the outbox copy (store/outbox_copy.py)


class StoreInUse(DomainError):
    """The plain store is open elsewhere, so it cannot be encrypted now."""


def is_plain(path: Path) -> bool:
    """Whether `path` is an unencrypted SQLite database (an encrypted file starts with
    its random salt instead of the SQLite header)."""
    try:
        with path.open("rb") as file:
            return file.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except FileNotFoundError:
        return False


def temp_path(path: Path) -> Path:
    return path.with_name(path.name + TEMP_SUFFIX)


def remove_with_sidecars(path: Path) -> None:
    """Delete a store file with its WAL, shm and journal, and its outbox copy."""
    for suffix in ("", *SIDECARS, *COPY_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def encrypt_in_place(path: Path, key: bytes) -> None:
    """Replace the plain database at `path` with an encrypted copy keyed with `key`."""
    temp = temp_path(path)
    remove_with_sidecars(temp)  # left by an earlier attempt that did not finish
    try:
        counts = _export(path, temp, key)
        fsync(temp)
        _verify(temp, key, counts)
    except BaseException:
        remove_with_sidecars(temp)
        raise
    # Everything of the plain file is in its main file now (checkpointed, then closed):
    # a WAL left beside the encrypted file would be read as its own.
    for suffix in SIDECARS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(temp, path)
    fsync_folder(path.parent)
    # The plain outbox copy holds nothing the checked file lacks; it is made again, keyed.
    for suffix in (*SIDECARS, *COPY_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _export(path: Path, temp: Path, key: bytes) -> dict[str, int]:
    """Copy schema and rows (FTS shadow tables, sqlite_sequence included) into `temp`;
    returns the row count of each table of the original."""
    source = connect(path, None)
    try:
        busy, _log, _done = source.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise StoreInUse(f"The local database {path} is in use by another program.")
        counts = _row_counts(source)
        user_version = int(source.execute("PRAGMA user_version").fetchone()[0])
        source.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(temp), raw_key_literal(key)))
        source.execute("SELECT sqlcipher_export('encrypted')")
        source.execute(f"PRAGMA encrypted.user_version = {user_version}")
        source.execute("DETACH DATABASE encrypted")
    finally:
        source.close()
    return counts


def _verify(temp: Path, key: bytes, expected: dict[str, int]) -> None:
    check = sqlcipher.connect(str(temp))
    try:
        check.execute(key_pragma(key))
        (result,) = check.execute("PRAGMA quick_check").fetchone()
        counts = _row_counts(check)
    finally:
        check.close()
    if result != "ok" or counts != expected:
        raise DomainError(
            f"Encrypting the local database failed its check ({result}); it was left as it was."
        )


def _row_counts(connection: RawConnection) -> dict[str, int]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0 ORDER BY name"
        ).fetchall()
    ]
    quoted = ('"' + name.replace('"', '""') + '"' for name in tables)
    return {
        name: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for name, table in zip(tables, quoted, strict=True)
    }


def fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDWR)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows has no directory handles to flush)."""
    if os.name == "nt":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
