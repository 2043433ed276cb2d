"""What every import source (a CSV file, a vCard file) hands to the mapping: named
columns and rows of text values, read as a stream."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sfa_desktop.interchange.issues import Issue
from sfa_desktop.interchange.limits import Limits


@dataclass(frozen=True)
class SourceRow:
    """One record of the file.

    `row` is what the user sees as its number: for CSV the record's number in the file,
    1-based with the header row counted (the spreadsheet's row number); for vCard the
    card's number. `line` is the physical line the record starts on. `values` has one
    text per column of the source's `headers`."""

    row: int
    line: int
    values: tuple[str, ...]
    issues: tuple[Issue, ...] = ()


class Source(Protocol):
    """A file to import from. `rows()` reads the file again on every call (streamed)."""

    path: Path
    format_name: str  # "CSV", "vCard"
    preset_hint: str | None  # the preset that fits every file of this format, if any
    headers: tuple[str, ...]
    limits: Limits

    def rows(self) -> Iterator[SourceRow]:
        """Rows in file order; `digest` is set once all are read."""
        ...

    @property
    def digest(self) -> str | None:
        """SHA-256 of the bytes of the last complete read of the file."""
        ...


def first_rows(source: Source, count: int = 20) -> list[SourceRow]:
    """The first `count` rows of `source`; the read stops there."""
    found: list[SourceRow] = []
    rows = source.rows()
    try:
        for row in rows:
            found.append(row)
            if len(found) >= count:
                break
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    return found
