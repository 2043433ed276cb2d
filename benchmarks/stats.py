"""The one way every benchmark summarises its samples and compares them with a target."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest sample that at least `fraction` of the
    samples are less than or equal to (p99 of 100 samples is the 99th smallest)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def spread(samples: Sequence[float], unit: str = "ms", scale: float = 1000.0) -> str:
    """'p50 … p95 … p99 … max … (n …)' of samples in seconds, shown in `unit` (× `scale`)."""
    values = [value * scale for value in samples]
    points = "   ".join(
        f"{name} {percentile(values, fraction):7.1f} {unit}"
        for name, fraction in (("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99))
    )
    return f"{points}   max {max(values):7.1f} {unit}   (n {len(values)})"


def against(value: float, target: float, unit: str, *, at_most: bool) -> str:
    """'<value> <unit> vs target < / >= <target>: <ratio>× the target, met|MISSED'."""
    met = value < target if at_most else value >= target
    sign = "<" if at_most else ">="
    return (
        f"{value:,.1f} {unit} vs target {sign} {target:,g} {unit}: "
        f"{value / target:.2f}× the target, {'met' if met else 'MISSED'}"
    )
