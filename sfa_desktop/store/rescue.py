"""Opening a damaged store: keep what can be read, set the file aside, start a new one.

`check` runs before the store opens (see `integrity` for what it checks and when). A
damaged store is never repaired in place nor silently re-created: what only this computer
has — the unsynced edits (outbox), the sign-in (`sync_state`: user, server, username,
device id), the conflicts waiting for review — is read from the outbox copy and from every
readable row of the file (a table whole, or row by row around a damaged page), written
into a new store at the same path, and the damaged file (with its WAL, shm and copy) is
renamed `<name>.damaged-<UTC time>`, never overwritten. Records come back with the next
sync, a full download; the outbox is pushed first, keeping its seqs, so the server's
duplicate check stays right. If some edits may be missing (the outbox was damaged and
there is no readable copy) the device's seqs cannot be trusted: the sign-in is dropped
(the user stays, so nobody else can sign in over the edits) and a new sign-in registers a
new device, whose first push may start at any seq.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlcipher3 import dbapi2 as sqlcipher

from sfa_desktop.core.errors import DomainError
from sfa_desktop.store import encryption, integrity, migrate, outbox_copy, salvage
from sfa_desktop.store.engine import RawConnection, WrongStoreKey, create_store_engine, key_pragma
from sfa_desktop.store.outbox_copy import SIGN_IN_KEYS, Contents

ASIDE = "damaged"
_DEVICE_KEYS = ("server_url", "username", "device_id")
_SIDECARS = ("-wal", "-shm", outbox_copy.SUFFIX, outbox_copy.SUFFIX + "-journal")


class StoreDamaged(DomainError):
    """The store is damaged and could not be rescued (the message says why)."""


@dataclass(frozen=True)
class Rescue:
    """What a rescue did, for the rep: `message` is one sentence."""

    path: Path
    reason: str  # "was empty (0 bytes)", "failed its integrity check", ...
    aside: Path | None  # where the damaged file went (None: there was no file)
    edits: int  # unsynced edits kept
    signed_in: bool  # the sign-in was kept: the next sync needs no new sign-in
    complete: bool  # every unsynced edit could be read

    @property
    def message(self) -> str:
        said = f"The local database {self.path.name} {self.reason}, so "
        if self.aside is not None:
            said += f"it was set aside as {self.aside.name} and a new one started; "
        else:
            said += "a new one was started; "
        edits = f"{self.edits} unsynced edit{'' if self.edits == 1 else 's'}"
        if not self.complete:
            if self.edits:
                return said + f"{edits} were kept but some may be lost: sign in again to send them."
            return said + "nothing in it could be kept: sign in to download your data again."
        if self.signed_in:
            kept = (
                f"your {edits} and your sign-in were kept"
                if self.edits
                else ("it held no unsynced edits and your sign-in was kept")
            )
            return said + kept + ", and the rest downloads again at the next sync."
        if self.edits:
            return said + f"your {edits} were kept: sign in to send them."
        return said + "it held no unsynced edits: sign in to download your data again."


@dataclass(frozen=True)
class Checked:
    rescue: Rescue | None
    full: bool  # every page was checked


def open_engine(path: Path, key: bytes | None) -> tuple[Engine, Checked]:
    """The engine of the store at `path`: checked (rescued if damaged), migrated, and its
    connections writing the outbox copy. WrongStoreKey, or StoreDamaged."""
    if key is not None:
        key_pragma(key)  # ValueError for a key of the wrong length, before any file is read
    try:
        if key is not None and encryption.is_plain(path):
            encryption.encrypt_in_place(path, key)
        checked = check(path, key)
        engine = create_store_engine(path, key)
        try:
            migrate.upgrade(engine)
            with engine.connect() as connection:
                raw = cast(RawConnection, connection.connection.driver_connection)
                columns = outbox_copy.prepare(raw, path, key)
        finally:
            engine.dispose()
    except (DBAPIError, sqlcipher.DatabaseError) as error:
        detail = getattr(error, "orig", None) or error
        raise StoreDamaged(
            f"The local database {path.name} could not be opened ({detail})."
        ) from None
    return create_store_engine(path, key, outbox_copy.attacher(path, key, columns)), checked


def check(path: Path, key: bytes | None) -> Checked:
    """Check the store at `path` before it opens; rescue it if it is damaged.

    WrongStoreKey when neither the file nor its outbox copy can be read with `key` (the
    file is then left as it is: the right key may come back)."""
    copy = outbox_copy.read(path, key)
    copy_file = outbox_copy.copy_path(path)
    unreadable_copy = copy is None and copy_file.exists() and copy_file.stat().st_size > 0
    if not path.exists():
        if copy is not None and (copy.pending or copy.sign_in):
            return Checked(rescue(path, key, "was missing", copy), True)
        if unreadable_copy or copy is not None:
            _set_aside_copy(path)  # another store's, or an empty one: not this store's data
        return Checked(None, True)
    reason, full = _diagnose(path, key, copy)
    if reason:
        return Checked(rescue(path, key, reason, copy), True)
    if unreadable_copy:  # the store reads with this key, its copy does not: a stale copy
        _set_aside_copy(path)
    return Checked(None, full)


def rescue(path: Path, key: bytes | None, reason: str, copy: Contents | None) -> Rescue:
    """Keep what can be read of the store at `path` in a new store there (see the module)."""
    exists = path.exists()
    copy = outbox_copy.read(path, key, with_rows=True) if copy is not None else None
    found = salvage.read(path, key) if exists and path.stat().st_size else salvage.Salvage()
    rows = {row["mutation_id"]: row for row in found.rows}
    rows.update({row["mutation_id"]: row for row in copy.rows} if copy else {})
    outbox = sorted(rows.values(), key=lambda row: int(row["seq"]))
    complete = copy is not None or found.complete
    state = {k: v for k, v in found.state.items() if k in SIGN_IN_KEYS}
    state.update(copy.sign_in if copy else {})
    high_water = max([found.high_water, copy.high_water if copy else 0])
    if complete:
        high_water = max([high_water, *(int(row["seq"]) for row in outbox)])
    else:  # a new device after a new sign-in: its seqs only have to follow each other
        outbox = [{**row, "seq": seq} for seq, row in enumerate(outbox, start=1)]
        high_water = len(outbox)
        state = {k: v for k, v in state.items() if k not in _DEVICE_KEYS}
    temp = path.with_name(path.name + ".rescuing")
    try:
        _build(temp, key, outbox, state, found.conflicts, high_water)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        aside = _free(path.with_name(f"{path.name}.{ASIDE}-{stamp}"))
        for suffix in ("", "-wal", "-shm"):
            _move(Path(f"{path}{suffix}"), Path(f"{aside}{suffix}"))
        os.replace(temp, path)
        for suffix in _SIDECARS[2:]:
            _move(Path(f"{path}{suffix}"), Path(f"{aside}{suffix}"))
        encryption.fsync_folder(path.parent)
    except (OSError, DBAPIError, sqlcipher.DatabaseError) as error:
        encryption.remove_with_sidecars(temp)
        raise StoreDamaged(
            f"The local database {path.name} {reason} and could not be rescued ({error}); "
            "nothing was deleted."
        ) from None
    signed_in = all(state.get(k) for k in ("user_id", *_DEVICE_KEYS))
    return Rescue(path, reason, aside if exists else None, len(outbox), signed_in, complete)


def _diagnose(path: Path, key: bytes | None, copy: Contents | None) -> tuple[str, bool]:
    """What is wrong with the store file at `path` ("" if nothing), and whether every page
    was checked."""
    if path.stat().st_size == 0:
        return "was empty (0 bytes)", True
    full = integrity.full_at_open(path) or bool(copy and copy.check_failed)
    try:
        connection = integrity.connect_readonly(path, key)
    except WrongStoreKey:
        if copy is None:
            raise
        return "could not be read (its first page is damaged)", True
    except sqlcipher.DatabaseError as error:
        if not integrity.is_damage(error):
            raise
        return f"could not be read ({error})", True
    try:
        found = integrity.problem(connection, full=full, path=path)
        if found or copy is None:
            return found, full
        state = dict(_rows(connection, "SELECT key, value FROM sync_state") or [])
        lost_sign_in = any(name not in state for name in copy.sign_in)
        if copy.high_water > _high_water(connection) or lost_sign_in:
            return "lost its latest changes (its -wal file was missing or damaged)", True
        return "", full
    finally:
        connection.close()


def _rows(connection: Any, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any] | None:
    try:
        return list(connection.execute(sql, parameters).fetchall())
    except sqlcipher.DatabaseError:
        return None


def _high_water(connection: Any) -> int:
    try:
        return outbox_copy.high_water(connection)
    except sqlcipher.DatabaseError:
        return 0


def _build(
    temp: Path,
    key: bytes | None,
    outbox: list[dict[str, Any]],
    state: dict[str, str],
    conflicts: list[dict[str, Any]],
    high_water: int,
) -> None:
    """A new store at `temp` holding what was kept, closed (its WAL folded in) and flushed."""
    encryption.remove_with_sidecars(temp)
    engine = create_store_engine(temp, key)
    try:
        migrate.upgrade(engine)
        with engine.begin() as transaction:
            connection = cast(RawConnection, transaction.connection.driver_connection)
            _insert(connection, "outbox", outbox)
            _insert(connection, "sync_state", [{"key": k, "value": v} for k, v in state.items()])
            _insert(connection, "conflicts", conflicts)
            outbox_copy.set_high_water(connection, high_water)
        with engine.connect() as transaction:  # all of it into the file: only it is renamed
            connection = cast(RawConnection, transaction.connection.driver_connection)
            busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise OSError(f"the new database {temp.name} could not be checkpointed")
    finally:
        engine.dispose()
    encryption.fsync(temp)


def _insert(connection: Any, table: str, rows: list[dict[str, Any]]) -> None:
    columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
    for row in rows:
        names = [name for name in columns if name in row]
        quoted = ", ".join(f'"{name}"' for name in names)
        marks = ", ".join("?" for _ in names)
        with contextlib.suppress(sqlcipher.IntegrityError):  # a row without a required field
            connection.execute(
                f'INSERT OR IGNORE INTO "{table}" ({quoted}) VALUES ({marks})',
                [row[name] for name in names],
            )


def _set_aside_copy(path: Path) -> None:
    copy = outbox_copy.copy_path(path)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = _free(copy.with_name(f"{copy.name}.unused-{stamp}"))
    _move(copy, aside)
    _move(Path(f"{copy}-journal"), Path(f"{aside}-journal"))


def _free(path: Path) -> Path:
    """`path`, or `path-2`, `path-3`… if a file of that name exists."""
    candidate, number = path, 1
    while any(Path(f"{candidate}{s}").exists() for s in ("", *_SIDECARS)):
        number += 1
        candidate = path.with_name(f"{path.name}-{number}")
    return candidate


def _move(source: Path, target: Path) -> None:
    if source.exists():
        source.replace(target)
