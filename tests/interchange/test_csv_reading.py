"""Reading CSV: encodings of Excel and Outlook, dialects, header rows, ragged rows, limits."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from interchange_kit import write

from sfa_desktop.interchange import CsvSource, Limits, detect_encoding, open_source, sniff_csv
from sfa_desktop.interchange.errors import (
    BadEncoding,
    FieldTooLarge,
    FileTooLarge,
    LineTooLong,
    NotText,
    TooManyColumns,
    TooManyRows,
)
from sfa_desktop.interchange.issues import Severity

GERMAN = "Vorname;Nachname;Firma;Straße\nJürgen;Müller;Bäckerei Größ GmbH;Hauptstraße 5\n"
SMALL = Limits(
    max_bytes=64 * 1024,
    max_rows=5,
    max_field_chars=100,
    max_columns=10,
    max_line_chars=2_000,
    chunk_bytes=512,
    sample_bytes=4_096,
)


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (codecs.BOM_UTF8 + GERMAN.encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + GERMAN.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + GERMAN.encode("utf-16-be"), "utf-16"),
        (GERMAN.encode("utf-16-le"), "utf-16-le"),  # Excel "Unicode text" without its BOM
        (GERMAN.encode("utf-16-be"), "utf-16-be"),
        (GERMAN.encode("utf-32"), "utf-32"),
        (GERMAN.encode(), "utf-8-sig"),
        (GERMAN.encode("cp1252"), "cp1252"),
        ("Name,Ort\nZoë,Malmö\n".encode("latin-1"), "cp1252"),
        ("Imię;Nazwisko\nŁukasz;Wróbel\nŻaneta;Łódź\n".encode("cp1250"), "cp1250"),
        ("Имя;Фамилия;Город\nИван;Петров;Москва\n".encode("cp1251"), "cp1251"),
    ],
)
def test_encodings_are_detected(data: bytes, codec: str) -> None:
    found = detect_encoding(data, whole_file=True)
    assert codecs.lookup(found.codec).name == codecs.lookup(codec).name, found


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_excel_and_outlook_files_read_the_same_whatever_the_encoding(
    codec: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "a.csv", GERMAN, codec)
    source = open_source(path)
    assert source.headers == ("Vorname", "Nachname", "Firma", "Straße")
    assert [r.values for r in source.rows()] == [
        ("Jürgen", "Müller", "Bäckerei Größ GmbH", "Hauptstraße 5")
    ]


def test_binary_files_are_refused_with_what_they_look_like(tmp_path: Path) -> None:
    with pytest.raises(NotText, match="Excel workbook"):
        open_source(write(tmp_path, "a.csv", b"PK\x03\x04" + b"\x00" * 100))
    with pytest.raises(NotText, match="binary"):
        open_source(write(tmp_path, "b.csv", bytes(range(256)) * 4))


def test_a_byte_the_encoding_cannot_read_is_reported_with_its_line(tmp_path: Path) -> None:
    lines = ["a,b\n"] + [f"x{i},y\n" for i in range(12_000)]
    data = "".join(lines).encode() + b"bad\x81,z\n"  # 0x81 is not UTF-8 and not cp1252
    path = write(tmp_path, "a.csv", data)
    source = open_source(path)  # the sample is clean UTF-8
    with pytest.raises(BadEncoding, match="Line 12002 ") as error:
        list(source.rows())
    assert error.value.line == 12002
    rows = list(source.with_format(encoding="latin-1").rows())
    assert rows[-1].values == ("bad\x81", "z")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(delimiter: str, tmp_path: Path) -> None:
    rows = [
        ["Name", "Street", "City", "Notes"],
        ["Acme", "1 Main St, Suite 5", "Springfield", 'said "hi"; left'],
        ["Globex", "2 Side Rd", "Cypress Creek", "multi\nline"],
    ]
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    source = open_source(write(tmp_path, "a.csv", buffer.getvalue()))
    assert source.format.delimiter == delimiter
    assert source.headers == tuple(rows[0])
    assert [list(r.values) for r in source.rows()] == [
        [v.replace("\r\n", "\n") for v in row] for row in rows[1:]
    ]


def test_semicolon_files_with_commas_in_values_are_semicolon_files(tmp_path: Path) -> None:
    text = "Name;Adresse;Umsatz\nA GmbH;Weg 1, Berlin;1.234,50\nB AG;Gasse 2, Köln;99,00\n"
    assert sniff_csv(write(tmp_path, "a.csv", text)).delimiter == ";"


def test_mixed_line_endings_and_quoted_newlines(tmp_path: Path) -> None:
    data = b'a,b\r\n1,"x\r\ny"\n2,z\r3,w'
    source = open_source(write(tmp_path, "a.csv", data))
    rows = list(source.rows())
    assert [r.values for r in rows] == [("1", "x\r\ny"), ("2", "z"), ("3", "w")]
    assert [(r.row, r.line) for r in rows] == [(2, 2), (3, 4), (4, 5)]


def test_a_file_without_header_gets_column_names(tmp_path: Path) -> None:
    text = "jane@example.com,555-0100\njohn@example.com,555-0101\n"
    source = open_source(write(tmp_path, "a.csv", text))
    assert not source.format.has_header
    assert source.headers == ("Column 1", "Column 2")
    assert len(list(source.rows())) == 2
    with_header = source.with_format(has_header=True)
    assert with_header.headers == ("jane@example.com", "555-0100")


def test_ragged_rows_are_padded_or_reported(tmp_path: Path) -> None:
    text = "a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n"
    rows = list(open_source(write(tmp_path, "a.csv", text)).rows())
    assert rows[0].values == ("1", "2", "")
    assert rows[0].issues[0].severity is Severity.WARNING
    assert rows[1].issues[0].severity is Severity.ERROR
    assert "4 values but the header has 3" in rows[1].issues[0].message
    assert rows[2].values == ("1", "2", "3")
    assert rows[2].issues == ()


def test_nul_bytes_and_a_bom_in_the_middle_are_dropped(tmp_path: Path) -> None:
    data = b"a,b\n1\x00,2\n" + codecs.BOM_UTF8 + b"3,4\n"
    rows = list(open_source(write(tmp_path, "a.csv", data)).rows())
    assert [r.values for r in rows] == [("1", "2"), ("3", "4")]
    assert "NUL" in rows[0].issues[0].message


def test_blank_rows_are_left_out_but_counted(tmp_path: Path) -> None:
    rows = list(open_source(write(tmp_path, "a.csv", "a,b\n\n1,2\n,\n3,4\n")).rows())
    assert [r.row for r in rows] == [3, 5]


def test_limits_stop_the_read_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(FileTooLarge, match="MB"):
        CsvSource.open(write(tmp_path, "big.csv", "a\n" + "x\n" * 40_000), SMALL)
    with pytest.raises(TooManyRows, match="more than 5 rows"):
        list(CsvSource.open(write(tmp_path, "rows.csv", "a\n" + "x\n" * 6), SMALL).rows())
    with pytest.raises(TooManyColumns, match="11 columns"):
        CsvSource.open(write(tmp_path, "cols.csv", ",".join("c" * 11) + "\n"), SMALL)
    endless = 'a,b\n1,"never closed\n' + "more text\n" * 50
    with pytest.raises(FieldTooLarge, match="line 2") as error:
        list(CsvSource.open(write(tmp_path, "quote.csv", endless), SMALL).rows())
    assert error.value.line == 2
    with pytest.raises(LineTooLong, match="Line 2 "):
        list(CsvSource.open(write(tmp_path, "line.csv", "a\n" + "x" * 5_000), SMALL).rows())


def test_the_field_size_limit_is_restored(tmp_path: Path) -> None:
    import csv

    before = csv.field_size_limit()
    list(open_source(write(tmp_path, "a.csv", "a,b\n1,2\n")).rows())
    assert csv.field_size_limit() == before


def test_the_user_can_override_what_was_sniffed(tmp_path: Path) -> None:
    source = open_source(write(tmp_path, "a.csv", "x|y\n'1|2'|3\n"))
    changed = source.with_format(delimiter="|", quotechar="'")
    assert next(iter(changed.rows())).values == ("1|2", "3")
    with pytest.raises(Exception, match="not a known text encoding"):
        source.with_format(encoding="klingon")
