"""The SQLite engine of the local store: SQLCipher, WAL, foreign keys, explicit transactions.

Every connection goes through SQLCipher (`sqlcipher3`, SQLite with the codec linked in).
With a key the file is encrypted with it as a raw 256-bit key: no key derivation runs per
pooled connection (a passphrase key would run PBKDF2, ~0.16 s, on every connect). Without
a key (tests and benchmarks that ask for a plain file) it is an ordinary SQLite file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session
from sqlcipher3 import dbapi2 as sqlcipher

from sfa_desktop.core.errors import DomainError

WRITE = {"sqlite_immediate": True}
KEY_BYTES = 32
PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "foreign_keys=ON",
    "busy_timeout=10000",
    "temp_store=MEMORY",
    "cache_size=-32000",
)
# WAL pages between automatic checkpoints: SQLite's default, and while a first download
# writes pages (`remote.apply_page`). A checkpoint copies every page changed since the last
# one into the database file; a download changes the same index pages again and again, so
# checkpointing every 1,000 pages (about each pulled page) wrote them over and over.
CHECKPOINT_PAGES = 1000
DOWNLOAD_CHECKPOINT_PAGES = 16384  # 64 MiB of WAL
_NOT_A_DATABASE = 26  # SQLITE_NOTADB: what a wrong key (or a missing one) looks like


class WrongStoreKey(DomainError):
    """The store file cannot be read with the key given (or it needs one and got none)."""

    def __init__(self, path: Path, keyed: bool) -> None:
        self.path = path
        if keyed:
            message = (
                f"The local database {path} cannot be opened with this key: a wrong key or "
                "passphrase, or the file is not a database of this app."
            )
        else:
            message = (
                f"The local database {path} is encrypted (or is not a database): it cannot "
                "be opened without its key."
            )
        super().__init__(message)


class RawCursor(Protocol):
    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class RawConnection(Protocol):
    """What the store uses of a DB-API connection directly (bulk statements, raw pragmas)."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> RawCursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> RawCursor: ...

    def close(self) -> None: ...


def key_pragma(key: bytes, schema: str = "") -> str:
    """`PRAGMA key` for a raw 256-bit key (the x'…' form skips SQLCipher's KDF)."""
    if len(key) != KEY_BYTES:
        raise ValueError(f"a store key has {KEY_BYTES} bytes, not {len(key)}")
    prefix = f"{schema}." if schema else ""
    return f'PRAGMA {prefix}key = "{raw_key_literal(key)}"'


def raw_key_literal(key: bytes) -> str:
    """SQLCipher's spelling of a raw key: x'<64 hex digits>'."""
    return f"x'{key.hex()}'"


def connect(path: Path, key: bytes | None) -> RawConnection:
    """A DB-API connection on `path`, keyed, checked and configured; the caller closes it.

    In autocommit mode: the engine's begin hook below issues BEGIN. WrongStoreKey when
    the file cannot be read with `key` (the first pragma reads the header).
    """
    connection = sqlcipher.connect(str(path), check_same_thread=False, isolation_level=None)
    try:
        if key is not None:
            connection.execute(key_pragma(key))
        for pragma in PRAGMAS:
            connection.execute(f"PRAGMA {pragma}")
    except sqlcipher.DatabaseError as error:
        connection.close()
        if getattr(error, "sqlite_errorcode", None) == _NOT_A_DATABASE:
            raise WrongStoreKey(path, keyed=key is not None) from None
        raise
    return cast(RawConnection, connection)


def raw_connection(session: Session) -> RawConnection:
    """The DB-API connection under a session's current transaction."""
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, sqlcipher.Connection)
    return cast(RawConnection, connection)


def create_store_engine(
    path: Path, key: bytes | None, on_connect: Callable[[RawConnection], None] | None = None
) -> Engine:
    """An engine on the database file at `path` (created when missing), encrypted with
    `key` (32 random bytes), or a plain SQLite file when `key` is None; `on_connect` runs
    on each new connection (the store attaches its outbox copy).

    Transactions are explicit: reads begin DEFERRED; writes, run on an engine with the
    WRITE execution options, begin IMMEDIATE so two writers queue on the busy timeout
    instead of failing when a reader upgrades to a writer.
    """
    if key is not None and len(key) != KEY_BYTES:
        raise ValueError(f"a store key has {KEY_BYTES} bytes, not {len(key)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    quiet_codec_log()

    def connection() -> RawConnection:
        opened = connect(path, key)
        if on_connect is not None:
            try:
                on_connect(opened)
            except BaseException:
                opened.close()
                raise
        return opened

    engine = create_engine(
        f"sqlite:///{path}",
        module=sqlcipher,  # SQLAlchemy maps sqlcipher3's exceptions like sqlite3's
        creator=connection,  # the key is the connection's first statement
        pool_size=4,
        max_overflow=4,
    )

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


_quiet = False


def quiet_codec_log() -> None:
    """Stop SQLCipher printing "hmac check failed" to stderr for a wrong key (once per
    process; the setting is global): WrongStoreKey says it better."""
    global _quiet
    if not _quiet:
        memory = sqlcipher.connect(":memory:")
        memory.execute("PRAGMA cipher_log_level = NONE")
        memory.close()
        _quiet = True
