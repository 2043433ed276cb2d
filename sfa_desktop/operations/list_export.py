"""Export a list to CSV or XLSX: its columns as shown, or every field of its records.

A list is either ids in the store (the big lazy lists: rows are read a page at a time
while the file is written) or records already in memory (the small lists inside a view).
Every field is `operations.interchange.export_records` (the file imports again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sfa_desktop.core.entities import Record
from sfa_desktop.interchange import ExportColumn, export_rows
from sfa_desktop.interchange.record_columns import EXPORTABLE
from sfa_desktop.operations.interchange import record_pages
from sfa_desktop.store import Store

# A column as shown: its header and the text a cell shows.
ShownColumn = tuple[str, Callable[[Any], str]]


def can_export_all_fields(model: type[Record] | None) -> bool:
    """Whether records of `model` have a full export (one that imports again)."""
    return model is not None and model.entity in EXPORTABLE


def records_in_pages(store: Store, model: type[Record], ids: Sequence[str]) -> Iterator[Record]:
    """The records of `ids` in that order, read a page at a time."""
    for page in record_pages(store, model, ids):
        yield from page


def export_shown(
    path: Path, title: str, columns: Sequence[ShownColumn], records: Iterable[Any]
) -> int:
    """Write the cells as the list shows them; the number of rows written."""
    headers = [ExportColumn(name) for name, _text in columns]
    rows = ([text(record) for _name, text in columns] for record in records)
    return export_rows(path, headers, rows, sheet_title=title)
