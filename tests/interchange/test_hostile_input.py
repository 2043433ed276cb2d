"""Malformed and hostile files: each ends in a clear error (a domain exception with a
message, or rows reported as errors) and nothing reaches the store unless it is a valid
row, counted and with its outbox row. Hypothesis runs derandomized with bounded examples."""

from __future__ import annotations

import base64
import codecs
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interchange_kit import run_import, snapshot, write

from sfa_desktop.core.entities import Contact
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import DomainError
from sfa_desktop.interchange import ImportResult, Limits, Resolution, RowStatus
from sfa_desktop.interchange.errors import (
    BadEncoding,
    BadVCardFile,
    FieldTooLarge,
    InterchangeError,
    LineTooLong,
    NotText,
    TooManyColumns,
    TooManyRows,
)
from sfa_desktop.operations.interchange import export_records
from sfa_desktop.store import Store

SMALL = Limits(
    max_bytes=2 * 1024 * 1024,
    max_rows=1_000,
    max_field_chars=4 * 1024,
    max_columns=50,
    max_line_chars=64 * 1024,
    max_card_chars=16 * 1024,
    chunk_bytes=4 * 1024,
    sample_bytes=16 * 1024,
)
FUZZ = settings(
    derandomize=True,
    database=None,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_names = itertools.count()


def attempt(
    store: Store, path: Path, kind: EntityKind = EntityKind.CONTACT, limits: Limits = SMALL
) -> ImportResult | DomainError:
    """The whole import; a domain error must leave the store as it was, a result must
    account for every record and outbox row it added."""
    before = snapshot(store)
    try:
        _analysis, result = run_import(
            store, path, kind, undecided=Resolution.skip(), limits=limits
        )
    except DomainError as error:
        failure = error
    else:
        failure = None
    if failure is not None:
        assert str(failure).strip(), type(failure)
        assert snapshot(store) == before
        return failure
    after = snapshot(store)
    grown = sum(after[:3]) - sum(before[:3])
    assert grown == result.created + result.accounts_created
    assert after[3] - before[3] == grown + result.updated
    return result


def _unchanged(store: Store, path: Path, error: type[Exception], match: str = "") -> None:
    before = snapshot(store)
    outcome = attempt(store, path)
    assert isinstance(outcome, error), outcome
    assert match in str(outcome)
    assert snapshot(store) == before


HEADER = "First Name,Last Name,Email\n"


def test_an_endless_quoted_field(signed_in: Store, tmp_path: Path) -> None:
    text = HEADER + 'Ann,Lee,a@b.example\nBob,"never closed\n' + "filler line\n" * 2_000
    _unchanged(signed_in, write(tmp_path, "q.csv", text), FieldTooLarge, "line 3")


def test_a_huge_field(signed_in: Store, tmp_path: Path) -> None:
    text = HEADER + "Ann,Lee," + "x" * 10_000 + "\n"
    _unchanged(signed_in, write(tmp_path, "f.csv", text), FieldTooLarge, "4 KB")


def test_millions_of_columns(signed_in: Store, tmp_path: Path) -> None:
    _unchanged(signed_in, write(tmp_path, "h.csv", "," * 1_000_000 + "\n"), LineTooLong)
    _unchanged(signed_in, write(tmp_path, "c.csv", ",".join(["c"] * 60) + "\n"), TooManyColumns)
    wide_row = HEADER + "Ann,Lee,a@b.example" + "," * 20_000 + "x\n"
    outcome = attempt(signed_in, write(tmp_path, "w.csv", wide_row))
    assert isinstance(outcome, ImportResult)
    assert (outcome.created, outcome.failed) == (0, 1)  # reported as a row error


def test_a_line_that_never_ends(signed_in: Store, tmp_path: Path) -> None:
    _unchanged(signed_in, write(tmp_path, "l.csv", HEADER + "A" * 200_000), LineTooLong, "Line 2")


def test_too_many_rows(signed_in: Store, tmp_path: Path) -> None:
    rows = "".join(f"F{i},L{i},p{i}@x.example\n" for i in range(1_001))
    _unchanged(signed_in, write(tmp_path, "r.csv", HEADER + rows), TooManyRows, "1,000")


def test_mixed_encodings_name_the_line(signed_in: Store, tmp_path: Path) -> None:
    clean = "".join(f"Ann{i},Lee,a{i}@b.example\n" for i in range(900)).encode()
    data = HEADER.encode() + clean + "Jürgen,Müller,j@m.example\n".encode("cp1252")
    _unchanged(signed_in, write(tmp_path, "m.csv", data), BadEncoding, "Line 902")


def test_utf16_without_bom_and_odd_length(signed_in: Store, tmp_path: Path) -> None:
    data = (HEADER + "Ann,Lee,a@b.example\n").encode("utf-16-le")
    outcome = attempt(signed_in, write(tmp_path, "u.csv", data))
    assert isinstance(outcome, ImportResult)
    assert outcome.created == 1
    outcome = attempt(signed_in, write(tmp_path, "odd.csv", data[:-1]))
    assert isinstance(outcome, BadEncoding | ImportResult)


def test_binary_files_and_nul_floods(signed_in: Store, tmp_path: Path) -> None:
    _unchanged(signed_in, write(tmp_path, "z.csv", b"PK\x03\x04" + bytes(500)), NotText, "Excel")
    _unchanged(signed_in, write(tmp_path, "n.csv", HEADER.encode() + bytes(5_000)), NotText)


def test_nul_bytes_and_a_bom_in_the_middle_are_warnings(signed_in: Store, tmp_path: Path) -> None:
    data = HEADER.encode() + b"An\x00n,Lee,a@b.example\n" + codecs.BOM_UTF8 + b"Bo,Bu,b@u.example\n"
    outcome = attempt(signed_in, write(tmp_path, "nul.csv", data))
    assert isinstance(outcome, ImportResult)
    assert outcome.created == 2
    assert {c.first_name for c in signed_in.records(Contact)} == {"Ann", "Bo"}


def test_formula_payloads_stay_text_and_are_guarded_again_on_export(
    signed_in: Store, tmp_path: Path
) -> None:
    payload = "=cmd|' /C calc'!A0"
    text = HEADER + f'"{payload}",Lee,a@b.example\n"@SUM(1+1)",Lu,b@c.example\n'
    outcome = attempt(signed_in, write(tmp_path, "f.csv", text))
    assert isinstance(outcome, ImportResult)
    assert outcome.created == 2
    firsts = {c.first_name for c in signed_in.records(Contact)}
    assert firsts == {payload, "@SUM(1+1)"}
    out = tmp_path / "out.csv"
    export_records(signed_in, EntityKind.CONTACT, signed_in.ids(Contact), out)
    exported = out.read_text("utf-8-sig")
    assert f"'{payload}" in exported
    assert "'@SUM(1+1)" in exported


def test_vcards_broken_in_every_way_write_nothing(signed_in: Store, tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nN:Fold;Broken\nNOTE:folded\nwithout a space\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nORG:No Name\nX-WHATEVER;A=b:c\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:4.0\nN:Missing;End\n"
        "BEGIN:VCARD\nN;CHARSET=klingon;ENCODING=QUOTED-PRINTABLE:=FF=FE;x\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nN:Open;End\n"
    )
    before = snapshot(signed_in)
    outcome = attempt(signed_in, write(tmp_path, "bad.vcf", text))
    assert isinstance(outcome, ImportResult)
    assert (outcome.created, outcome.failed) == (0, 5)
    assert snapshot(signed_in) == before
    _unchanged(signed_in, write(tmp_path, "empty.vcf", "BEGIN:VCARX\n"), BadVCardFile)


def test_a_vcard_bomb(signed_in: Store, tmp_path: Path) -> None:
    encoded = base64.b64encode(bytes(1_200_000)).decode()
    folded = "\n ".join(encoded[i : i + 74] for i in range(0, len(encoded), 74))
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nN:Bomb;Bea\nFN:Bea Bomb\n"
        f"PHOTO;ENCODING=b;TYPE=JPEG:{folded}\n"
        f"LOGO;ENCODING=b:{encoded}\n"
        "EMAIL:bea@bomb.example\nEND:VCARD\n"
    )
    limits = Limits(max_line_chars=64 * 1024)  # the one-line logo is cut there and dropped
    outcome = attempt(signed_in, write(tmp_path, "bomb.vcf", text), limits=limits)
    assert isinstance(outcome, ImportResult)
    assert outcome.created == 1
    (bea,) = signed_in.records(Contact)
    assert bea.email == "bea@bomb.example"


