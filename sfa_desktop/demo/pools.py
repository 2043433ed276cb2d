"""Pools of people's names per locale, drawn once from a seeded Faker and then reused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from faker import Faker

LOCALES: tuple[str, ...] = ("de_DE", "fr_FR", "en_GB", "en_US")
_DRAWS = 1000  # Faker calls per pool; duplicates are dropped, so pools end up smaller


@dataclass(frozen=True)
class NamePool:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value.strip() for value in values if value.strip()))


@cache
def name_pools(seed: int) -> Mapping[str, NamePool]:
    """First and last names for every locale; the same seed gives the same pools."""
    pools: dict[str, NamePool] = {}
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        pools[locale] = NamePool(
            first_names=_unique([fake.first_name() for _ in range(_DRAWS)]),
            last_names=_unique([fake.last_name() for _ in range(_DRAWS)]),
        )
    return MappingProxyType(pools)
