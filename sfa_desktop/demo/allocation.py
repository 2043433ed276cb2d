"""Split a total count over items in proportion to their weights."""

from __future__ import annotations

from collections.abc import Sequence


def allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Integer shares of `total`, proportional to `weights`, that add up to `total` exactly.

    Every item first gets `minimum` if the total allows it; the rest goes by weight, with
    the leftover units to the largest fractional parts (ties to the earlier item).
    """
    count = len(weights)
    if total < 0:
        raise ValueError("total cannot be negative")
    if count == 0:
        if total:
            raise ValueError("cannot allocate to no items")
        return []
    base = minimum if minimum * count <= total else 0
    rest = total - base * count
    weight_sum = float(sum(weights))
    if weight_sum <= 0:
        weights, weight_sum = [1.0] * count, float(count)
    exact = [rest * weight / weight_sum for weight in weights]
    shares = [int(value) for value in exact]
    leftover = rest - sum(shares)
    by_fraction = sorted(range(count), key=lambda i: (shares[i] - exact[i], i))
    for index in by_fraction[:leftover]:
        shares[index] += 1
    return [base + share for share in shares]
