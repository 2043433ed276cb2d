"""Pools of people's names per locale, drawn once from a seeded Faker and then reused."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from faker import Faker

LOCALES: tuple[str, ...] = ("de_DE", "fr_FR", "en_GB", "en_US")
_DRAWS = 1000  # Faker calls per pool; duplicates are dropped, so pools end up smaller
_NAME_PARTS = re.compile(r"[-\s]+")
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "du", "la", "le", "zu", "zum", "zur"})


@dataclass(frozen=True)
class NamePool:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value.strip() for value in values if value.strip()))


def _parts(name: str) -> set[str]:
    return {part.casefold() for part in _NAME_PARTS.split(name) if part}


def _well_formed(name: str) -> bool:
    """Capitalised words, lower-case particles only in front ("van der Dussen", not
    Faker's "Dussen van" or "auch Schlauchin")."""
    words = name.split()
    particles = 0
    while particles < len(words) and words[particles] in _PARTICLES:
        particles += 1
    rest = words[particles:]
    return bool(rest) and all(word[0].isupper() for word in rest)


def _surnames_only(last_names: tuple[str, ...], first_names: tuple[str, ...]) -> tuple[str, ...]:
    """Well-formed last names that are no first name (nor part of one) of the locale:
    Faker's pools share names like Heinz, Martin or Thomas ("Heinz-Wilhelm Heinz")."""
    given = set().union(*map(_parts, first_names))
    return tuple(n for n in last_names if _well_formed(n) and not _parts(n) & given)


@cache
def name_pools(seed: int) -> Mapping[str, NamePool]:
    """First and last names for every locale; the same seed gives the same pools."""
    pools: dict[str, NamePool] = {}
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        first_names = _unique([fake.first_name() for _ in range(_DRAWS)])
        last_names = _unique([fake.last_name() for _ in range(_DRAWS)])
        pools[locale] = NamePool(first_names, _surnames_only(last_names, first_names))
    return MappingProxyType(pools)
