"""Values as files write them: names, yes/no, amounts and dates in the file's locale,
phone numbers to E.164, the formula guard of our own exports."""

from __future__ import annotations

from datetime import date

import pytest

from sfa_desktop.interchange.names import split_full_name
from sfa_desktop.interchange.values import (
    ValueFormat,
    clean_text,
    parse_bool,
    parse_date,
    parse_email,
    parse_money,
    parse_phone,
)

US = ValueFormat(region="US")
DE = ValueFormat(region="DE", decimal_comma=True, day_first=True)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("Jane Doe", "Jane", "Doe"),
        ("Doe, Jane", "Jane", "Doe"),
        ("Dr. Jane A. Doe Jr.", "Jane A.", "Doe"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Maria de la Cruz", "Maria", "de la Cruz"),
        ("Cher", "", "Cher"),
        ("  ", "", ""),
        ("Smith, Jr.", "", "Smith"),
        ("Herr Hans Müller", "Hans", "Müller"),
    ],
)
def test_full_names_are_split(text: str, first: str, last: str) -> None:
    assert split_full_name(text) == (first, last)


@pytest.mark.parametrize(
    ("text", "value"),
    [("yes", True), ("No", False), ("1", True), ("0", False), ("x", True), ("Ja", True),
     ("false", False), ("Opted out", True), ("TRUE", True)],
)  # fmt: skip
def test_yes_and_no(text: str, value: bool) -> None:
    assert parse_bool(text) is value


def test_not_yes_or_no() -> None:
    with pytest.raises(ValueError, match="not yes or no"):
        parse_bool("maybe")


@pytest.mark.parametrize(
    ("text", "fmt", "cents"),
    [
        ("1,234.50", US, 123450),
        ("$1,234.5", US, 123450),
        ("1.234,50 €", DE, 123450),
        ("EUR 99", DE, 9900),
        ("0", US, 0),
        ("12", US, 1200),
    ],
)
def test_money_in_the_files_locale(text: str, fmt: ValueFormat, cents: int) -> None:
    assert parse_money(text, fmt) == cents


@pytest.mark.parametrize("text", ["abc", "-5", "(12.00)", "1e400", "NaN"])
def test_money_that_is_not(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a number|negative|too large"):
        parse_money(text, US)


def test_dates_in_the_files_locale() -> None:
    assert parse_date("03/04/2026", US) == date(2026, 3, 4)
    assert parse_date("03.04.2026", DE) == date(2026, 4, 3)
    assert parse_date("2026-04-03", DE) == date(2026, 4, 3)
    with pytest.raises(ValueError, match="not a date"):
        parse_date("soon", US)


def test_phone_numbers_become_e164_or_are_kept_with_a_warning() -> None:
    assert parse_phone("(555) 123-4567", US) == ("+15551234567", None)
    assert parse_phone("030 1234567", DE) == ("+49301234567", None)
    assert parse_phone("+44 20 7946 0018", DE) == ("+442079460018", None)
    assert parse_phone("tel:+1-415-555-0100", DE)[0] == "+14155550100"
    kept, warning = parse_phone("12", US)
    assert kept == "12"
    assert warning is not None
    assert "US" in warning


def test_emails_are_normalized() -> None:
    assert parse_email(" Jane.Doe@Example.COM ") == "jane.doe@example.com"
    assert parse_email("<mailto:a@b.example>") == "a@b.example"
    with pytest.raises(ValueError, match="not an email address"):
        parse_email("jane at example")


def test_the_formula_guard_of_our_exports_comes_off() -> None:
    assert clean_text("'=SUM(A1)") == "=SUM(A1)"
    assert clean_text("'+49 30 123") == "+49 30 123"
    assert clean_text("'quoted'") == "'quoted'"
    assert clean_text("  padded  ") == "padded"
