"""Forecast accuracy: how far a call (or the projection) made some days before a period's
end was from what closed, whether a person leans one way, and whose calls to trust."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

OFFSETS = (90, 60, 30, 7)  # days before the period's end a call is read at
RANK_OFFSET = 30  # the calls ranked: those standing 30 days before the end
MIN_PERIODS = 2  # fewer closed periods with a figure: too little history to judge
WEEK = timedelta(days=7)  # snapshots are weekly: one this late still stands for the day


def signed_error(forecast: int | None, actual: int) -> float | None:
    """(forecast − actual) ÷ actual: positive when over-called; None without a forecast or
    when nothing closed (a percentage of nothing means nothing)."""
    if forecast is None or actual <= 0:
        return None
    return (forecast - actual) / actual


class Lean(StrEnum):
    """Which way a person's figures miss."""

    OVER = "over"  # calls above what closes
    UNDER = "under"  # sandbagging: calls below what closes
    EVEN = "even"  # misses cancel out
    UNKNOWN = "unknown"  # too little history


@dataclass(frozen=True)
class Bias:
    """A person's misses over several closed periods."""

    periods: int  # periods with an error to count
    mean_error: float | None  # mean signed error
    mean_absolute_error: float | None
    lean: Lean
    consistent: bool  # every period missed the same way (and there are enough of them)

    @property
    def thin(self) -> bool:
        """Too few periods to say anything about this person's calls."""
        return self.periods < MIN_PERIODS


def bias(errors: Sequence[float | None]) -> Bias:
    """The lean of the signed `errors` (one per closed period; None where there was no
    figure or nothing closed): the mean, the mean absolute error, and whether every period
    missed on the same side. Fewer than MIN_PERIODS errors: the lean is unknown."""
    found = [error for error in errors if error is not None]
    if not found:
        return Bias(0, None, None, Lean.UNKNOWN, False)
    mean = sum(found) / len(found)
    absolute = sum(abs(error) for error in found) / len(found)
    if len(found) < MIN_PERIODS:
        return Bias(len(found), mean, absolute, Lean.UNKNOWN, False)
    lean = Lean.OVER if mean > 0 else Lean.UNDER if mean < 0 else Lean.EVEN
    consistent = all(error > 0 for error in found) or all(error < 0 for error in found)
    return Bias(len(found), mean, absolute, lean, consistent)


def reading_day(period_end: date, offset_days: int) -> date:
    """The day a figure is read at: `offset_days` before the period's end (exclusive)."""
    return period_end - timedelta(days=offset_days)


def pick_snapshot(taken: Sequence[datetime], period_end: date, offset_days: int) -> int | None:
    """The index in `taken` (snapshot times, any order) of the snapshot that stands for the
    figures `offset_days` before the period ends: the latest on or before that day, else
    the first less than a week after it (snapshots are weekly), never one at or after the
    end; None when there is none."""
    day = reading_day(period_end, offset_days)
    before = [(t, i) for i, t in enumerate(taken) if t.date() <= day]
    if before:
        return max(before)[1]
    after = [(t, i) for i, t in enumerate(taken) if day < t.date() < min(day + WEEK, period_end)]
    return min(after)[1] if after else None


@dataclass(frozen=True)
class Ranked:
    """A person's place among those whose calls are compared (1 = the most trusted)."""

    user_id: str
    rank: int | None  # None: too little history to rank
    mean_absolute_error: float | None


def trust_ranking(biases: Mapping[str, Bias]) -> list[Ranked]:
    """People ordered by the mean absolute error of their calls, smallest first; those with
    too little history follow, unranked (in the order given)."""
    judged = sorted(
        (user for user, found in biases.items() if not found.thin),
        key=lambda user: (biases[user].mean_absolute_error or 0.0, user),
    )
    ranked = [
        Ranked(user, place, biases[user].mean_absolute_error)
        for place, user in enumerate(judged, start=1)
    ]
    return ranked + [Ranked(user, None, None) for user, found in biases.items() if found.thin]