# -- generated input ------------------------------------------------------------------------


def _path(tmp_path: Path, suffix: str) -> Path:
    return tmp_path / f"fuzz{next(_names)}.{suffix}"


@FUZZ
@given(data=st.binary(max_size=3_000), header=st.booleans())
def test_random_bytes(data: bytes, header: bool, signed_in: Store, tmp_path: Path) -> None:
    path = _path(tmp_path, "csv")
    path.write_bytes((HEADER.encode() if header else b"") + data)
    attempt(signed_in, path)


_CELL = st.lists(
    st.sampled_from([*"aZ09 ,;\t|\"'=+-@\r\n\x00\ufeffäß€😀", "ab", "x@y.example", "+49 30 1234"]),
    max_size=8,
).map("".join)


@FUZZ
@given(
    rows=st.lists(st.lists(_CELL, min_size=0, max_size=6), max_size=15),
    delimiter=st.sampled_from([",", ";", "\t"]),
    quote=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]),
)
def test_random_csv_text(
    rows: list[list[str]],
    delimiter: str,
    quote: bool,
    encoding: str,
    signed_in: Store,
    tmp_path: Path,
) -> None:
    def line(cells: list[str]) -> str:
        if quote:
            cells = ['"' + c.replace('"', '""') + '"' for c in cells]
        return delimiter.join(cells)

    header = delimiter.join(["First Name", "Last Name", "Email", "Phone"])
    text = "\n".join([header, *(line(r) for r in rows)])
    path = _path(tmp_path, "csv")
    path.write_bytes(text.encode(encoding, errors="replace"))
    outcome = attempt(signed_in, path)
    if isinstance(outcome, DomainError):
        assert isinstance(outcome, InterchangeError)


