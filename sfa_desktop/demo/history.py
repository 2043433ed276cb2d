"""The demo's past as the weekly forecast snapshots saw it: each deal's stage, amount and
close date at a moment, and the calls reps and managers had made by then.

Reps call what they expect to close, each with a lean of their own (some over-call, some
sandbag), re-calling every week from the quarter's fifth day until their last call a few
days before the end; managers call their reports' calls with a lean of their own.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sfa_desktop.core.enums import ForecastCategory, Stage
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.demo.context import Context
from sfa_desktop.demo.randomness import some_days
from sfa_desktop.demo.state import OpportunityRef, Team, World

HISTORY_QUARTERS = 4  # closed quarters with calls and weekly snapshots
_SNAPSHOT_TIME = time(6, tzinfo=UTC)  # Mondays, before the working day
_LEANS = (0.8, 0.88, 0.95, 1.0, 1.04, 1.12, 1.22)  # a person's habit: calls ÷ expected
_JITTER = 0.06  # a quarter's call strays this much from the habit either way
_FIRST_CALL = timedelta(days=4, hours=9)  # after the quarter starts


@dataclass(frozen=True, slots=True)
class DealThen:
    """A deal as it stood at some moment."""

    opportunity_id: str
    owner_id: str
    name: str
    stage: Stage
    category: ForecastCategory
    amount: int
    close_date: date


@dataclass(frozen=True, slots=True)
class Call:
    commit: int
    best_case: int
    submitted_at: datetime


def deal_then(ref: OpportunityRef, moment: datetime) -> DealThen | None:
    """`ref` at `moment` (its stage, that stage's amount, the close date set by then);
    None before it was created."""
    if moment < ref.entered[0]:
        return None
    step = bisect_right(ref.entered, moment) - 1
    dates = [day for set_at, day in ref.close_dates if set_at <= moment]
    stage = ref.path[step]
    return DealThen(
        ref.id,
        ref.owner_id,
        ref.name,
        stage,
        stage.default_category,
        ref.amounts[step],
        dates[-1] if dates else ref.close_date,
    )


def _round(amount: float) -> int:
    return int(round(amount, -4))


class History:
    """What the generator's deals and people imply about the past quarters."""

    def __init__(self, context: Context, world: World) -> None:
        self._context = context
        self._world = world
        self._leans: dict[tuple[str, str], float] = {}
        self._finals: dict[tuple[str, str], Call | None] = {}

    @property
    def team(self) -> Team:
        return self._world.team

    @property
    def quarters(self) -> list[Period]:
        """The closed quarters with calls and snapshots, oldest first."""
        found = [self._context.quarter.previous()]
        while len(found) < HISTORY_QUARTERS:
            found.append(found[-1].previous())
        return found[::-1]

    def moments(self) -> list[datetime]:
        """Every Monday's snapshot time from the first history quarter until now."""
        start = self.quarters[0].start
        day = start + timedelta(days=-start.weekday() % 7)
        found = []
        while (moment := datetime.combine(day, _SNAPSHOT_TIME)) < self._context.now:
            found.append(moment)
            day += timedelta(days=7)
        return found

    def earlier_close_dates(self, opportunity_id: str) -> list[date]:
        """The close dates a deal had before its present one, oldest first."""
        ref = self._world.deals.get(opportunity_id)
        return [day for _, day in ref.close_dates[:-1]] if ref else []

    def deals_at(self, moment: datetime, period: Period) -> list[DealThen]:
        """Every deal that existed at `moment` with its close date then in `period`."""
        found = []
        for ref in self._world.deals.values():
            deal = deal_then(ref, moment)
            if deal is not None and period.start <= deal.close_date < period.end:
                found.append(deal)
        return found

    def calls_at(self, moment: datetime, period: Period) -> dict[str, Call]:
        """The calls for `period` standing at `moment`, by person."""
        deals = self.deals_at(moment, period)
        found: dict[str, Call] = {}
        for rep in self._world.team.reps:
            call = self._standing(rep.id, period, moment, deals)
            if call is not None:
                found[rep.id] = call
        if period == self._context.quarter:
            return found  # managers call the closed quarters only
        for manager in (*self._world.team.managers, self._world.team.director):
            call = self._manager_call(manager.id, period, moment, found)
            if call is not None:
                found[manager.id] = call
        return found

    def final_call(self, user_id: str, period: Period) -> Call | None:
        """The last call of `user_id` for `period` (what the submission record keeps)."""
        key = (user_id, str(period))
        if key not in self._finals:
            self._finals[key] = self._final(user_id, period)
        return self._finals[key]

    # -- how calls are made -------------------------------------------------------------

    def _lean(self, user_id: str, period: Period) -> float:
        key = (user_id, str(period))
        if key not in self._leans:
            habit = self._context.rng(f"call-lean:{user_id}").choice(_LEANS)
            jitter = self._context.rng(f"call-lean:{user_id}:{period}").uniform(-_JITTER, _JITTER)
            self._leans[key] = habit + jitter
        return self._leans[key]

    def _reports(self, user_id: str) -> list[str]:
        return [u.id for u in self._world.team.users if u.manager_id == user_id]

    def _rep_call(
        self, rep_id: str, period: Period, moment: datetime, deals: list[DealThen]
    ) -> Call:
        sums: dict[ForecastCategory, int] = defaultdict(int)
        for deal in deals:
            if deal.owner_id == rep_id:
                sums[deal.category] += deal.amount
        sure = sums[ForecastCategory.CLOSED] + sums[ForecastCategory.COMMIT]
        best, pipeline = sums[ForecastCategory.BEST_CASE], sums[ForecastCategory.PIPELINE]
        lean = self._lean(rep_id, period)
        commit = _round((sure + best / 2 + pipeline * 0.15) * lean)
        upside = _round((sure + best + pipeline * 0.3) * lean)
        return Call(commit, max(commit, upside), moment)

    def _standing(
        self, rep_id: str, period: Period, moment: datetime, deals: list[DealThen]
    ) -> Call | None:
        final = self.final_call(rep_id, period)
        if final is not None and moment >= final.submitted_at:
            return final
        if moment < datetime.combine(period.start, time(), UTC) + _FIRST_CALL:
            return None
        return self._rep_call(rep_id, period, moment, deals)

    def _manager_call(
        self, user_id: str, period: Period, moment: datetime, standing: dict[str, Call]
    ) -> Call | None:
        final = self.final_call(user_id, period)
        if final is not None and moment >= final.submitted_at:
            return final
        return self._team_call(user_id, period, moment, standing)

    def _team_call(
        self, user_id: str, period: Period, moment: datetime, standing: dict[str, Call]
    ) -> Call | None:
        """The reports' standing calls, summed and leant on by the manager."""
        calls = [standing[r] for r in self._reports(user_id) if r in standing]
        if not calls:
            return None
        lean = self._lean(user_id, period)
        commit = _round(sum(c.commit for c in calls) * lean)
        best = _round(sum(c.best_case for c in calls) * lean)
        return Call(commit, max(commit, best), moment)

    def _final(self, user_id: str, period: Period) -> Call | None:
        context = self._context
        rng = context.rng(f"call-final:{user_id}:{period}")
        if period == context.quarter:  # this week's call: what is won and committed now
            if user_id not in {rep.id for rep in self._world.team.reps}:
                return None
            totals = self._world.totals[(user_id, str(period))]
            commit = totals.won + totals.commit
            earliest = datetime.combine(period.start, time(), UTC)
            # At least a day before the demo's present (06:00 UTC of its day): a demo loaded
            # before 06:00 would otherwise show a call made later than the clock says.
            latest = context.now - timedelta(days=1)
            submitted = max(earliest, latest - some_days(rng, 0, 5))
            return Call(commit, commit + totals.best_case, submitted)
        last_day = datetime.combine(period.end, time(9), UTC) - timedelta(days=1)
        submitted = last_day - some_days(rng, 3, 20)
        if user_id in {rep.id for rep in self._world.team.reps}:
            by_owner = [ref for ref in self._world.deals.values() if ref.owner_id == user_id]
            deals = [
                deal
                for ref in by_owner
                if (deal := deal_then(ref, submitted)) is not None
                and period.start <= deal.close_date < period.end
            ]
            return self._rep_call(user_id, period, submitted, deals)
        standing = {}
        for report in self._reports(user_id):
            call = self.final_call(report, period)
            if call is not None:
                standing[report] = call
        if not standing:
            return None
        latest = max(call.submitted_at for call in standing.values())
        submitted = min(latest + some_days(rng, 0.5, 2), last_day)  # after the team's calls
        return self._team_call(user_id, period, submitted, standing)


def quarter_of(moment: datetime) -> Period:
    return Period.containing(moment.date(), PeriodKind.QUARTER)
