"""Any list to CSV or XLSX: column definitions plus row values, written as a stream.

CSV is UTF-8 with a byte order mark (so Excel reads it as UTF-8), CRLF line ends and
RFC 4180 quoting. XLSX is written by openpyxl in write-only mode (rows go to disk as they
come; memory stays flat for 100k rows): a bold header row, column widths from the header
and the first rows, dates as dates, money as numbers with two decimals.

Formula injection (OWASP "CSV Injection"): a text value starting with = + - @ TAB or CR
would run as a formula when a spreadsheet opens the file. In CSV such a value is written
with a leading apostrophe (the import takes it off again); in XLSX every text value is a
string cell, never a formula (openpyxl would store "=…" as a formula by itself).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from itertools import chain, islice
from pathlib import Path
from typing import Any

from sfa_desktop.interchange.errors import InterchangeError

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_XLSX_MAX_TEXT = 32_767  # characters in one cell
_XLSX_MAX_ROWS = 1_048_576
_WIDTH_SAMPLE = 200  # rows looked at for column widths
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


class CellType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    MONEY = "money"  # major units (Decimal, int or float), shown with two decimals
    PERCENT = "percent"  # a fraction: 0.25 is 25 %
    DATE = "date"
    DATETIME = "datetime"  # aware values are shown in local time
    BOOL = "bool"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"

    @classmethod
    def for_path(cls, path: Path) -> ExportFormat:
        suffix = path.suffix.lower().lstrip(".")
        try:
            return cls(suffix)
        except ValueError:
            message = f"Cannot export to a .{suffix} file (use .csv or .xlsx)"
            raise InterchangeError(message) from None


@dataclass(frozen=True)
class ExportColumn:
    header: str
    type: CellType = CellType.TEXT
    width: int | None = None  # in characters; None: from the header and the first rows


@dataclass(frozen=True)
class CsvOptions:
    delimiter: str = ","
    decimal_comma: bool = False  # write 1234,50 (for a semicolon-separated file)


def guard_formula(text: str) -> str:
    """`text` made safe to open in a spreadsheet (a leading apostrophe if it could run)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def export_rows(
    path: Path | str,
    columns: Sequence[ExportColumn],
    rows: Iterable[Sequence[object]],
    fmt: ExportFormat | None = None,
    *,
    sheet_title: str = "Export",
    csv_options: CsvOptions = CsvOptions(),
) -> int:
    """Write `rows` (one value per column) to `path`; the number of rows written.

    `fmt` defaults to the file's suffix. Values of the wrong type for their column are
    written as text; None is an empty cell."""
    path = Path(path)
    fmt = fmt or ExportFormat.for_path(path)
    if fmt is ExportFormat.CSV:
        return _write_csv(path, columns, rows, csv_options)
    return _write_xlsx(path, columns, rows, sheet_title)


# -- CSV --------------------------------------------------------------------------------------


def _number_text(value: Decimal | float | int, places: int | None, options: CsvOptions) -> str:
    text = f"{value:.{places}f}" if places is not None else format(value, "f")
    if isinstance(value, float) and places is None:
        text = repr(value)
    elif isinstance(value, int) and places is None:
        text = str(value)  # format(12, "f") would write 12.000000
    return text.replace(".", ",") if options.decimal_comma else text


def csv_text(value: object, column: ExportColumn, options: CsvOptions = CsvOptions()) -> str:
    """How one value is written in CSV."""
    if value is None:
        return ""
    kind = column.type
    if isinstance(value, bool) and kind is CellType.BOOL:
        return "yes" if value else "no"
    number = value if isinstance(value, (int, float, Decimal)) else None
    numeric = number is not None and not isinstance(value, bool)
    if (
        number is not None
        and numeric
        and kind in (CellType.INTEGER, CellType.NUMBER, CellType.MONEY)
    ):
        places = 2 if kind is CellType.MONEY else (0 if kind is CellType.INTEGER else None)
        return _number_text(number, places, options)
    if numeric and kind is CellType.PERCENT:
        return _number_text(Decimal(str(value)) * 100, None, options).rstrip("0").rstrip(".,") + "%"
    if isinstance(value, datetime) and kind in (CellType.DATETIME, CellType.DATE):
        local = value.astimezone() if value.tzinfo is not None else value
        if kind is CellType.DATE:
            return local.date().isoformat()
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date) and kind in (CellType.DATE, CellType.DATETIME):
        return value.isoformat()
    return guard_formula(str(value))


