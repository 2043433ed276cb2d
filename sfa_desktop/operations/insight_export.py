"""The insight views exported: CSV (one file per table beside the first), XLSX (a sheet per
table). Amounts in the report's currency (whole units), shares as percentages."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from sfa_desktop.operations.insight import MONEY, SHARE, Table

_SHEET = re.compile(r"[\[\]:*?/\\]")


def cell_value(kind: str, value: Any) -> Any:
    """A value as an export writes it: money in whole units, the rest unchanged."""
    if value is None:
        return ""
    if kind == MONEY:
        return round(value / 100, 2)
    return value


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]


def write_csv(tables: list[Table], path: Path) -> list[Path]:
    """The first table at `path`, each other at `<stem>-<its title>.csv`."""
    written = []
    for index, table in enumerate(tables):
        target = path if index == 0 else path.with_name(f"{path.stem}-{_slug(table.title)}.csv")
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.headers)
            for row in table.rows:
                writer.writerow(
                    [cell_value(kind, v) for (_, kind), v in zip(table.columns, row, strict=True)]
                )
        written.append(target)
    return written


def write_xlsx(tables: list[Table], path: Path, currency: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    used: set[str] = set()
    for table in tables:
        name = _SHEET.sub(" ", table.title)[:28]
        while name in used:
            name = name[:26] + f" {len(used)}"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(
                [cell_value(kind, v) for (_, kind), v in zip(table.columns, row, strict=True)]
            )
            line = sheet.max_row
            for column, (_, kind) in enumerate(table.columns, start=1):
                if kind == MONEY:
                    sheet.cell(line, column).number_format = f'#,##0.00 "{currency}"'
                elif kind == SHARE:
                    sheet.cell(line, column).number_format = "0.0%"
        for column in range(1, len(table.columns) + 1):
            sheet.column_dimensions[sheet.cell(1, column).column_letter].width = 18
        sheet.freeze_panes = "B2"
    book.save(path)
    return path
