"""The history-based projection kept with each weekly snapshot, computed from what was
known at the snapshot's moment only (core.rules.backtest): at the snapshot itself, and for
snapshots taken before projections were kept (`backfill_projections`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Opportunity, StageChange
from sfa_desktop.core.enums import Stage
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.backtest import changes_until, closed_as_of, project_as_of
from sfa_desktop.core.rules.currency import LeftOutTally, RateTable, convert_counting
from sync_server.models import (
    DealSnapshot,
    ForecastSnapshot,
    OpportunityFact,
    Org,
    StageFact,
)
from sync_server.services.currency import rate_table
from sync_server.services.forecast import Hierarchy

# Weakest first: a figure resting partly on default probabilities says so.
_SOURCES = ("defaults", "team", "rep")
_CLOSED = (Stage.CLOSED_WON.value, Stage.CLOSED_LOST.value)


def _deal(opportunity_id: str, owner: str, stage: str, amount: int, close: date) -> Opportunity:
    """A deal as a core model, without validation (the values come from stored rows)."""
    category = Stage(stage).default_category
    return Opportunity.model_construct(
        id=opportunity_id,
        owner_id=owner,
        account_id="",
        name="",
        stage=Stage(stage),
        forecast_category=category,
        amount=amount,
        close_date=close,
        created_at=datetime.min.replace(tzinfo=UTC),
        closed_at=datetime.combine(close, time(), UTC) if stage in _CLOSED else None,
    )


def _deals_then(
    session: Session, org: Org, period: Period, when: datetime, rates: RateTable
) -> list[Opportunity]:
    rows = session.execute(
        select(
            DealSnapshot.opportunity_id,
            DealSnapshot.owner_id,
            DealSnapshot.stage,
            DealSnapshot.category,
            DealSnapshot.amount,
            DealSnapshot.currency,
            DealSnapshot.close_date,
        ).where(
            DealSnapshot.org_id == org.id,
            DealSnapshot.period == str(period),
            DealSnapshot.taken_at == when,
        )
    )
    tally = LeftOutTally()
    found = []
    for deal_id, owner, stage, category, amount, currency, close in rows:
        value = convert_counting(rates, tally, amount, currency, org.currency, close)
        if value is None:
            continue  # left out, as the rollup leaves it out
        deal = _deal(deal_id, owner, stage, value, close)
        if category != deal.forecast_category.value:
            deal = deal.model_copy(update={"forecast_category": category})
        found.append(deal)
    return found


def _history_then(
    session: Session, org_id: str, when: datetime
) -> tuple[list[Opportunity], list[StageChange]]:
    """Every deal of the organisation (current stage and owner) and the stage changes made
    at or before `when`."""
    changes = [
        StageChange.model_construct(
            id=change_id, opportunity_id=deal, to_stage=Stage(stage), changed_at=changed
        )
        for change_id, deal, stage, changed in session.execute(
            select(
                StageFact.id, StageFact.opportunity_id, StageFact.to_stage, StageFact.changed_at
            ).where(StageFact.org_id == org_id, StageFact.changed_at <= when)
        )
    ]
    deals = [
        _deal(deal_id, owner, stage or Stage.QUALIFICATION.value, 0, close)
        for deal_id, owner, stage, close in session.execute(
            select(
                OpportunityFact.id,
                OpportunityFact.owner_id,
                OpportunityFact.stage,
                OpportunityFact.close_date,
            ).where(OpportunityFact.org_id == org_id)
        )
    ]
    return deals, changes_until(changes, when)


def projections_at(
    session: Session, org: Org, people: Hierarchy, period: Period, when: datetime
) -> dict[str, tuple[int, str]]:
    """Everyone's projection of `period` at `when` (their subtree's deals, each by its
    owner's history), with the weakest history source used: {user: (amount, source)}."""
    rates = rate_table(session, org)
    deals_then = _deals_then(session, org, period, when, rates)
    everyone, changes = _history_then(session, org.id, when)
    closed = closed_as_of(everyone, changes, when)
    by_owner: dict[str, list[Opportunity]] = {}
    for deal in closed:
        by_owner.setdefault(deal.owner_id or "", []).append(deal)
    owners = {deal.owner_id or "" for deal in deals_then}
    closed_then = {owner: _team_closed(people, owner, by_owner) for owner in owners}
    own = project_as_of(period, deals_then, closed_then, changes, when, trials=1)
    found = {}
    for user_id in people.by_id:
        parts = [own[o] for o in people.subtree(user_id) if o in own]
        amount = sum(part.expected for part in parts)
        sources = {part.history.source for part in parts} or {"rep"}
        found[user_id] = (amount, min(sources, key=_SOURCES.index))
    return found


def _team_closed(
    people: Hierarchy, owner: str, by_owner: dict[str, list[Opportunity]]
) -> list[Opportunity]:
    """The closed deals of `owner`'s team: everyone under their manager (or just theirs)."""
    person = people.by_id.get(owner)
    team: Iterable[str] = (
        people.subtree(person.manager_id) if person and person.manager_id else [owner]
    )
    return [deal for member in team for deal in by_owner.get(member, [])]


def store_projections(
    session: Session, org: Org, people: Hierarchy, period: Period, when: datetime
) -> None:
    """Write the projections at `when` into that moment's snapshot rows of `period`."""
    session.flush()
    for user_id, (amount, source) in projections_at(session, org, people, period, when).items():
        session.execute(
            update(ForecastSnapshot)
            .where(
                ForecastSnapshot.org_id == org.id,
                ForecastSnapshot.user_id == user_id,
                ForecastSnapshot.period == str(period),
                ForecastSnapshot.taken_at == when,
            )
            .values(projected=amount, projection_source=source)
        )


def backfill_projections(session: Session, org: Org) -> int:
    """Compute the projection of every snapshot taken before projections were kept (from
    what was known at each snapshot's moment); the number of snapshot moments filled."""
    people = Hierarchy.load(session, org.id)
    moments = session.execute(
        select(ForecastSnapshot.period, ForecastSnapshot.taken_at)
        .where(ForecastSnapshot.org_id == org.id, ForecastSnapshot.projected.is_(None))
        .distinct()
        .order_by(ForecastSnapshot.taken_at)
    ).all()
    for period_text, taken_at in moments:
        store_projections(session, org, people, Period.parse(period_text), taken_at)
    session.commit()
    return len(moments)
