"""Normalising what records are matched by: folded text, company and person name keys,
email addresses, web domains and phone numbers in E.164. Pure functions; no database."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import phonenumbers

DEFAULT_REGION = "US"
# Mail domains shared by unrelated people: an address there says nothing about a company.
FREE_MAIL = frozenset(
    {
        "aol.com", "gmail.com", "googlemail.com", "gmx.de", "gmx.net", "hotmail.com",
        "icloud.com", "live.com", "mac.com", "mail.ru", "me.com", "msn.com", "outlook.com",
        "proton.me", "protonmail.com", "qq.com", "t-online.de", "web.de", "yahoo.com",
        "yahoo.co.uk", "yahoo.fr", "yandex.ru", "orange.fr", "free.fr", "libero.it",
        "163.com", "126.com", "zoho.com", "fastmail.com",
    }
)  # fmt: skip
# Legal forms dropped from company names ("Acme GmbH" is "Acme").
LEGAL_FORMS = frozenset(
    {
        "ab", "ag", "aps", "as", "bv", "co", "company", "corp", "corporation", "gmbh",
        "inc", "incorporated", "kg", "kk", "limited", "llc", "llp", "lp", "ltd", "nv",
        "oy", "plc", "pte", "pty", "sa", "sarl", "sas", "se", "sl", "spa", "srl", "the",
    }
)  # fmt: skip
# Any run of characters that are not letters or digits (of any script) separates words.
_NON_WORD = re.compile(r"[\W_]+")
# Latin letters that NFKD does not decompose into a base letter and an accent.
_LATIN = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


def fold(text: str) -> str:
    """Lower case, accents and punctuation gone, words separated by one space.

    Letters of every script are kept ("Яндекс" stays a word); Latin letters without a
    decomposition are spelt plainly ("Søren" is "soren", "Łódź" is "lodz").
    """
    text = text.replace("&", " and ")
    if text.isascii():
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
        plain = plain.casefold().translate(_LATIN)
    return " ".join(_NON_WORD.split(plain)).strip()


def normalize_email(value: str | None) -> str | None:
    """`Jane.Doe@Example.COM ` → `jane.doe@example.com`; None if it is not an address."""
    if not value:
        return None
    email = value.strip().casefold().removeprefix("mailto:")
    local, at, domain = email.rpartition("@")
    host = _ascii_host(domain)
    if not at or not local or host is None:
        return None
    return f"{local}@{host}"


def _ascii_host(host: str) -> str | None:
    """`host` in its ASCII (IDNA) form if it looks like a domain name, else None."""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host if _DOMAIN.match(host) else None


def web_domain(value: str | None) -> str | None:
    """The host of a URL, bare domain or email address, without www (IDNA for
    non-ASCII names: `müller.de` is `xn--mller-kva.de`).

    A free mail provider is no company's domain (None), whether it comes as an email
    address or as a website.
    """
    if not value:
        return None
    text = value.strip().casefold()
    if "@" in text and "/" not in text:
        email = normalize_email(text)
        domain = email.rpartition("@")[2] if email else None
    else:
        host = _SCHEME.sub("", text).split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        host = host.rpartition("@")[2].split(":", 1)[0].rstrip(".")
        domain = _ascii_host(host.removeprefix("www."))
    return None if domain is None or domain in FREE_MAIL else domain


def normalize_phone(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """A phone number in E.164 (`+4930123456`), read as a number of `region` when it has
    no country code; None when it cannot be a phone number."""
    if not value:
        return None
    fast = _international(value)
    if fast is not None:
        return fast or None
    if not any(c.isdigit() for c in value):
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_PLUS_DIGITS = re.compile(r"\+[1-9][0-9]{7,14}")


@cache
def _national_prefix(country_code: int) -> re.Pattern[str] | None:
    """What phonenumbers strips from the start of a national number of the country code
    (a trunk 0, a carrier code) before it formats the number; None if nothing."""
    patterns = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ()):
        metadata = (
            phonenumbers.PhoneMetadata.metadata_for_nongeo_region(country_code)
            if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY
            else phonenumbers.PhoneMetadata.metadata_for_region(region)
        )
        if metadata is not None and metadata.national_prefix_for_parsing:
            patterns.append(f"(?:{metadata.national_prefix_for_parsing})")
    return re.compile("|".join(sorted(set(patterns)))) if patterns else None


def _international(value: str) -> str | None:
    """The fast path of `normalize_phone` for a number written with its country code
    ("+49 30 1234567", "+1 (212) 555-0123"): without parsing it, when nothing in it needs
    the parser. "" for an impossible number, None when the parser must decide."""
    compact = (
        value.replace(" ", "")
        .replace("-", "")
        .replace(".", "")
        .replace("/", "")
        .replace("(", "")
        .replace(")", "")
    )  # what people write between digits (anything else goes to the parser)
    if not _PLUS_DIGITS.fullmatch(compact):
        return None
    digits = compact[1:]
    for length in (1, 2, 3):  # country codes are prefix-free
        country_code = int(digits[:length])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    national = digits[length:]
    prefix = _national_prefix(country_code)
    if national.startswith("0") or (prefix is not None and prefix.match(national)):
        return None  # a trunk prefix, carrier code or leading zero: the parser decides
    return compact if len(national) in _possible_lengths(country_code) else ""


@cache
def _possible_lengths(country_code: int) -> frozenset[int]:
    """Lengths of a possible national number of the country code (phonenumbers decides a
    number's possibility by the length of its national number alone)."""
    return frozenset(
        length
        for length in range(1, 18)
        if phonenumbers.is_possible_number(
            phonenumbers.PhoneNumber(country_code=country_code, national_number=int("5" * length))
        )
    )


def company_key(name: str) -> str:
    """A company name without case, accents, punctuation or legal form.

    Runs of single letters are one word, so abbreviations read the same with or without
    dots ("S.A." is "sa", "J.P. Morgan" is "jp morgan").
    """
    folded = fold(name)
    words = _join_initials(folded.split())
    kept = [
        word
        for word, following in zip(words, [*words[1:], ""], strict=True)
        if word not in LEGAL_FORMS and not (word == "and" and following in LEGAL_FORMS)
    ]
    return " ".join(kept) or folded


def _join_initials(words: list[str]) -> list[str]:
    joined: list[str] = []
    run = ""
    for word in [*words, ""]:
        if len(word) == 1:
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        if word:
            joined.append(word)
    return joined


def person_key(first: str, last: str) -> str:
    """A person's name, word order ignored ("Smith, John" is "John Smith")."""
    return " ".join(sorted(fold(f"{first} {last}").split()))
