"""How values read on screen: money, dates and enum labels in the user's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF "}


def money(amount: int, currency: str = "EUR", cents: bool = False) -> str:
    """Integer minor units as a currency amount: 12_500_000 EUR -> '€125,000'."""
    symbol = _SYMBOLS.get(currency, f"{currency} ")
    return QLocale().toCurrencyString(amount / 100, symbol, 2 if cents else 0)


def day(value: date | None) -> str:
    if value is None:
        return ""
    return QLocale().toString(
        QDate(value.year, value.month, value.day), QLocale.FormatType.ShortFormat
    )


def long_day(value: date) -> str:
    return QLocale().toString(QDate(value.year, value.month, value.day), "dddd, d MMMM yyyy")


def time_of(value: datetime) -> str:
    local = value.astimezone()
    return QLocale().toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)


def moment(value: datetime | None) -> str:
    """A date and time in local time, short form."""
    if value is None:
        return ""
    local = value.astimezone()
    return f"{day(local.date())} {time_of(local)}"


def label(value: Enum | str | None) -> str:
    """'decision_maker' -> 'Decision maker'."""
    if value is None:
        return ""
    text = value.value if isinstance(value, Enum) else value
    return str(text).replace("_", " ").capitalize()


def yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def local_moment(value: QDateTime) -> datetime:
    """A QDateTime from an editor as an aware datetime in UTC."""
    naive = value.toPython()
    assert isinstance(naive, datetime)
    return naive.astimezone().astimezone(UTC)


def use_readable_locale() -> None:
    """Keep the system locale, but replace the bare 'C' locale with British English."""
    if QLocale().language() == QLocale.Language.C:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))


def phone_region(configured: str) -> str:
    """Where phone numbers without a country code are from: the `phone_region` setting,
    else the system's country, else the US (two-letter region codes)."""
    system = QLocale.territoryToCode(QLocale.system().territory())
    for code in (configured.strip().upper(), system):
        if len(code) == 2 and code.isalpha():
            return code
    return "US"  # core.rules.matching.DEFAULT_REGION, which loads phonenumbers
