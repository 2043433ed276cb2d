"""Small helpers on top of a seeded `random.Random`: ids, weighted picks, spans of time."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")

# Version 4 and the RFC 4122 variant, as uuid.UUID(int=..., version=4) sets them.
_UUID_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID_SET = (0x8000 << 48) | (4 << 76)


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID in text form drawn from `rng`, so ids repeat with the seed."""
    text = f"{rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class Weighted(Generic[T]):
    """Items picked in proportion to their weights with one random number per pick."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        if len(items) != len(weights) or not items:
            raise ValueError("give one weight per item, and at least one item")
        self._items = tuple(items)
        self._cumulative = tuple(accumulate(weights))
        self._total = self._cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self._items[bisect_right(self._cumulative, rng.random() * self._total)]


def some_days(rng: random.Random, low: float, high: float) -> timedelta:
    """A duration between `low` and `high` days, in whole seconds."""
    return timedelta(seconds=round(86_400 * (low + (high - low) * rng.random())))


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment in [start, end], to the second (`start` if the range is empty)."""
    span = max(0, int((end - start).total_seconds()))
    return start + timedelta(seconds=int(span * rng.random()))
