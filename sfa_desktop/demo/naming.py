"""Company names, web domains and email addresses built from name pools."""

from __future__ import annotations

import random
import re
import unicodedata
from functools import lru_cache

from sfa_desktop.demo.catalog import LEGAL_FORMS, Industry
from sfa_desktop.demo.geography import Country
from sfa_desktop.demo.pools import NamePool

_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_ACRONYM_LETTERS = "ABCDEFGHIKLMNPRSTVW"


@lru_cache(maxsize=65_536)
def ascii_words(text: str) -> tuple[str, ...]:
    """Lower-case ASCII words of `text` (umlauts spelled out, accents dropped)."""
    text = unicodedata.normalize("NFKD", text.translate(_GERMAN))
    text = text.encode("ascii", "ignore").decode().lower()
    return tuple(word for word in _NOT_SLUG.split(text) if word)


def company_base(country: Country, industry: Industry, pool: NamePool, rng: random.Random) -> str:
    """A company name without its legal form, e.g. "Brandt Logistik" or "Transports Morel"."""
    word = rng.choice(industry.words[country.language])
    last = rng.choice(pool.last_names)
    style = rng.random()
    if style < 0.15:
        acronym = "".join(rng.choice(_ACRONYM_LETTERS) for _ in range(rng.randint(2, 3)))
        return f"{acronym} {word}"
    if style < 0.3:
        return f"{last} & {rng.choice(pool.last_names)}"
    if country.language == "fr":
        return f"{word} {last}"
    return f"{last} {word}"


def company_name(base: str, country: Country, rng: random.Random) -> str:
    return f"{base} {rng.choice(country.legal_forms)}"


def domain_for(name: str, tld: str, taken: set[str]) -> str:
    """A web domain derived from a company name, unique among `taken` (which it updates)."""
    words = [word for word in ascii_words(name) if word not in LEGAL_FORMS][:4] or ["company"]
    stem = "-".join(words)
    domain = f"{stem}.{tld}"
    number = 2
    while domain in taken:
        domain = f"{stem}{number}.{tld}"
        number += 1
    taken.add(domain)
    return domain


def _name_parts(first: str, last: str) -> tuple[str, str]:
    return "".join(ascii_words(first)) or "info", "".join(ascii_words(last)) or "contact"


def dotted_local(first: str, last: str) -> str:
    """first.last in ASCII, the way staff addresses are made."""
    return ".".join(_name_parts(first, last))


def email_local(first: str, last: str, rng: random.Random) -> str:
    """The part before the @ in a business email: mostly first.last, sometimes f.last."""
    first_part, last_part = _name_parts(first, last)
    style = rng.random()
    if style < 0.75:
        return f"{first_part}.{last_part}"
    if style < 0.9:
        return f"{first_part[0]}.{last_part}"
    return f"{first_part[0]}{last_part}"