_PROPERTY = st.sampled_from(
    [
        "N:Doe;Jane",
        "FN:Jane Doe",
        "EMAIL:jane@doe.example",
        "TEL;TYPE=CELL:+1 415 555 0100",
        "ADR;TYPE=WORK:;;1 Main St;Springfield;;12345;US",
        "ORG:Doe Inc",
        "NOTE:a\\nb",
        " folded",
        "PHOTO;ENCODING=b:AAAA",
        "X-UNKNOWN:?",
        "N;ENCODING=QUOTED-PRINTABLE:J=",
        "garbage without colon",
        "BEGIN:VCARD",
        "END:VCARD",
        "VERSION:4.0",
        "",
    ]
)


@FUZZ
@given(lines=st.lists(_PROPERTY, max_size=25))
def test_random_vcard_text(lines: list[str], signed_in: Store, tmp_path: Path) -> None:
    path = _path(tmp_path, "vcf")
    path.write_text("BEGIN:VCARD\n" + "\n".join(lines) + "\n")
    outcome = attempt(signed_in, path)
    if isinstance(outcome, ImportResult):
        assert outcome.created + outcome.failed + outcome.skipped >= 0


def test_error_rows_are_reported_not_raised(signed_in: Store, tmp_path: Path) -> None:
    text = HEADER + "Ann,,not-an-email\n,,\nBo,Bu,b@u.example\n"
    source_path = write(tmp_path, "e.csv", text)
    analysis, result = run_import(signed_in, source_path, EntityKind.CONTACT)
    assert [r.status for r in analysis.reports] == [RowStatus.ERROR]
    assert (result.created, result.failed) == (1, 1)


@pytest.mark.parametrize("suffix", ["csv", "vcf"])
def test_an_empty_file(suffix: str, signed_in: Store, tmp_path: Path) -> None:
    outcome = attempt(signed_in, write(tmp_path, f"empty.{suffix}", b""))
    assert isinstance(outcome, DomainError)
