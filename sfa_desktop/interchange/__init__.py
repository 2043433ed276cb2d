"""Import from CSV and vCard files, export to CSV, XLSX and vCard. Qt-free.

An import is driven step by step (each step is cheap to repeat when the user changes
something; the wizard runs the reading steps in the background):

1. `open_source(path)` → a `CsvSource` or `VCardSource`. A CSV source has the sniffed
   `format` (encoding, delimiter, quote character, header row); `source.with_format(...)`
   reads it another way. `source.headers` names the columns, `source.sample(n)` shows
   raw rows.
2. `auto_map(source.headers, kind, preset=source.preset_hint)` → a `ColumnMapping` (preset
   found from the header, then similar names); `FIELDS[kind]` lists the targets for the
   column choosers; `mapping.assign(column, key)` / `.ignore(column)` edit it;
   `mapping.problems()` says what is still missing.
3. `ValueFormat` (phone region, decimal comma, day-first dates);
   `ValueFormat.for_delimiter` guesses from the file.
4. `load_existing(store, kind, region)` (one query per kind) and
   `preview(source, mapping, fmt, existing)` → `RowReport`s of the first rows.
5. `analyse(source, mapping, fmt, existing)` → an `Analysis` of the whole file: counts,
   reports of rows with problems or duplicates, `needs_decision()` for weak duplicates.
6. `commit(store, analysis, decisions)` (row → `Resolution.skip()/create()/merge()`)
   → an `ImportResult` with counts and Changes; one transaction, all or nothing.

Exports: `export_rows(path, columns, rows)` for any list (CSV or XLSX);
`record_columns` has the columns of accounts, contacts, leads and opportunities;
`write_vcards(path, contacts, version)` for contacts. `sfa_desktop.operations.interchange`
has the same steps as functions over a Store.

Limits (`Limits`): 50 MB, 200,000 rows, 500 columns, 64 KB per value, 1 MB per line,
256 KB per vCard; past them the read stops with an `InterchangeError` naming the line.
"""

from sfa_desktop.interchange.analysis import (
    AccountLink,
    Analysis,
    RowReport,
    RowStatus,
    analyse,
    preview,
)
from sfa_desktop.interchange.commit import ImportResult, commit
from sfa_desktop.interchange.csv_source import CsvFormat, CsvSource, sniff_csv
from sfa_desktop.interchange.duplicates import (
    Action,
    Duplicate,
    DuplicateMatch,
    ExistingRecords,
    Resolution,
    load_existing,
)
from sfa_desktop.interchange.encoding import COMMON_ENCODINGS, detect_encoding
from sfa_desktop.interchange.errors import InterchangeError
from sfa_desktop.interchange.export import (
    CellType,
    CsvOptions,
    ExportColumn,
    ExportFormat,
    export_rows,
)
from sfa_desktop.interchange.fields import FIELDS, FieldType, TargetField
from sfa_desktop.interchange.issues import Issue, Severity
from sfa_desktop.interchange.limits import DEFAULT_LIMITS, Limits
from sfa_desktop.interchange.mapping import ColumnMapping, auto_map
from sfa_desktop.interchange.opening import open_source
from sfa_desktop.interchange.presets import PRESETS, Preset, detect_preset
from sfa_desktop.interchange.source import Source, SourceRow, first_rows
from sfa_desktop.interchange.values import ValueFormat
from sfa_desktop.interchange.vcard_export import VCardContact, VCardVersion, write_vcards
from sfa_desktop.interchange.vcard_source import VCardSource

__all__ = [
    "COMMON_ENCODINGS",
    "DEFAULT_LIMITS",
    "FIELDS",
    "PRESETS",
    "AccountLink",
    "Action",
    "Analysis",
    "CellType",
    "ColumnMapping",
    "CsvFormat",
    "CsvOptions",
    "CsvSource",
    "Duplicate",
    "DuplicateMatch",
    "ExistingRecords",
    "ExportColumn",
    "ExportFormat",
    "FieldType",
    "ImportResult",
    "InterchangeError",
    "Issue",
    "Limits",
    "Preset",
    "Resolution",
    "RowReport",
    "RowStatus",
    "Severity",
    "Source",
    "SourceRow",
    "TargetField",
    "VCardContact",
    "VCardSource",
    "VCardVersion",
    "ValueFormat",
    "analyse",
    "auto_map",
    "commit",
    "detect_encoding",
    "detect_preset",
    "export_rows",
    "first_rows",
    "load_existing",
    "open_source",
    "preview",
    "sniff_csv",
    "write_vcards",
]
