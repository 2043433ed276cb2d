"""Building blocks of the demo generator: count allocation, weighted picks, ids."""

from __future__ import annotations

import random
import uuid

from hypothesis import given
from hypothesis import strategies as st

from sfa_desktop.demo.allocation import allocate
from sfa_desktop.demo.randomness import Weighted, new_uuid


@given(
    total=st.integers(0, 5_000),
    weights=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=50),
    minimum=st.integers(0, 3),
)
def test_allocate_hands_out_exactly_the_total(
    total: int, weights: list[float], minimum: int
) -> None:
    shares = allocate(total, weights, minimum)
    assert sum(shares) == total
    assert len(shares) == len(weights)
    if minimum * len(weights) <= total:
        assert min(shares) >= minimum


def test_allocate_follows_the_weights() -> None:
    assert allocate(100, [1, 3, 0, 6]) == [10, 30, 0, 60]
    assert allocate(10, [1, 1, 1], minimum=1) == [4, 3, 3]


def test_weighted_never_picks_a_zero_weight_and_follows_the_rest() -> None:
    rng = random.Random(1)
    mix = Weighted(("never", "rare", "often", "never too"), (0, 1, 9, 0))
    picks = [mix.pick(rng) for _ in range(5_000)]
    assert set(picks) == {"rare", "often"}
    assert 0.05 < picks.count("rare") / len(picks) < 0.15


def test_new_uuid_is_a_version_4_uuid_from_the_stream() -> None:
    first, second = random.Random(5), random.Random(5)
    for _ in range(200):
        text = new_uuid(first)
        assert text == str(uuid.UUID(int=second.getrandbits(128), version=4))
        assert uuid.UUID(text).version == 4
