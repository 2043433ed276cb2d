"""CSV files as an import source: the format found by sniffing, the rows read as a stream.

`sniff_csv` looks at the first 64 KB: the encoding (see `encoding`), the delimiter
(csv.Sniffer's guess checked against how evenly each of `, ; TAB |` splits the sample
into rows of one width), the quote character, a preamble before the header (LinkedIn
puts notes above its header) and whether there is a header at all. Each of these can be
overridden by the user (`CsvSource.with_format`).

Rows are read with the stdlib csv module over `TextLines`, with the csv field size limit
set to ours only while a record is parsed (it is process-wide). Ragged rows are padded
or trimmed and reported; a value past the field limit, a line past the line limit and a
row past the row limit end the read with an error naming the line.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sfa_desktop.interchange.encoding import check_codec, detect_encoding
from sfa_desktop.interchange.errors import (
    FieldTooLarge,
    InterchangeError,
    TooManyColumns,
    TooManyRows,
)
from sfa_desktop.interchange.issues import Issue
from sfa_desktop.interchange.limits import DEFAULT_LIMITS, Limits
from sfa_desktop.interchange.lines import TextLines, read_sample
from sfa_desktop.interchange.source import SourceRow, first_rows

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_SAMPLE_RECORDS = 50
_NUMBER = re.compile(r"^[\s$€£+-]*[0-9][0-9.,\s%]*$")


@dataclass(frozen=True)
class CsvFormat:
    """How to read a CSV file; everything sniffing found can be changed by the user."""

    encoding: str = "utf-8-sig"
    delimiter: str = ","
    quotechar: str = '"'
    header_row: int = 0  # records before the header (a preamble); 0 = the first record
    has_header: bool = True
    encoding_reason: str = ""  # how the encoding was found, for the wizard

    def __post_init__(self) -> None:
        if len(self.delimiter) != 1 or self.delimiter in "\r\n":
            raise InterchangeError(f"{self.delimiter!r} cannot separate values")
        if len(self.quotechar) != 1 or self.quotechar == self.delimiter:
            raise InterchangeError(f"{self.quotechar!r} cannot be the quote character")
        if self.header_row < 0:
            raise InterchangeError("the header row cannot be before the first row")
        check_codec(self.encoding)

    def reader_options(self) -> dict[str, Any]:
        return {
            "delimiter": self.delimiter,
            "quotechar": self.quotechar,
            "doublequote": True,
            "strict": False,
        }


def _next_record(reader: Iterator[list[str]], lines: TextLines, limits: Limits) -> list[str]:
    """The next record, parsed under our field size limit (restored afterwards)."""
    previous = csv.field_size_limit(limits.max_field_chars)
    start = lines.line_no + 1
    try:
        return next(reader)
    except csv.Error as error:
        if "field limit" in str(error):
            raise FieldTooLarge(
                f"The row starting on line {start} has a value longer than "
                f"{limits.max_field_chars // 1024} KB; often a quote that is never closed.",
                start,
            ) from None
        raise InterchangeError(f"Line {lines.line_no}: {error}", lines.line_no) from None
    finally:
        csv.field_size_limit(previous)


def _records(path: Path, fmt: CsvFormat, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(first line, values) of every record, blank lines included as []."""
    lines = TextLines(path, fmt.encoding, limits)
    reader = csv.reader(lines, **fmt.reader_options())
    while True:
        start = lines.line_no + 1
        try:
            values = _next_record(reader, lines, limits)
        except StopIteration:
            return
        yield start, values


# -- sniffing ---------------------------------------------------------------------------------


def _sample_text(path: Path, codec: str, limits: Limits) -> str:
    """Whole lines from the start of the file, about `sample_bytes` of them."""
    taken: list[str] = []
    size = 0
    lines = TextLines(path, codec, limits)
    for line in lines:
        taken.append(line)
        size += len(line)
        if size >= limits.sample_bytes or len(taken) >= 4 * _SAMPLE_RECORDS:
            break
    return "".join(taken)


def _parse(text: str, delimiter: str, quotechar: str, limits: Limits) -> list[list[str]]:
    previous = csv.field_size_limit(limits.max_field_chars)
    try:
        reader = csv.reader(
            text.splitlines(keepends=True), delimiter=delimiter, quotechar=quotechar
        )
        records: list[list[str]] = []
        try:
            for record in reader:
                records.append(record)
                if len(records) >= _SAMPLE_RECORDS:
                    break
        except csv.Error:
            pass  # a broken record ends the sample; reading the rows reports it
        return records
    finally:
        csv.field_size_limit(previous)


def _width(records: Sequence[list[str]]) -> tuple[int, int]:
    """(the most common width over 1, how many records have it); (1, n) for one column."""
    widths = Counter(len(r) for r in records if any(v.strip() for v in r))
    wide = [(count, width) for width, count in widths.items() if width > 1]
    if not wide:
        return 1, sum(widths.values())
    count, width = max(wide)
    return width, count


def _choose_delimiter(text: str, limits: Limits) -> tuple[str, str]:
    """(delimiter, quote char): the one splitting most records into one width > 1."""
    sniffed: type[csv.Dialect] | None
    try:
        sniffed = csv.Sniffer().sniff(text, delimiters="".join(DELIMITERS))
    except csv.Error:
        sniffed = None
    quotechar = '"'
    if sniffed is not None and sniffed.quotechar in ("'", '"'):
        quotechar = sniffed.quotechar
    best: tuple[int, int, int] | None = None
    choice = ","
    for rank, delimiter in enumerate(DELIMITERS):
        width, count = _width(_parse(text, delimiter, quotechar, limits))
        if width == 1:
            continue
        preferred = 1 if sniffed is not None and sniffed.delimiter == delimiter else 0
        score = (count, preferred, -rank)
        if best is None or score > best:
            best, choice = score, delimiter
    return choice, quotechar


