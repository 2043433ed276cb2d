"""Account plans for this fiscal year for every A, B and C account."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from sfa_desktop.core.entities import AccountPlan, CoverageLine, KeyContact, PlanAction
from sfa_desktop.core.enums import (
    CONTACT_CHANNELS,
    BuyingRole,
    Channel,
    Influence,
    PlanStatus,
    Stance,
)
from sfa_desktop.demo.catalog import KEY_CONTACT_NOTES, OBJECTIVES, PLAN_ACTIONS, PRODUCTS
from sfa_desktop.demo.context import Context
from sfa_desktop.demo.randomness import Weighted, between, new_uuid
from sfa_desktop.demo.state import AccountRef, World

PLANNED_GRADES = ("A", "B", "C")
# Planned contacts per quarter by grade and channel: visits for the best accounts,
# calls and emails further down.
_COVERAGE: dict[str, dict[Channel, int]] = {
    "A": {Channel.VISIT: 3, Channel.CALL: 6, Channel.EMAIL: 10, Channel.EVENT: 1, Channel.MAIL: 1},
    "B": {Channel.VISIT: 2, Channel.CALL: 5, Channel.EMAIL: 8, Channel.EVENT: 0, Channel.MAIL: 1},
    "C": {Channel.VISIT: 1, Channel.CALL: 4, Channel.EMAIL: 8, Channel.EVENT: 0, Channel.MAIL: 1},
}
_INFLUENCE: dict[BuyingRole | None, Influence] = {
    BuyingRole.DECISION_MAKER: Influence.HIGH,
    BuyingRole.CHAMPION: Influence.MEDIUM,
    BuyingRole.INFLUENCER: Influence.MEDIUM,
}
_KEY_ROLES: tuple[BuyingRole | None, ...] = (
    BuyingRole.DECISION_MAKER,
    BuyingRole.CHAMPION,
    BuyingRole.INFLUENCER,
    BuyingRole.GATEKEEPER,
    BuyingRole.USER,
    None,
)
_STANCES = Weighted(
    (Stance.SUPPORTER, Stance.NEUTRAL, Stance.OPPONENT, Stance.UNKNOWN), (40, 30, 10, 20)
)


def _key_contacts(account: AccountRef, rng: random.Random) -> tuple[KeyContact, ...]:
    """Two to four contacts, the most influential roles first."""
    ranked = sorted(account.contacts, key=lambda c: _KEY_ROLES.index(c.role))
    chosen = ranked[: rng.randint(2, 4)]
    return tuple(
        KeyContact(
            contact_id=contact.id,
            stance=Stance.SUPPORTER if contact.role is BuyingRole.CHAMPION else _STANCES.pick(rng),
            influence=_INFLUENCE.get(contact.role, Influence.LOW),
            note=rng.choice(KEY_CONTACT_NOTES),
        )
        for contact in chosen
    )


def _coverage(grade: str, rng: random.Random) -> tuple[CoverageLine, ...]:
    """One line per contact channel and quarter, around the grade's plan."""
    plan = _COVERAGE[grade]
    lines = []
    for channel in CONTACT_CHANNELS:
        for quarter in range(1, 5):
            planned = plan[channel] + rng.randint(-1, 1) if plan[channel] else 0
            lines.append(CoverageLine(channel=channel, quarter=quarter, planned=max(0, planned)))
    return tuple(lines)


class _PlanFactory:
    def __init__(self, context: Context) -> None:
        self._context = context
        self._rng = context.rng("plans")

    def _actions(self, account: AccountRef) -> tuple[PlanAction, ...]:
        """Two to four actions due this year, most of the past ones done."""
        rng, contacts = self._rng, account.contacts
        year, today = self._context.today.year, self._context.today
        actions = []
        for title in rng.sample(PLAN_ACTIONS, rng.randint(2, 4)):
            due = date(year, 1, 1) + timedelta(days=rng.randint(20, 350))
            contact = rng.choice(contacts).full_name if contacts else "the buying centre"
            actions.append(
                PlanAction(
                    id=new_uuid(rng),
                    title=title.format(
                        contact=contact, product=rng.choice(PRODUCTS), city=account.city.name
                    ),
                    owner_id=account.owner_id,
                    due_date=due,
                    done=due < today and rng.random() < 0.7,
                )
            )
        return tuple(actions)

    def make(self, account: AccountRef) -> AccountPlan:
        rng: random.Random = self._rng
        context = self._context
        year = context.today.year
        if account.historical_revenue:
            target = int(round(account.historical_revenue * rng.uniform(1.05, 1.25), -4))
        else:
            target = int(round(account.potential_revenue * rng.uniform(0.1, 0.3), -4))
        potential = account.potential_revenue
        share = min(100, round(100 * target / potential)) if potential else 0
        objectives = tuple(
            text.format(product=rng.choice(PRODUCTS), city=account.city.name)
            for text in rng.sample(OBJECTIVES, rng.randint(2, 3))
        )
        grade_overridden = rng.random() < 0.05
        grade = account.grade
        if grade_overridden:
            grade = "B" if grade != "B" else rng.choice(("A", "C"))
        created = between(rng, context.now - timedelta(days=120), context.now - timedelta(days=1))
        return AccountPlan(
            id=new_uuid(rng),
            owner_id=account.owner_id,
            created_at=created,
            updated_at=between(rng, created, context.now),
            account_id=account.id,
            fiscal_year=year,
            grade=grade,
            grade_overridden=grade_overridden,
            revenue_target=target,
            share_of_wallet_target=share,
            objectives=objectives,
            key_contacts=_key_contacts(account, rng),
            actions=self._actions(account),
            coverage=_coverage(account.grade, rng),
            status=PlanStatus.ACTIVE if rng.random() < 0.8 else PlanStatus.DRAFT,
        )


def make_plans(context: Context, world: World) -> Iterator[AccountPlan]:
    """One plan for the current fiscal year (today's year) per A-C account."""
    factory = _PlanFactory(context)
    for account in world.accounts:
        if account.grade in PLANNED_GRADES:
            yield factory.make(account)
