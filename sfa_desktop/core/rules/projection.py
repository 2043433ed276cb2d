"""History-based projection: win rate and time in stage from closed deals, an expected value
for a period's open pipeline, and a range from a seeded Monte Carlo of win/lose outcomes."""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sfa_desktop.core.entities import Opportunity, StageChange
from sfa_desktop.core.enums import OPEN_STAGES, ForecastCategory, Stage
from sfa_desktop.core.periods import Period

MIN_CLOSED_DEALS = 10  # fewer closed deals than this and a rep's figures come from the team
TRIALS = 2_000
DAY_SECONDS = 86_400.0


@dataclass(frozen=True)
class StageStats:
    """How closed deals fared after reaching one open stage."""

    stage: Stage
    reached: int  # closed deals that were in the stage at some point
    won: int  # ... and were won in the end
    median_days: float | None  # median length of a completed stay in the stage

    @property
    def win_rate(self) -> float:
        """Share of deals that reached the stage and were won (default probability if none)."""
        return self.won / self.reached if self.reached else self.stage.default_probability / 100


@dataclass(frozen=True)
class History:
    """Stage statistics from a set of closed deals; `source` says whose ("rep", "team", or
    "defaults" when too few deals were closed to learn from)."""

    stages: dict[Stage, StageStats]
    closed_deals: int
    source: str

    def stats(self, stage: Stage) -> StageStats:
        return self.stages.get(stage) or StageStats(stage, 0, 0, None)


def _visits(changes: Sequence[StageChange]) -> list[tuple[Stage, datetime, datetime | None]]:
    """(stage, entered, left) for every stay, oldest first; the last stay has no end."""
    ordered = sorted(changes, key=lambda c: c.changed_at)
    if not ordered:
        return []  # a deal closed without a recorded stage change (imported, say)
    return [
        (change.to_stage, change.changed_at, later.changed_at if later else None)
        for change, later in zip(ordered, [*ordered[1:], None], strict=True)
    ]


def _by_opportunity(changes: Iterable[StageChange]) -> dict[str, list[StageChange]]:
    grouped: dict[str, list[StageChange]] = defaultdict(list)
    for change in changes:
        grouped[change.opportunity_id].append(change)
    return grouped


def stage_history(
    opportunities: Iterable[Opportunity], changes: Iterable[StageChange], source: str = "team"
) -> History:
    """Win rate and median time in stage per open stage, from the closed `opportunities`."""
    by_opp = _by_opportunity(changes)
    reached: dict[Stage, int] = defaultdict(int)
    won: dict[Stage, int] = defaultdict(int)
    durations: dict[Stage, list[float]] = defaultdict(list)
    closed = 0
    for opp in opportunities:
        if opp.is_open:
            continue
        closed += 1
        visits = _visits(by_opp.get(opp.id, []))
        for stage in {stage for stage, _, _ in visits if not stage.is_closed}:
            reached[stage] += 1
            won[stage] += opp.stage is Stage.CLOSED_WON
        for stage, entered, left in visits:
            if left is not None and not stage.is_closed:
                durations[stage].append((left - entered).total_seconds() / DAY_SECONDS)
    stages = {
        stage: StageStats(
            stage,
            reached[stage],
            won[stage],
            statistics.median(durations[stage]) if durations[stage] else None,
        )
        for stage in OPEN_STAGES
        if reached[stage] or durations[stage]
    }
    return History(stages, closed, source)


def history_for(
    owner_id: str,
    opportunities: Sequence[Opportunity],
    changes: Sequence[StageChange],
    min_closed: int = MIN_CLOSED_DEALS,
) -> History:
    """The owner's own history; the team's (every deal given) when they closed too few and
    the others' deals make enough; else none ("defaults": the stages' default probabilities
    and no stage times), since a handful of deals gives win rates of 0 % or 100 %."""
    own = [opp for opp in opportunities if opp.owner_id == owner_id]
    mine = stage_history(own, changes, source="rep")
    if mine.closed_deals >= min_closed:
        return mine
    team = stage_history(opportunities, changes, source="team")
    if team.closed_deals >= min_closed and team.closed_deals > mine.closed_deals:
        return team
    return History({}, mine.closed_deals, "defaults")