def _looks_like_header(cells: Sequence[str], text: str) -> bool:
    """Unique, non-empty, non-numeric labels without @ (an email is data)."""
    names = [c.strip() for c in cells]
    if not any(names):
        return False
    plain = all(n and not _NUMBER.match(n) and "@" not in n for n in names)
    if plain and len({n.casefold() for n in names}) == len(names):
        return True
    try:
        return csv.Sniffer().has_header(text)
    except csv.Error:
        return False


def sniff_csv(
    path: Path | str, limits: Limits = DEFAULT_LIMITS, encoding: str | None = None
) -> CsvFormat:
    """The format of a CSV file, found from its first `sample_bytes`."""
    path = Path(path)
    sample, whole = read_sample(path, limits)
    if encoding is None:
        detected = detect_encoding(sample, whole)
        codec, reason = detected.codec, detected.reason
    else:
        codec, reason = check_codec(encoding), "chosen"
    text = _sample_text(path, codec, limits)
    delimiter, quotechar = _choose_delimiter(text, limits)
    records = _parse(text, delimiter, quotechar, limits)
    # Notes above the header (LinkedIn) are single values: the header is the first
    # record with two values or more.
    header_row = next(
        (i for i, record in enumerate(records) if sum(bool(v.strip()) for v in record) >= 2),
        0,
    )
    header = records[header_row] if records else []
    return CsvFormat(
        encoding=codec,
        delimiter=delimiter,
        quotechar=quotechar,
        header_row=header_row,
        has_header=_looks_like_header(header, text),
        encoding_reason=reason,
    )


# -- the source -------------------------------------------------------------------------------


class CsvSource:
    """A CSV file read with `format`; `headers` names its columns."""

    format_name = "CSV"
    preset_hint: str | None = None

    def __init__(self, path: Path, fmt: CsvFormat, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = path
        self.format = fmt
        self.limits = limits
        self._digest: str | None = None
        self.headers = self._read_headers()
        if not self.headers:
            raise InterchangeError(f"{path.name} is empty: it has no rows to import.")

    @classmethod
    def open(
        cls, path: Path | str, limits: Limits = DEFAULT_LIMITS, encoding: str | None = None
    ) -> CsvSource:
        """Sniff the file's format and read its header."""
        path = Path(path)
        return cls(path, sniff_csv(path, limits, encoding), limits)

    def with_format(self, **changes: Any) -> CsvSource:
        """The same file read another way (encoding, delimiter, quotechar, header_row,
        has_header); the header is read again."""
        if "encoding" in changes:
            changes.setdefault("encoding_reason", "chosen")
        return CsvSource(self.path, replace(self.format, **changes), self.limits)

    @property
    def digest(self) -> str | None:
        return self._digest

    def _read_headers(self) -> tuple[str, ...]:
        for index, (_line, values) in enumerate(_records(self.path, self.format, self.limits)):
            if index < self.format.header_row:
                continue
            if len(values) > self.limits.max_columns:
                raise TooManyColumns(
                    f"The header has {len(values):,} columns; at most "
                    f"{self.limits.max_columns} can be imported.",
                )
            if self.format.has_header:
                return tuple(
                    v.strip().lstrip("\ufeff") or f"Column {i + 1}" for i, v in enumerate(values)
                )
            return tuple(f"Column {i + 1}" for i in range(len(values)))
        return ()

    def rows(self) -> Generator[SourceRow, None, None]:
        """The data rows (blank ones left out), read from the file as they are used."""
        self._digest = None
        lines = TextLines(self.path, self.format.encoding, self.limits)
        reader = csv.reader(lines, **self.format.reader_options())
        skip = self.format.header_row + (1 if self.format.has_header else 0)
        width = len(self.headers)
        number = 0
        data_rows = 0
        while True:
            start = lines.line_no + 1
            try:
                values = _next_record(reader, lines, self.limits)
            except StopIteration:
                break
            number += 1
            nul_lines = lines.take_nul_lines()
            if number <= skip or not any(v.strip() for v in values):
                continue
            data_rows += 1
            if data_rows > self.limits.max_rows:
                raise TooManyRows(
                    f"The file has more than {self.limits.max_rows:,} rows; "
                    "split it into smaller files.",
                    start,
                )
            yield self._row(number, start, values, width, nul_lines)
        self._digest = lines.digest

    def _row(
        self, number: int, line: int, values: list[str], width: int, nul_lines: list[int]
    ) -> SourceRow:
        issues: list[Issue] = []
        if nul_lines:
            issues.append(Issue.warning("NUL characters were removed from this row"))
        if len(values) > width:
            extra = values[width:]
            if any(v.strip() for v in extra):
                issues.append(
                    Issue(
                        f"The row has {len(values)} values but the header has {width} "
                        "columns; the columns may be shifted (a value with an unquoted "
                        f"{DELIMITER_NAMES.get(self.format.delimiter, 'delimiter')}?)"
                    )
                )
            values = values[:width]
        elif len(values) < width:
            issues.append(
                Issue.warning(f"The row has {len(values)} of {width} values; the rest are empty")
            )
            values = values + [""] * (width - len(values))
        return SourceRow(number, line, tuple(values), tuple(issues))

    def sample(self, count: int = 20) -> list[SourceRow]:
        """The first `count` data rows (for showing the file as it is read)."""
        return first_rows(self, count)
