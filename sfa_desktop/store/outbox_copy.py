"""A crash-safe copy of the outbox and the sign-in beside the store: `<store>.outbox`.

The unsynced edits (outbox rows) and the sign-in keys of `sync_state` exist only on this
computer, so they are written twice: TEMP triggers on every store connection copy each
insert, update and delete into a small database attached as `outbox_copy`, inside the
same transaction as the write (the one-transaction rule holds: no write lands in one
file without being tried in the other). The copy is encrypted with the store's key and
uses a rollback journal, not WAL, so every commit is in its one file: a lost or damaged
`-wal`, a truncated or zeroed store file, a damaged outbox page leave it whole.

SQLite commits the store (WAL) before the attached copy, so after a crash the copy can
only be behind by the last transaction, never ahead; `prepare` brings it level with the
store at each open. A copy ahead of the store (an outbox seq the store never reached)
therefore means the store lost commits, and `rescue` treats it as damaged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from sfa_desktop.store.engine import RawConnection, key_pragma, raw_key_literal
from sfa_desktop.store.integrity import is_damage

SUFFIX = ".outbox"
ALIAS = "outbox_copy"
# What a signed-in device needs to sync again without a new sign-in: the refresh token is
# in the keyring, or with no keyring under SESSIONS_KEY (sfa_desktop.sync.credentials).
SESSIONS_KEY = "sessions"
SIGN_IN_KEYS = ("user_id", "server_url", "username", "device_id", SESSIONS_KEY)
MARK = "check_failed"  # set when a full check failed during a sync: the next open re-checks
_TABLES = (
    "CREATE TABLE IF NOT EXISTS {db}outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT)",
    "CREATE TABLE IF NOT EXISTS {db}sign_in (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {db}marks (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
_KEYS = ", ".join(f"'{name}'" for name in SIGN_IN_KEYS)


def copy_path(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


@dataclass(frozen=True)
class Contents:
    """What a copy holds: whether it has outbox rows (and, when asked for, the rows:
    column -> value, by seq), sign-in keys, the highest seq ever written (acknowledged rows leave
    the outbox, not the count), a failed check."""

    pending: bool = False
    sign_in: dict[str, str] = field(default_factory=dict)
    high_water: int = 0
    check_failed: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)


def open_copy(path: Path, key: bytes | None) -> sqlcipher.Connection:
    """A connection on the copy of the store at `path` (rolls back a half-written commit)."""
    connection = sqlcipher.connect(str(copy_path(path)), isolation_level=None)
    try:
        if key is not None:
            connection.execute(key_pragma(key))
        connection.execute("PRAGMA busy_timeout = 10000")
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("PRAGMA synchronous = FULL")
    except sqlcipher.DatabaseError:
        connection.close()
        raise
    return connection


def read(path: Path, key: bytes | None, *, with_rows: bool = False) -> Contents | None:
    """The copy of the store at `path`, or None when there is none or it cannot be read
    with `key` (a wrong key, a damaged copy, or another store's); its rows `with_rows`
    only (an open needs the summary, a rescue the rows). A busy copy is an error."""
    if not copy_path(path).exists() or copy_path(path).stat().st_size == 0:
        return None
    try:
        connection = open_copy(path, key)
    except sqlcipher.DatabaseError as error:
        _raise_unless_unreadable(error)
        return None
    try:
        rows: list[dict[str, Any]] = []
        if with_rows:
            cursor = connection.execute("SELECT * FROM outbox ORDER BY seq")
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        (pending,) = connection.execute("SELECT EXISTS (SELECT 1 FROM outbox)").fetchone()
        sign_in = dict(connection.execute("SELECT key, value FROM sign_in").fetchall())
        marks = dict(connection.execute("SELECT key, value FROM marks").fetchall())
        high_water = _high_water(connection, "")
        return Contents(bool(pending), sign_in, high_water, marks.get(MARK, ""), rows)
    except sqlcipher.DatabaseError as error:
        _raise_unless_unreadable(error)
        return None
    finally:
        connection.close()


def _raise_unless_unreadable(error: sqlcipher.DatabaseError) -> None:
    """A copy that cannot be read (damaged, another key, not ours: no such table) is
    treated as none; any other error (busy, locked, I/O) is raised."""
    if getattr(error, "sqlite_errorcode", None) != 1 and not is_damage(error):
        raise error


def prepare(connection: RawConnection, path: Path, key: bytes | None) -> list[str]:
    """Attach the copy to `connection` (a healthy, migrated store whose copy, if any, is
    readable and not ahead of it), make it if missing and bring it level with the store;
    returns the outbox columns the triggers copy."""
    columns = _attach_and_create(connection, path, key)
    if _level(connection):
        connection.execute(f"DETACH DATABASE {ALIAS}")
        return columns  # level already (the usual case): nothing to write
    names = ", ".join(f'"{name}"' for name in columns)
    high_water = max(_high_water(connection, "main."), _high_water(connection, f"{ALIAS}."))
    connection.execute("BEGIN IMMEDIATE")
    try:
        # The store is not behind the copy (checked before): what it lacks was acknowledged.
        connection.execute(
            f"DELETE FROM {ALIAS}.outbox WHERE seq NOT IN (SELECT seq FROM main.outbox)"
        )
        connection.execute(
            f"INSERT OR REPLACE INTO {ALIAS}.outbox ({names}) SELECT {names} FROM main.outbox "
            f"WHERE seq NOT IN (SELECT seq FROM {ALIAS}.outbox)"
        )
        connection.execute(f"DELETE FROM {ALIAS}.sign_in")
        connection.execute(
            f"INSERT INTO {ALIAS}.sign_in SELECT key, value FROM main.sync_state "
            f"WHERE key IN ({_KEYS})"
        )
        connection.execute(f"DELETE FROM {ALIAS}.marks")
        set_high_water(connection, high_water, f"{ALIAS}.")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute(f"DETACH DATABASE {ALIAS}")
    return columns


def attacher(path: Path, key: bytes | None, columns: list[str]) -> Callable[[Any], None]:
    """What each new store connection runs: attach the copy and create the TEMP triggers
    that write it in the same transaction as the store."""
    names = ", ".join(f'"{name}"' for name in columns)
    new = ", ".join(f'NEW."{name}"' for name in columns)
    copy_row = f"INSERT OR REPLACE INTO {ALIAS}.outbox ({names}) VALUES ({new});"
    sign_in = f"INSERT OR REPLACE INTO {ALIAS}.sign_in VALUES (NEW.key, NEW.value);"
    forget = f"DELETE FROM {ALIAS}.sign_in WHERE key = OLD.key;"
    triggers = (
        f"outbox_copy_insert AFTER INSERT ON main.outbox BEGIN {copy_row} END",
        f"outbox_copy_update AFTER UPDATE ON main.outbox BEGIN "
        f"DELETE FROM {ALIAS}.outbox WHERE seq = OLD.seq; {copy_row} END",
        f"outbox_copy_delete AFTER DELETE ON main.outbox BEGIN "
        f"DELETE FROM {ALIAS}.outbox WHERE seq = OLD.seq; END",
        f"sign_in_copy_insert AFTER INSERT ON main.sync_state WHEN NEW.key IN ({_KEYS}) "
        f"BEGIN {sign_in} END",
        f"sign_in_copy_update AFTER UPDATE ON main.sync_state WHEN NEW.key IN ({_KEYS}) "
        f"BEGIN {sign_in} END",
        f"sign_in_copy_delete AFTER DELETE ON main.sync_state WHEN OLD.key IN ({_KEYS}) "
        f"BEGIN {forget} END",
    )

    def attach(connection: Any) -> None:
        _attach(connection, path, key)
        for trigger in triggers:
            connection.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS {trigger}")

    return attach


def mark_check_failed(connection: RawConnection, problem: str) -> None:
    """Note in the copy that a full check failed, so the next open checks everything."""
    with contextlib.suppress(sqlcipher.DatabaseError):
        connection.execute(
            f"INSERT OR REPLACE INTO {ALIAS}.marks VALUES (?, ?)", (MARK, problem or "failed")
        )


def set_high_water(connection: RawConnection, seq: int, schema: str = "main.") -> None:
    """Make the outbox's next seq `seq + 1` (AUTOINCREMENT's counter in sqlite_sequence)."""
    connection.execute(f"DELETE FROM {schema}sqlite_sequence WHERE name = 'outbox'")
    connection.execute(f"INSERT INTO {schema}sqlite_sequence VALUES ('outbox', ?)", (seq,))


def high_water(connection: RawConnection) -> int:
    """The highest outbox seq the store behind `connection` ever gave out."""
    return _high_water(connection, "main.")


def _attach(connection: Any, path: Path, key: bytes | None) -> None:
    literal = raw_key_literal(key) if key is not None else ""
    connection.execute(f"ATTACH DATABASE ? AS {ALIAS} KEY ?", (str(copy_path(path)), literal))
    connection.execute(f"PRAGMA {ALIAS}.journal_mode = DELETE")
    connection.execute(f"PRAGMA {ALIAS}.synchronous = FULL")


def _attach_and_create(connection: RawConnection, path: Path, key: bytes | None) -> list[str]:
    _attach(connection, path, key)
    for statement in _TABLES:
        connection.execute(statement.format(db=f"{ALIAS}."))
    columns = [row[1] for row in connection.execute("PRAGMA main.table_info(outbox)")]
    present = {row[1] for row in connection.execute(f"PRAGMA {ALIAS}.table_info(outbox)")}
    for column in columns:
        if column not in present:  # a new store, or a migration added a column
            connection.execute(f'ALTER TABLE {ALIAS}.outbox ADD COLUMN "{column}"')
    return columns


def _level(connection: Any) -> bool:
    """Whether the attached copy is level with the store, told cheaply (no table scan):
    the same outbox seq range (rows join the outbox at its end and leave it from its
    start, acknowledged in seq order) and highest seq, the same sign-in, and no failed
    check noted."""

    def outbox(schema: str) -> tuple[Any, ...]:
        seqs = connection.execute(f"SELECT min(seq), max(seq) FROM {schema}.outbox")
        return (*seqs.fetchone(), _high_water(connection, f"{schema}."))

    sign_in = f"SELECT key, value FROM main.sync_state WHERE key IN ({_KEYS}) ORDER BY key"
    copied = f"SELECT key, value FROM {ALIAS}.sign_in ORDER BY key"
    (marks,) = connection.execute(f"SELECT count(*) FROM {ALIAS}.marks").fetchone()
    return (
        outbox("main") == outbox(ALIAS)
        and connection.execute(sign_in).fetchall() == connection.execute(copied).fetchall()
        and not marks
    )


def _high_water(connection: Any, schema: str) -> int:
    row = connection.execute(
        f"SELECT seq FROM {schema}sqlite_sequence WHERE name = 'outbox'"
    ).fetchone()
    rows = connection.execute(f"SELECT max(seq) FROM {schema}outbox").fetchone()
    return max(int(row[0]) if row else 0, int(rows[0] or 0))
