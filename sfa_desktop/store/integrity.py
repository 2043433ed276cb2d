"""How the store checks itself: when it is opened, and before a sync reports success.

A full `PRAGMA quick_check` reads (and, encrypted, authenticates) every page: about 10 ms
per MB here, 1.5–2 s for a 160 MB store. That is affordable at open for a small store and
in the background once in a while, not on every start of a large one (cold start < 1 s)
nor on every 30-second sync. So:
- at open: the full check when the file (with its WAL) is at most FULL_CHECK_AT_OPEN
  bytes or a check failed before; otherwise `quick_check` of the tables a rescue keeps
  (outbox, sync_state, conflicts: milliseconds), plus the header's page count against
  the file's size (a cut-off file);
- before a sync reports success: the same table checks every time, and the full check on
  the first sync after an open that did not run it and then at most once per
  FULL_CHECK_EVERY seconds. A failure is noted in the outbox copy, so the next open runs
  the full check and rescues the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from sfa_desktop.store.engine import WrongStoreKey, key_pragma, quiet_codec_log

FULL_CHECK_AT_OPEN = 8 * 2**20  # bytes: ~0.1 s of checking
FULL_CHECK_EVERY = 3600.0  # seconds
KEPT_TABLES = ("outbox", "sync_state", "conflicts")
_NOT_A_DATABASE = 26
# What a damaged file answers: SQLITE_CORRUPT, SQLITE_NOTADB (a page that fails its HMAC
# reads as either), SQLITE_IOERR_SHORT_READ (a cut-off file). A busy, locked or missing
# file is not damage: it is raised, never rescued.
_DAMAGE = {11, 26, 522}


def is_damage(error: sqlcipher.DatabaseError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and (code in _DAMAGE or code & 0xFF in _DAMAGE)


def problem(connection: Any, *, full: bool, path: Path | None = None) -> str:
    """What is wrong with the store behind `connection`, in a few words, or "".

    `full`: every page (`PRAGMA quick_check`), else the kept tables only. With `path`,
    also whether the file is shorter than its header says (when no WAL holds pages)."""
    try:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
        }
        checks = (
            ["quick_check"] if full else [f"quick_check({t})" for t in KEPT_TABLES if t in tables]
        )
        for check in checks:
            if connection.execute(f"PRAGMA {check}").fetchall() != [("ok",)]:
                return "failed its integrity check"
        if path is not None and _cut_off(connection, path):
            return "was cut off (it is shorter than its header says)"
    except sqlcipher.DatabaseError as error:
        if not is_damage(error):
            raise
        return f"could not be read ({error})"
    return ""


def full_at_open(path: Path) -> bool:
    """Whether the store at `path` is small enough to check every page when it opens."""
    wal = Path(f"{path}-wal")
    size = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    return size <= FULL_CHECK_AT_OPEN


def message(path: Path, found: str) -> str:
    """One sentence for the rep: a check during a sync failed."""
    return (
        f"The local database {path.name} {found}; it is rescued into a new one (your "
        "unsynced edits and sign-in kept) the next time the app or a command opens it."
    )


def connect_readonly(path: Path, key: bytes | None) -> sqlcipher.Connection:
    """A read-only connection on a store file: it neither checkpoints nor rewrites it (a
    damaged file and its WAL stay as they are). WrongStoreKey when the first page cannot
    be read with `key` (a wrong key, or that page damaged)."""
    quiet_codec_log()
    uri = f"{path.absolute().as_uri()}?mode=ro"
    connection = sqlcipher.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        if key is not None:
            connection.execute(key_pragma(key))
        connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except sqlcipher.DatabaseError as error:
        connection.close()
        if getattr(error, "sqlite_errorcode", None) == _NOT_A_DATABASE:
            raise WrongStoreKey(path, keyed=key is not None) from None
        raise
    return connection


def _cut_off(connection: Any, path: Path) -> bool:
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return False  # pages may live in the WAL only
    (pages,) = connection.execute("PRAGMA page_count").fetchone()
    (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    return bool(int(pages) * int(page_size) > path.stat().st_size)
