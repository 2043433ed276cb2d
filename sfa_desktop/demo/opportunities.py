"""Opportunities with a realistic stage mix, and the stage history each one walked through."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import NamedTuple

from sfa_desktop.core.entities import Opportunity, StageChange
from sfa_desktop.core.enums import OPEN_STAGES, BuyingRole, ForecastCategory, Stage
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.demo.catalog import COMPETITORS, DEAL_KINDS, LOSS_REASONS, NEXT_STEPS, PRODUCTS
from sfa_desktop.demo.context import Context, business_time, workday
from sfa_desktop.demo.randomness import Weighted, between, new_uuid, some_days
from sfa_desktop.demo.state import AccountRef, ContactRef, OpportunityRef, World
from sfa_desktop.demo.weights import OPPORTUNITIES_BY_GRADE, per_account

# Stage mix in Stage order: prospecting ... negotiation, closed won, closed lost.
_STAGES = Weighted(tuple(Stage), (10, 12, 12, 12, 9, 25, 20))
# Median deal size in euros by account grade; sizes are log-normal around it.
_MEDIAN_EUR: dict[str, int] = {"A": 120_000, "B": 60_000, "C": 30_000, "D": 15_000, "E": 8_000}
_SIGMA = 0.8
_MIN_EUR, _MAX_EUR = 2_000, 3_000_000
_OVERDUE_SHARE = 0.1  # open deals whose close date has passed
_HORIZON_DAYS = 270  # open deals close within about three quarters
_WORKED_SHARE = 0.8  # open deals whose stage last changed in the last few weeks
_RECENT_DAYS = 21
# Deals whose close date was pushed later, and how often (1, 2 or 3 times).
_SLIP_SHARE = {True: 0.3, False: 0.2}  # open deals slip more often than closed ones
_PUSHES = Weighted((1, 2, 3), (50, 35, 15))
_LAST_OPEN = OPEN_STAGES.index(Stage.NEGOTIATION)
_SECOND = timedelta(seconds=1)
# Category a rep sometimes moves a late-stage deal to.
_CATEGORY_FLIPS: dict[Stage, ForecastCategory] = {
    Stage.PROPOSAL: ForecastCategory.COMMIT,
    Stage.NEGOTIATION: ForecastCategory.BEST_CASE,
}


class _Overrides(NamedTuple):
    probability: int
    probability_overridden: bool
    category: ForecastCategory
    category_overridden: bool


def _amount(grade: str, rng: random.Random) -> int:
    """A deal size in cents, log-normal around the grade's median, rounded to 100 euros."""
    euros = int(round(_MEDIAN_EUR[grade] * math.exp(rng.gauss(0.0, _SIGMA)), -2))
    return max(_MIN_EUR, min(_MAX_EUR, euros)) * 100


def _path(stage: Stage, rng: random.Random) -> tuple[Stage, ...]:
    """The stages walked in order: from prospecting or qualification up to `stage`."""
    start = 0 if rng.random() < 0.6 else 1
    if stage is Stage.CLOSED_WON:
        return (*OPEN_STAGES[start:], Stage.CLOSED_WON)
    if stage is Stage.CLOSED_LOST:
        reached = rng.randint(start, _LAST_OPEN)
        return (*OPEN_STAGES[start : reached + 1], Stage.CLOSED_LOST)
    current = OPEN_STAGES.index(stage)
    return OPEN_STAGES[min(start, current) : current + 1]


def _entered(
    start: datetime, end: datetime, count: int, rng: random.Random
) -> tuple[datetime, ...]:
    """`count` strictly increasing times from `start` to `end`: the first at `start`, the
    last (if there are two or more) at `end`."""
    span = (end - start).total_seconds()
    times = [start]
    for fraction in sorted(rng.random() for _ in range(count - 2)):
        times.append(max(start + timedelta(seconds=int(span * fraction)), times[-1] + _SECOND))
    if count >= 2:
        times.append(max(end, times[-1] + _SECOND))
    return tuple(times)


