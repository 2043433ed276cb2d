"""Reading what can be read of a damaged store file, without writing to it.

A table is read whole when it can be; otherwise row by row: forwards and backwards up to
a damaged page, then each rowid an index names or that lies between the rows found. Only
what a rescue keeps is read (the outbox, sync_state, conflicts and the outbox's seq
counter): the records come back with the next download.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from sfa_desktop.store import integrity
from sfa_desktop.store.engine import WrongStoreKey

MAX_PROBES = 10_000  # rowids tried one by one around a damaged page, per table


@dataclass
class Salvage:
    """The rows read, and whether the outbox was read whole."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    high_water: int = 0
    complete: bool = False


def read(path: Path, key: bytes | None) -> Salvage:
    """Every readable row the rescue keeps, read without writing to the file."""
    try:
        reader = _Reader(path, key)
    except (WrongStoreKey, sqlcipher.DatabaseError):  # the first page is unreadable
        return Salvage()
    try:
        rows, complete = reader.table("outbox")
        state, _ = reader.table("sync_state")
        conflicts, _ = reader.table("conflicts")
        high_water = reader.rows("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")
        found = Salvage(rows, {}, conflicts, int(high_water[0][0]) if high_water else 0, complete)
        found.state = {row["key"]: row["value"] for row in state if "key" in row}
        return found
    finally:
        reader.close()


class _Reader:
    """Read-only queries on a damaged file. SQLCipher fails every later read of a
    connection once a page fails its check, so each failure opens a new connection."""

    def __init__(self, path: Path, key: bytes | None) -> None:
        self.path, self.key = path, key
        self.connection = integrity.connect_readonly(path, key)

    def close(self) -> None:
        self.connection.close()

    def rows(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any] | None:
        """All rows of `sql`, or None if it failed."""
        try:
            return list(self.connection.execute(sql, parameters).fetchall())
        except sqlcipher.DatabaseError:
            self._reconnect()
            return None

    def scan(self, sql: str) -> list[dict[str, Any]]:
        """The rows of `sql` up to the first that cannot be read."""
        found: list[dict[str, Any]] = []
        try:
            cursor = self.connection.execute(sql)
            names = [column[0] for column in cursor.description]
            while (row := cursor.fetchone()) is not None:
                found.append(dict(zip(names, row, strict=True)))
        except sqlcipher.DatabaseError:
            self._reconnect()
        return found

    def table(self, table: str) -> tuple[list[dict[str, Any]], bool]:
        """The rows of `table` and whether all were read: the whole table in one query, else
        row by row (forwards and backwards to a damaged page, then each rowid an index or
        the gap between the rows found names)."""
        exists = self.rows("SELECT 1 FROM sqlite_schema WHERE name = ?", (table,))
        if exists is None or not exists:
            return [], exists is not None
        select = f'SELECT rowid AS rescue_rowid, * FROM "{table}"'
        whole = self.rows(f"SELECT count(*) FROM ({select})")
        if whole is not None:
            rows = self.scan(select)
            if len(rows) == whole[0][0]:
                return [_without_rowid(row) for row in rows], True
        found = {row["rescue_rowid"]: row for row in self.scan(f"{select} ORDER BY rowid")}
        found |= {row["rescue_rowid"]: row for row in self.scan(f"{select} ORDER BY rowid DESC")}
        rowids = set(range(min(found), max(found) + 1)) if found else set()
        indexes = self.rows(
            "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?", (table,)
        )
        for (index,) in indexes or []:
            named = self.rows(f'SELECT rowid FROM "{table}" INDEXED BY "{index}"')
            rowids |= {rowid for (rowid,) in named or []}
        for rowid in sorted(rowids - found.keys())[:MAX_PROBES]:
            for row in self.scan(f"{select} WHERE rowid = {int(rowid)}"):
                found[rowid] = row
        return [_without_rowid(row) for _rowid, row in sorted(found.items())], False

    def _reconnect(self) -> None:
        self.connection.close()
        self.connection = integrity.connect_readonly(self.path, self.key)


def _without_rowid(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "rescue_rowid"}