@dataclass(frozen=True)
class DealProjection:
    """One open deal: chance to be won at all, chance to close in time, expected amount."""

    opportunity: Opportunity
    win_rate: float
    on_time: float  # probability it closes before the period ends
    days_to_close: float  # expected days until it closes (median times still ahead)

    @property
    def probability(self) -> float:
        return self.win_rate * self.on_time

    @property
    def expected(self) -> float:
        return self.opportunity.amount * self.probability


@dataclass(frozen=True)
class Projection:
    """What the period will likely bring: already won plus the open deals' expected value."""

    period: Period
    closed: int
    deals: tuple[DealProjection, ...]
    low: int  # 10th percentile of the total (closed included)
    high: int  # 90th percentile
    history: History

    @property
    def expected_open(self) -> int:
        return round(sum(deal.expected for deal in self.deals))

    @property
    def expected(self) -> int:
        return self.closed + self.expected_open


def days_to_close(stage: Stage, days_in_stage: float, history: History) -> float:
    """Median days left in the current stage plus the medians of the open stages after it."""
    current = history.stats(stage).median_days
    left = max((current or 0.0) - days_in_stage, 0.0)
    later = OPEN_STAGES[OPEN_STAGES.index(stage) + 1 :]
    return left + sum(history.stats(s).median_days or 0.0 for s in later)


def on_time(days_needed: float, days_left: float) -> float:
    """Chance to close in the days left: certain if the history says it takes no longer,
    otherwise the share of the needed time that is left."""
    if days_left <= 0:
        return 0.0
    if days_needed <= days_left:
        return 1.0
    return days_left / days_needed


def _entered(opp: Opportunity, changes: Sequence[StageChange]) -> datetime:
    into_stage = [c.changed_at for c in changes if c.to_stage is opp.stage]
    return max(into_stage) if into_stage else opp.created_at


def project(
    period: Period,
    opportunities: Sequence[Opportunity],
    changes: Sequence[StageChange],
    history: History,
    now: datetime,
    *,
    trials: int = TRIALS,
    seed: int = 0,
) -> Projection:
    """Project the period from `opportunities` (one owner's or a team's) and their history."""
    in_period = [opp for opp in opportunities if opp.close_date in period]
    closed = sum(opp.amount for opp in in_period if opp.stage is Stage.CLOSED_WON)
    by_opp = _by_opportunity(changes)
    end = datetime.combine(period.end, datetime.min.time(), tzinfo=now.tzinfo)
    days_left = (end - now).total_seconds() / DAY_SECONDS
    deals = []
    for opp in in_period:
        if not opp.is_open or opp.forecast_category is ForecastCategory.OMITTED:
            continue  # closed, or left out of the forecast by its rep
        days_in = (now - _entered(opp, by_opp.get(opp.id, []))).total_seconds() / DAY_SECONDS
        needed = days_to_close(opp.stage, max(days_in, 0.0), history)
        stats = history.stats(opp.stage)
        deals.append(DealProjection(opp, stats.win_rate, on_time(needed, days_left), needed))
    low, high = outcome_range([(d.opportunity.amount, d.probability) for d in deals], trials, seed)
    return Projection(period, closed, tuple(deals), closed + low, closed + high, history)


def outcome_range(
    bets: Sequence[tuple[int, float]], trials: int = TRIALS, seed: int = 0, spread: float = 0.1
) -> tuple[int, int]:
    """The `spread` and 1 − `spread` quantiles of the total won when each (amount, p) is an
    independent Bernoulli outcome, from `trials` seeded simulations (nearest rank)."""
    if not bets:
        return 0, 0
    rng = random.Random(seed)
    totals = sorted(sum(amount for amount, p in bets if rng.random() < p) for _ in range(trials))
    return totals[int(spread * (trials - 1))], totals[round((1 - spread) * (trials - 1))]
