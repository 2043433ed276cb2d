"""How values read on screen: money, dates, deal names and labels in the user's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

from sfa_desktop.core.entities import Activity, Opportunity
from sfa_desktop.core.enums import ForecastCategory, Stage
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF "}
# Words a rep uses where the stored value reads otherwise (the stored values stay).
_WORDS: dict[tuple[type[Enum], str], str] = {
    (ForecastCategory, ForecastCategory.CLOSED.value): "Closed won",
    (ForecastCategory, ForecastCategory.OMITTED.value): "Not forecast",
}
# What may stand between an account's name and the rest of a deal's name.
_SEPARATORS = " –—-:/|·,"


def money(amount: int, currency: str = DEFAULT_CORPORATE_CURRENCY, cents: bool = False) -> str:
    """Integer minor units as a currency amount: 12_500_000 EUR -> '€125,000'.

    The one way amounts read in the app; `money_affixes` gives editors the same symbol."""
    symbol = _SYMBOLS.get(currency, f"{currency} ")
    return QLocale().toCurrencyString(amount / 100, symbol, 2 if cents else 0)


def money_affixes(currency: str) -> tuple[str, str]:
    """The text `money` puts before and after the number, e.g. ('€', '') or ('', ' €')."""
    sample = money(100, currency)
    number = QLocale().toString(1)
    before, _, after = sample.partition(number)
    return before, after


def deal_name(name: str, account_name: str) -> str:
    """A deal's name without its account's name in front, for where the account is shown
    beside it: ('Walter Spedition – Fleet renewal', 'Walter Spedition') -> 'Fleet renewal'."""
    if not account_name or not name.casefold().startswith(account_name.casefold()):
        return name
    rest = name[len(account_name) :]
    if rest and rest[0] not in _SEPARATORS:
        return name  # 'Acme' in 'Acmetec pilot' is not the account's name
    rest = rest.lstrip(_SEPARATORS).strip()
    return rest or name


def deal_category(deal: Opportunity) -> str:
    """The forecast category as a rep reads it: a lost deal is 'Closed lost'."""
    return "Closed lost" if deal.stage is Stage.CLOSED_LOST else label(deal.forecast_category)


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
    """'decision_maker' -> 'Decision maker' (or the word in `_WORDS`)."""
    if value is None:
        return ""
    if isinstance(value, Enum) and (type(value), value.value) in _WORDS:
        return _WORDS[type(value), value.value]
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


def email_way(activity: Activity) -> str:
    """A captured email's way in a timeline ("Email ↙ in", "Email ↗ out"), else its channel."""
    way = {"in": " ↙ in", "out": " ↗ out"}.get(activity.direction, "")
    return label(activity.channel) + way


def email_subject(activity: Activity) -> str:
    """The subject, marked as a reply when the email is in a thread it did not start."""
    if activity.message_id and activity.thread_id and activity.thread_id != activity.message_id:
        return f"↳ {activity.subject}"
    return activity.subject


def email_line(activity: Activity) -> str:
    """One line about a captured email: its way, thread and attachments (names, sizes)."""
    way = "Received" if activity.direction == "in" else "Sent"
    parts = [f"{way} email <{activity.message_id}>"]
    if activity.thread_id and activity.thread_id != activity.message_id:
        parts.append("a reply in a thread")
    for attachment in activity.attachments:
        size = attachment.size
        shown = f"{size:,} B" if size < 1024 else f"{size / 1024:,.0f} KB"
        parts.append(f"📎 {attachment.name} ({shown})")
    return " · ".join(parts)