def _write_csv(
    path: Path,
    columns: Sequence[ExportColumn],
    rows: Iterable[Sequence[object]],
    options: CsvOptions,
) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=options.delimiter, lineterminator="\r\n")
        writer.writerow([guard_formula(c.header) for c in columns])
        for row in rows:
            writer.writerow([csv_text(v, c, options) for c, v in zip(columns, row, strict=False)])
            count += 1
    return count


# -- XLSX -------------------------------------------------------------------------------------

_FORMATS = {
    CellType.MONEY: "#,##0.00",
    CellType.PERCENT: "0%",
    CellType.DATE: "yyyy-mm-dd",
    CellType.DATETIME: "yyyy-mm-dd hh:mm",
    CellType.INTEGER: "0",
}


def _text_width(value: object) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def _widths(columns: Sequence[ExportColumn], head: Sequence[Sequence[object]]) -> list[float]:
    widths = []
    for index, column in enumerate(columns):
        if column.width is not None:
            widths.append(float(column.width))
            continue
        sizes = [_text_width(row[index]) for row in head if index < len(row) and row[index]]
        longest = max([len(column.header) + 2, *sizes])
        widths.append(float(min(max(longest + 1, 8), 60)))
    return widths


class _XlsxCells:
    """Turns values into write-only cells of the right type and format."""

    def __init__(self, sheet: Any, columns: Sequence[ExportColumn]) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

        self._cell = WriteOnlyCell
        self._sheet = sheet
        self._columns = columns
        self._illegal = ILLEGAL_CHARACTERS_RE
        self._error_codes = frozenset(ERROR_CODES)

    def clean(self, value: str) -> str:
        """Without the control characters XML cannot hold, within a cell's length."""
        return str(self._illegal.sub("", value))[:_XLSX_MAX_TEXT]

    def text(self, value: str) -> object:
        value = self.clean(value)
        if value.startswith("=") or value in self._error_codes:
            cell = self._cell(self._sheet, value=value)
            cell.data_type = "s"  # text, never a formula or an error value
            return cell
        return value

    def value(self, value: object, column: ExportColumn) -> object:
        if value is None:
            return None
        kind = column.type
        if isinstance(value, bool):
            return value if kind is CellType.BOOL else self.text(str(value))
        if isinstance(value, (int, float, Decimal)) and kind in _NUMERIC:
            if isinstance(value, float) and value != value:  # NaN has no cell
                return None
            number_format = _FORMATS.get(kind)
            if number_format is None:
                return value
            cell = self._cell(self._sheet, value=value)
            cell.number_format = number_format
            return cell
        if isinstance(value, date) and kind in (CellType.DATE, CellType.DATETIME):
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.astimezone().replace(tzinfo=None)
            cell = self._cell(self._sheet, value=value)
            cell.number_format = _FORMATS[kind]
            return cell
        return self.text(str(value))


_NUMERIC = (CellType.INTEGER, CellType.NUMBER, CellType.MONEY, CellType.PERCENT)


def _sheet_name(title: str) -> str:
    return (_SHEET_NAME.sub(" ", title).strip("'") or "Export")[:31]


def _write_xlsx(
    path: Path, columns: Sequence[ExportColumn], rows: Iterable[Sequence[object]], title: str
) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_name(title))
    iterator = iter(rows)
    head = list(islice(iterator, _WIDTH_SAMPLE))
    for index, width in enumerate(_widths(columns, head), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    cells = _XlsxCells(sheet, columns)
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=cells.clean(column.header))
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in chain(head, iterator):
        if count + 1 >= _XLSX_MAX_ROWS:
            raise InterchangeError(
                f"A worksheet holds at most {_XLSX_MAX_ROWS - 1:,} rows; export to CSV instead."
            )
        sheet.append([cells.value(v, c) for c, v in zip(columns, row, strict=False)])
        count += 1
    book.save(path)
    return count
