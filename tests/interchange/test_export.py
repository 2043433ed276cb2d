"""Exports of any list: CSV for Excel (BOM, RFC 4180), XLSX (types, formats, widths),
no formula injection, streamed (memory stays flat however many rows)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sfa_desktop.core.entities import Account, Contact, Opportunity
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange import CellType, CsvOptions, ExportColumn, export_rows
from sfa_desktop.interchange.errors import InterchangeError
from sfa_desktop.interchange.export import guard_formula
from sfa_desktop.operations.interchange import export_records
from sfa_desktop.store import Store

COLUMNS = [
    ExportColumn("Name"),
    ExportColumn("Amount", CellType.MONEY),
    ExportColumn("Close date", CellType.DATE),
    ExportColumn("Updated", CellType.DATETIME),
    ExportColumn("Won", CellType.BOOL),
    ExportColumn("Probability", CellType.PERCENT),
    ExportColumn("Count", CellType.INTEGER),
]
ROW = (
    'Acme, "the" firm\nline 2',
    Decimal("1234.5"),
    date(2026, 3, 16),
    datetime(2026, 3, 16, 9, 30, tzinfo=UTC),
    True,
    0.25,
    7,
)
PAYLOADS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
]


def test_csv_is_utf8_with_bom_crlf_and_rfc4180_quoting(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    assert export_rows(path, COLUMNS, [ROW, (None,) * 7]) == 2
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 3  # header and two rows; the value keeps its own \n
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == [c.header for c in COLUMNS]
    assert rows[1] == [
        'Acme, "the" firm\nline 2',
        "1234.50",
        "2026-03-16",
        datetime(2026, 3, 16, 9, 30, tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M"),
        "yes",
        "25%",
        "7",
    ]
    assert rows[2] == [""] * 7
    assert b'"Acme, ""the"" firm' in data


def test_csv_for_a_semicolon_locale(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    export_rows(path, COLUMNS[:2], [("x", Decimal("1234.5"))], csv_options=CsvOptions(";", True))
    assert path.read_text("utf-8-sig").splitlines()[1] == "x;1234,50"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_formula_payloads_are_written_as_text(payload: str, tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    export_rows(path, [ExportColumn(payload), ExportColumn("B")], [(payload, payload)])
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for cell in (rows[0][0], rows[1][0], rows[1][1]):
        if payload[0] in "=+-@\t\r":
            assert cell == "'" + payload
        else:
            assert cell == payload
    assert guard_formula("plain") == "plain"


def test_xlsx_has_types_formats_a_bold_header_and_widths(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    export_rows(path, COLUMNS, [ROW], sheet_title="Deals: 2026/Q1")
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "Deals  2026 Q1"
    header = list(sheet[1])
    assert [c.value for c in header] == [c.header for c in COLUMNS]
    assert all(c.font.bold for c in header)
    name, amount, closes, updated, won, probability, count = sheet[2]
    assert name.value == ROW[0]
    assert amount.value == 1234.5
    assert amount.number_format == "#,##0.00"
    assert closes.is_date
    assert closes.value.date() == date(2026, 3, 16)
    assert closes.number_format == "yyyy-mm-dd"
    assert updated.is_date
    assert updated.value.tzinfo is None
    assert won.value is True
    assert probability.value == 0.25
    assert probability.number_format == "0%"
    assert count.value == 7
    assert sheet.column_dimensions["A"].width >= 12
    assert sheet.freeze_panes == "A2"


def test_xlsx_writes_formula_payloads_as_strings(tmp_path: Path) -> None:
    path = tmp_path / "evil.xlsx"
    export_rows(path, [ExportColumn(PAYLOADS[0])], [(p,) for p in PAYLOADS])
    sheet = load_workbook(path).active
    assert sheet is not None
    cells = [row[0] for row in sheet.iter_rows()]
    # XML reads a bare CR as LF; the value stays text either way
    expected = [PAYLOADS[0], *PAYLOADS]
    assert [c.value.replace("\n", "\r") for c in cells] == [e.replace("\n", "\r") for e in expected]
    assert all(c.data_type == "s" for c in cells)  # never "f" (formula) or "e" (error)
    import zipfile

    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert "<f " not in xml


def test_xlsx_drops_characters_xml_cannot_hold(tmp_path: Path) -> None:
    path = tmp_path / "ctl.xlsx"
    export_rows(path, [ExportColumn("A")], [("a\x00b\x07c",), ("x" * 40_000,)])
    sheet = load_workbook(path).active
    assert sheet is not None
    assert sheet["A2"].value == "abc"
    assert len(sheet["A3"].value) == 32_767


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InterchangeError, match=r"\.pdf"):
        export_rows(tmp_path / "x.pdf", COLUMNS, [])


def _rows(count: int) -> Iterator[tuple[object, ...]]:
    for i in range(count):
        yield (f"Account {i}", Decimal(i) / 4, date(2026, 1, 1 + i % 28))


_TYPED = [
    ExportColumn("Name"),
    ExportColumn("Amount", CellType.MONEY),
    ExportColumn("Day", CellType.DATE),
]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["big.csv", "big.xlsx"])
def test_big_exports_are_streamed(name: str, tmp_path: Path) -> None:
    """In a fresh process, so its peak memory is the export's own (30k rows: held in
    memory, openpyxl's normal mode alone would take ~75 MB)."""
    path = tmp_path / name
    script = textwrap.dedent(
        f"""
        import resource, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_export import _TYPED, _rows
        from sfa_desktop.interchange import export_rows
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        count = export_rows({str(path)!r}, _TYPED, _rows(30_000))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(count, (after - before) // 1024)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=True
    )
    count, grown_mb = map(int, done.stdout.split())
    assert count == 30_000
    assert grown_mb < 40, grown_mb
    if name.endswith(".csv"):
        lines = path.read_text("utf-8-sig").splitlines()
        assert (len(lines), lines[-1]) == (30_001, "Account 29999,7499.75,2026-01-12")
        return
    sheet = load_workbook(path, read_only=True).active
    assert sheet is not None
    last = list(sheet.iter_rows(min_row=30_001, max_row=30_001, values_only=True))
    assert last == [("Account 29999", 7499.75, datetime(2026, 1, 12))]


def test_records_export_with_typed_columns(signed_in: Store, tmp_path: Path) -> None:
    account = signed_in.create(
        Account, {"name": "Acme", "potential_revenue": 1_234_50, "is_partner": True}
    ).value
    signed_in.create(Contact, {"last_name": "Doe", "account_id": account.id})
    opportunity = signed_in.create(
        Opportunity,
        {
            "account_id": account.id,
            "name": "Big deal",
            "amount": 99_00,
            "close_date": date(2026, 5, 1),
        },
    ).value
    path = tmp_path / "opps.xlsx"
    assert export_records(signed_in, EntityKind.OPPORTUNITY, [opportunity.id], path) == 1
    sheet = load_workbook(path).active
    assert sheet is not None
    values = {h.value: c for h, c in zip(sheet[1], sheet[2], strict=True)}
    assert values["Account"].value == "Acme"
    assert values["Amount"].value == 99
    assert values["Close date"].is_date
    assert values["Probability"].value == pytest.approx(opportunity.probability / 100)
    path = tmp_path / "accounts.xlsx"
    export_records(signed_in, EntityKind.ACCOUNT, [account.id], path)
    sheet = load_workbook(path).active
    assert sheet is not None
    values = {h.value: c for h, c in zip(sheet[1], sheet[2], strict=True)}
    assert values["Potential revenue"].value == pytest.approx(1234.5)
    assert values["Partner"].value is True
