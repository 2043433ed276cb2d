"""Pipeline health: how closed deals moved through the stages, how long they stayed, which
open deals keep slipping, and how well the open pipeline covers what is left of the quota."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sfa_desktop.core.enums import OPEN_STAGES, Stage
from sfa_desktop.core.rules.projection import StageStats

SLIPPING_PUSHES = 2  # a deal whose close date was pushed later more than once is slipping


def is_slipping(pushes: int) -> bool:
    return pushes >= SLIPPING_PUSHES


def stage_mask(stages: Iterable[Stage]) -> int:
    """The open stages a deal was in, as bits in pipeline order (bit 0: prospecting)."""
    return sum(1 << OPEN_STAGES.index(stage) for stage in set(stages) if stage in OPEN_STAGES)


@dataclass(frozen=True)
class StageFlow:
    """Closed deals that were in a stage: how many went on, how many were won."""

    stats: StageStats  # reached, won (win rate from the stage, as the projection reads it)
    advanced: int  # went on to a later stage or were won

    @property
    def conversion(self) -> float | None:
        return self.advanced / self.stats.reached if self.stats.reached else None


def stage_flows(
    groups: Iterable[tuple[int, bool, int]], days: Mapping[Stage, Mapping[int, int]]
) -> list[StageFlow]:
    """Per open stage, from closed deals counted by (stage mask, won, how many) and the
    whole days of completed stays counted per stage."""
    reached = dict.fromkeys(OPEN_STAGES, 0)
    won = dict.fromkeys(OPEN_STAGES, 0)
    advanced = dict.fromkeys(OPEN_STAGES, 0)
    for mask, was_won, count in groups:
        for index, stage in enumerate(OPEN_STAGES):
            if not mask >> index & 1:
                continue
            reached[stage] += count
            won[stage] += count if was_won else 0
            if was_won or mask >> (index + 1):
                advanced[stage] += count
    return [
        StageFlow(
            StageStats(stage, reached[stage], won[stage], middle_of_counts(days.get(stage, {}))),
            advanced[stage],
        )
        for stage in OPEN_STAGES
    ]


def middle_of_counts(counts: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many times}; None when empty."""
    total = sum(counts.values())
    if total == 0:
        return None
    ordered = sorted((value, n) for value, n in counts.items() if n > 0)

    def nth(position: int) -> int:
        seen = 0
        for value, n in ordered:
            seen += n
            if position < seen:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def win_rate(won: int, lost: int) -> float | None:
    return won / (won + lost) if won + lost else None


def pipeline_coverage(open_pipeline: int, quota: int, closed: int) -> tuple[int, float | None]:
    """(remaining quota, open pipeline ÷ remaining quota); no ratio once the quota is met
    or without one."""
    remaining = max(quota - closed, 0)
    return remaining, (open_pipeline / remaining if remaining > 0 else None)
