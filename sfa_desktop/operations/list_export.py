"""Export a list to CSV or XLSX: its columns as shown, or every field of its records.

A list is either ids in the store (the big lazy lists: rows are read a page at a time
while the file is written) or records already in memory (the small lists inside a view).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sfa_desktop.core.entities import Account, Record
from sfa_desktop.interchange import ExportColumn, export_rows
from sfa_desktop.interchange.record_columns import (
    EXPORTABLE,
    Lookups,
    export_columns,
    record_rows,
)
from sfa_desktop.store import Store

PAGE = 1_000
# A column as shown: its header and the text a cell shows.
ShownColumn = tuple[str, Callable[[Any], str]]


def can_export_all_fields(model: type[Record] | None) -> bool:
    """Whether records of `model` have a full export (one that imports again)."""
    return model is not None and model.entity in EXPORTABLE


def records_in_pages(store: Store, model: type[Record], ids: Sequence[str]) -> Iterator[Record]:
    """The records of `ids` in that order, read `PAGE` at a time."""
    for start in range(0, len(ids), PAGE):
        yield from store.get_many(model, ids[start : start + PAGE])


def export_shown(
    path: Path, title: str, columns: Sequence[ShownColumn], records: Iterable[Any]
) -> int:
    """Write the cells as the list shows them; the number of rows written."""
    headers = [ExportColumn(name) for name, _text in columns]
    rows = ([text(record) for _name, text in columns] for record in records)
    return export_rows(path, headers, rows, sheet_title=title)


def export_all_fields(
    store: Store, path: Path, title: str, model: type[Record], records: Iterable[Record]
) -> int:
    """Write every field of the records, account names resolved (re-importable)."""
    kind = model.entity
    rows = (
        row for page in _pages(records) for row in record_rows(kind, page, _lookups(store, page))
    )
    return export_rows(path, export_columns(kind), rows, sheet_title=title)


def _pages(records: Iterable[Record]) -> Iterator[list[Record]]:
    page: list[Record] = []
    for record in records:
        page.append(record)
        if len(page) == PAGE:
            yield page
            page = []
    if page:
        yield page


def _lookups(store: Store, records: Sequence[Record]) -> Lookups:
    ids = sorted({i for r in records if isinstance(i := getattr(r, "account_id", None), str)})
    if not ids:
        return Lookups()
    return Lookups(account_names={a.id: a.name for a in store.get_many(Account, ids)})
