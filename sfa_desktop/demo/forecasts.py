"""Quotas for this year's quarters and everyone's forecast calls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

from sfa_desktop.core.entities import ForecastSubmission, Quota, User
from sfa_desktop.core.periods import Period
from sfa_desktop.demo.catalog import FORECAST_COMMENTS
from sfa_desktop.demo.context import Context
from sfa_desktop.demo.history import History
from sfa_desktop.demo.randomness import new_uuid
from sfa_desktop.demo.state import World

# Share of the yearly quota per quarter (the fourth quarter is the busiest).
QUARTER_SHARES = (22, 24, 24, 30)
_MIN_YEARLY_QUOTA = 10_000_000  # 100,000 euros in cents
_ROUNDING = 1_000_000  # quotas are whole 10,000 euros


def _quarters(year: int) -> list[Period]:
    return [Period.parse(f"{year}-Q{q}") for q in range(1, 5)]


def make_quotas(context: Context, world: World) -> Iterator[Quota]:
    """Each rep's quota per quarter (last year's wins plus growth), managers' and the
    director's as the sum of their reports'."""
    rng = context.rng("quotas")
    team = world.team
    quarters = _quarters(context.today.year)
    created = datetime.combine(quarters[0].start, time(9), tzinfo=UTC)
    amounts: dict[str, list[int]] = {}
    for rep in team.reps:
        won = world.won_last_year[rep.id]
        yearly = max(_MIN_YEARLY_QUOTA, round(won * rng.uniform(1.05, 1.2) / _ROUNDING) * _ROUNDING)
        amounts[rep.id] = [yearly * share // 100 for share in QUARTER_SHARES]
    for manager in team.managers:
        reports = [rep for rep in team.reps if rep.manager_id == manager.id]
        amounts[manager.id] = [sum(amounts[r.id][q] for r in reports) for q in range(4)]
    amounts[team.director.id] = [sum(amounts[m.id][q] for m in team.managers) for q in range(4)]
    users: list[User] = [*team.reps, *team.managers, team.director]
    for user in users:
        for quarter, amount in zip(quarters, amounts[user.id], strict=True):
            yield Quota(
                id=new_uuid(rng),
                owner_id=user.id,
                created_at=min(created, context.now),
                updated_at=min(created, context.now),
                period=str(quarter),
                amount=amount,
            )


def make_submissions(context: Context, history: History) -> Iterator[ForecastSubmission]:
    """Everyone's last call for each history quarter, and the reps' call for this one."""
    rng = context.rng("submissions")
    team = history.team
    for period in (*history.quarters, context.quarter):
        for user in (*team.reps, *team.managers, team.director):
            call = history.final_call(user.id, period)
            if call is None:
                continue
            yield ForecastSubmission(
                id=new_uuid(rng),
                owner_id=user.id,
                created_at=call.submitted_at,
                updated_at=call.submitted_at,
                period=str(period),
                commit=call.commit,
                best_case=call.best_case,
                comment=rng.choice(FORECAST_COMMENTS),
                submitted_at=call.submitted_at,
            )