class _OpportunityFactory:
    def __init__(self, context: Context, world: World) -> None:
        self._context = context
        self._world = world
        self._rng = context.rng("opportunities")
        self._slips = context.rng("close-date-slips")  # its own stream: records stay as they were

    def _close_dates(
        self, close_date: date, entered: tuple[datetime, ...], open_deal: bool
    ) -> tuple[tuple[datetime, date], ...]:
        """The close dates the deal had, each with when it was set: the first at creation,
        each push shortly before the earlier date came (never after the deal closed)."""
        rng, created = self._slips, entered[0]
        if rng.random() >= _SLIP_SHARE[open_deal]:
            return ((created, close_date),)
        dates = [close_date]
        for _ in range(_PUSHES.pick(rng)):
            dates.insert(0, dates[0] - timedelta(days=rng.randint(14, 45)))
        soonest = created.date() + timedelta(days=7)  # a new deal's date lies ahead
        dates = [day for day in dates[:-1] if day > soonest] + [close_date]
        end = self._context.now if open_deal else entered[-1]
        found = [(created, dates[0])]
        for earlier, later in pairwise(dates):
            due = datetime.combine(earlier, created.timetz()) - some_days(rng, 0, 7)
            moment = min(max(due, found[-1][0] + timedelta(hours=1)), end - timedelta(hours=1))
            if moment > found[-1][0]:
                found.append((moment, later))
        if found[-1][1] != close_date:  # no room for the pushes: the date it has now
            return ((created, close_date),)
        return tuple(found)

    def _dates(
        self, stage: Stage, stages: int, account: AccountRef
    ) -> tuple[date, datetime, datetime]:
        """Close date, creation time and time of the last of `stages` stage changes."""
        rng, context = self._rng, self._context
        today, now = context.today, context.now
        if stage.is_closed:
            close_date = workday(today - timedelta(days=rng.randint(1, 540)))
            closed_at = business_time(close_date, account.city.timezone, rng)
            created = closed_at - some_days(rng, 20, 240)
            return close_date, created, closed_at
        created = context.days_ago(rng, 5, 300)
        if rng.random() < _OVERDUE_SHARE:
            close_date = today - timedelta(days=rng.randint(1, 45))
            created = min(created, datetime.combine(close_date, created.timetz()) - timedelta(14))
        else:  # more deals in the coming months than later, out to three quarters ahead
            close_date = today + timedelta(days=1 + int(_HORIZON_DAYS * rng.random() ** 1.5))
        recent = now - some_days(rng, 1, _RECENT_DAYS)
        if rng.random() < _WORKED_SHARE and close_date >= today:  # moved on lately
            last_change = between(rng, recent, now - timedelta(hours=1))
            if stages == 1 or last_change <= created:  # still in its first stage: a new deal
                created = last_change
        else:
            last_change = between(rng, created, now - timedelta(hours=1))
        return close_date, created, last_change

    def _primary(self, account: AccountRef) -> ContactRef | None:
        rng = self._rng
        leaders = [
            c
            for c in account.contacts
            if c.role in (BuyingRole.DECISION_MAKER, BuyingRole.CHAMPION)
        ]
        if leaders and rng.random() < 0.8:
            return rng.choice(leaders)
        return rng.choice(account.contacts) if account.contacts else None

    def make(self, account: AccountRef) -> Opportunity:
        rng: random.Random = self._rng
        stage = _STAGES.pick(rng)
        closed = stage.is_closed
        path = _path(stage, rng)
        close_date, created, last_change = self._dates(stage, len(path), account)
        entered = _entered(created, last_change, len(path), rng)
        amount = _amount(account.grade, rng)
        amounts = (*(int(round(amount * rng.uniform(0.8, 1.2), -4)) for _ in path[:-1]), amount)
        product = rng.choice(PRODUCTS)
        kind = rng.choice(DEAL_KINDS) if account.historical_revenue else "new business"
        overrides = self._overrides(stage)
        primary = self._primary(account)
        opportunity = Opportunity(
            id=new_uuid(rng),
            owner_id=account.owner_id,
            created_at=entered[0],
            updated_at=entered[-1] if closed else between(rng, entered[-1], self._context.now),
            account_id=account.id,
            name=f"{account.name} – {product} {kind}",
            primary_contact_id=primary.id if primary else None,
            stage=stage,
            amount=amount,
            close_date=close_date,
            next_step="" if closed else rng.choice(NEXT_STEPS),
            competitor=rng.choice(COMPETITORS) if rng.random() < 0.3 else "",
            loss_reason=rng.choice(LOSS_REASONS) if stage is Stage.CLOSED_LOST else "",
            closed_at=entered[-1] if closed else None,
            probability=overrides.probability,
            probability_overridden=overrides.probability_overridden,
            forecast_category=overrides.category,
            category_overridden=overrides.category_overridden,
        )
        ref = OpportunityRef(
            opportunity.id,
            product,
            amount,
            close_date,
            path,
            entered,
            amounts,
            account.owner_id,
            opportunity.name,
            self._close_dates(close_date, entered, not closed),
        )
        account.opportunities.append(ref)
        self._world.deals[ref.id] = ref
        self._count(opportunity)
        return opportunity

    def _overrides(self, stage: Stage) -> _Overrides:
        """A few open deals where the rep overrode probability or forecast category."""
        rng = self._rng
        result = _Overrides(stage.default_probability, False, stage.default_category, False)
        if stage.is_closed:
            return result
        if rng.random() < 0.06:
            probability = stage.default_probability + rng.choice((-10, -5, 5, 10))
            result = result._replace(
                probability=max(5, min(95, probability)), probability_overridden=True
            )
        flip = _CATEGORY_FLIPS.get(stage)
        if flip is not None and rng.random() < 0.1:
            result = result._replace(category=flip, category_overridden=True)
        return result

    def _count(self, opportunity: Opportunity) -> None:
        """Add the deal to its owner's won and forecast totals."""
        owner = opportunity.owner_id or ""
        quarter = str(Period.containing(opportunity.close_date, PeriodKind.QUARTER))
        totals = self._world.totals[(owner, quarter)]
        if opportunity.stage is Stage.CLOSED_WON:
            totals.won += opportunity.amount
            if opportunity.close_date > self._context.today - timedelta(days=365):
                self._world.won_last_year[owner] += opportunity.amount
        elif opportunity.forecast_category is ForecastCategory.COMMIT:
            totals.commit += opportunity.amount
        elif opportunity.forecast_category is ForecastCategory.BEST_CASE:
            totals.best_case += opportunity.amount


def make_opportunities(count: int, context: Context, world: World) -> Iterator[Opportunity]:
    """`count` opportunities over the accounts, more and larger for better grades."""
    factory = _OpportunityFactory(context, world)
    rng = context.rng("opportunity-counts")
    counts = per_account(count, world.accounts, OPPORTUNITIES_BY_GRADE, rng)
    for account, number in zip(world.accounts, counts, strict=True):
        for _ in range(number):
            yield factory.make(account)


def make_stage_changes(context: Context, world: World) -> Iterator[StageChange]:
    """One row per stage each opportunity entered, in order, with increasing times."""
    rng = context.rng("stage-changes")
    for account in world.accounts:
        for deal in account.opportunities:
            previous: Stage | None = None
            for stage, moment, amount in zip(deal.path, deal.entered, deal.amounts, strict=True):
                yield StageChange(
                    id=new_uuid(rng),
                    owner_id=account.owner_id,
                    created_at=moment,
                    updated_at=moment,
                    opportunity_id=deal.id,
                    from_stage=previous,
                    to_stage=stage,
                    changed_at=moment,
                    amount=amount,
                )
                previous = stage
