"""Text values from a file turned into field values: cleaned, normalized, parsed in the
file's conventions (decimal comma, day-first dates, the phone region of numbers written
without a country code). Each parser returns a value or raises ValueError with a message
for the user."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import phonenumbers

from sfa_desktop.core.rules.normalize import DEFAULT_REGION, normalize_email

# A leading apostrophe is what an export puts before = + - @ TAB CR against formula
# injection (see `export`); importing takes it off again.
_GUARDED = re.compile(r"^'(?=[=+\-@\t\r])")
_CURRENCY_AROUND = re.compile(r"^[^\d(+\-.,]{0,4}\s*|\s*[^\d).]{0,4}$")
_NUMBER = re.compile(
    r"^(?P<open>\()?\s*(?P<sign>[+-])?\s*(?P<digits>[\d.,'\s\u00a0\u202f]*\d[\d.,]*)\s*(?(open)\))$"
)
_TRUE = frozenset(
    {"1", "y", "yes", "true", "t", "x", "ja", "j", "oui", "si", "sì", "wahr", "on"}
    | {"opted out", "opt out", "unsubscribed", "do not call", "do not email"}
)
_FALSE = frozenset(
    {"0", "n", "no", "false", "f", "nein", "non", "nee", "falsch", "off", "opted in"}
)


_E164 = phonenumbers.PhoneNumberFormat.E164
_POSSIBLE = (phonenumbers.ValidationResult.IS_POSSIBLE,)
_LOCAL_ONLY = phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY


@dataclass(frozen=True)
class ValueFormat:
    """How the file writes numbers, dates and phone numbers."""

    region: str = DEFAULT_REGION  # ISO country code for numbers without +country code
    decimal_comma: bool = False  # 1.234,56 instead of 1,234.56
    day_first: bool = False  # 03/04/2026 is 3 April

    @classmethod
    def for_delimiter(cls, delimiter: str, region: str = DEFAULT_REGION) -> ValueFormat:
        """A guess: semicolon-separated files come from decimal-comma locales."""
        european = delimiter == ";"
        return cls(region=region, decimal_comma=european, day_first=european)


def clean_text(value: str) -> str:
    """Trimmed, the formula guard of our own exports removed."""
    value = value.strip()
    return _GUARDED.sub("", value).strip() if value.startswith("'") else value


def parse_email(value: str) -> str:
    email = normalize_email(value.strip().strip("<>").removeprefix("mailto:"))
    if email is None:
        raise ValueError(f"{value!r} is not an email address")
    return email


def parse_phone(value: str, fmt: ValueFormat) -> tuple[str, str | None]:
    """(E.164 number, None) or, for a number that cannot be read, (the text, a warning).

    A number without an area code (US "555-0100") cannot become E.164 and is kept."""
    text = value.strip().removeprefix("tel:")
    if any(c.isdigit() for c in text):
        try:
            number = phonenumbers.parse(text, fmt.region)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None:
            reason = phonenumbers.is_possible_number_with_reason(number)
            if reason in _POSSIBLE:
                return phonenumbers.format_number(number, _E164), None
            if reason == _LOCAL_ONLY:
                return text, f"{value!r} has no area code; kept as written"
    return text, f"{value!r} is not a phone number of region {fmt.region}; kept as written"


def parse_bool(value: str) -> bool:
    word = " ".join(value.casefold().replace("-", " ").split())
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{value!r} is not yes or no")


def parse_decimal(value: str, fmt: ValueFormat) -> Decimal:
    """A number written with the file's separators ("1.234,56" with a decimal comma);
    a currency symbol or code before or after it is ignored, (12) is negative."""
    text = _CURRENCY_AROUND.sub("", value.replace("\u2212", "-").strip())
    match = _NUMBER.match(text)
    if match is None:
        raise ValueError(f"{value!r} is not a number")
    digits = re.sub(r"[\s'\u00a0\u202f]", "", match.group("digits"))
    decimal, grouping = (",", ".") if fmt.decimal_comma else (".", ",")
    digits = digits.replace(grouping, "").replace(decimal, ".")
    try:
        number = Decimal(digits)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    negative = match.group("sign") == "-" or bool(match.group("open"))
    return -number if negative else number


def parse_money(value: str, fmt: ValueFormat) -> int:
    """An amount in minor units (cents) of a two-decimal currency; symbols are ignored."""
    number = parse_decimal(value, fmt)
    if number < 0:
        raise ValueError(f"{value!r} is negative")
    cents = (number * 100).quantize(Decimal(1))
    if cents > 10**15:
        raise ValueError(f"{value!r} is too large")
    return int(cents)


def parse_date(value: str, fmt: ValueFormat) -> date:
    """A date as written in the file (ISO 8601 always; otherwise day or month first)."""
    from dateutil import parser

    text = value.strip()
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text[:10])
        parsed: datetime = parser.parse(text, dayfirst=fmt.day_first)
        return parsed.date()
    except (ValueError, OverflowError):
        raise ValueError(f"{value!r} is not a date") from None
