"""The activity log: 18 months of visits, calls, emails, events, mailings and notes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from sfa_desktop.core.entities import Activity
from sfa_desktop.core.enums import Channel
from sfa_desktop.demo.catalog import ACTIVITY_NOTES, OUTCOMES, PRODUCTS, SUBJECTS, TRADE_FAIRS
from sfa_desktop.demo.context import Context, business_time
from sfa_desktop.demo.randomness import Weighted, new_uuid
from sfa_desktop.demo.state import AccountRef, ContactRef, World
from sfa_desktop.demo.weights import ACTIVITIES_BY_GRADE, per_account

HISTORY_DAYS = 548  # about 18 months
_CHANNELS: tuple[Channel, ...] = tuple(Channel)  # visit, call, email, event, mail, note
# Channel mix by grade: better accounts get more visits, lower grades more calls and emails.
_CHANNEL_MIX: dict[str, Weighted[Channel]] = {
    "A": Weighted(_CHANNELS, (25, 28, 30, 5, 4, 8)),
    "B": Weighted(_CHANNELS, (18, 30, 35, 4, 4, 9)),
    "C": Weighted(_CHANNELS, (12, 32, 40, 3, 5, 8)),
    "D": Weighted(_CHANNELS, (6, 32, 46, 2, 6, 8)),
    "E": Weighted(_CHANNELS, (3, 30, 50, 2, 7, 8)),
}
_HOW_MANY = Weighted((1, 2, 3), (70, 20, 10))
_DURATIONS: dict[Channel, tuple[int, ...]] = {
    Channel.VISIT: (45, 60, 60, 90, 120, 180),
    Channel.CALL: (5, 10, 15, 15, 20, 30, 45),
    Channel.EMAIL: (5, 10),
    Channel.EVENT: (120, 180, 240, 480),
    Channel.MAIL: (10, 15),
    Channel.NOTE: (0, 5),
}
_OPPORTUNITY_LINK = 0.35
# Chance that an account's latest contact falls in the last few weeks, by grade: reps
# keep their best accounts warm.
_RECENTLY_WORKED: dict[str, float] = {"A": 0.95, "B": 0.9, "C": 0.6, "D": 0.35, "E": 0.2}
_RECENT_DAYS = 25


def _participants(
    account: AccountRef, channel: Channel, rng: random.Random
) -> tuple[ContactRef, ...]:
    """One to three contacts who may be reached through `channel` (none for most notes)."""
    if channel is Channel.NOTE and rng.random() < 0.7:
        return ()
    allowed = [c for c in account.contacts if channel not in c.unreachable]
    wanted = _HOW_MANY.pick(rng)
    return tuple(rng.sample(allowed, min(wanted, len(allowed))))


class _ActivityFactory:
    def __init__(self, context: Context) -> None:
        self._context = context
        self._rng = context.rng("activities")

    def make(self, account: AccountRef, recent: bool = False) -> Activity:
        """An activity at `account` over the history, or in the last weeks if `recent`."""
        rng: random.Random = self._rng
        today = self._context.today
        channel = _CHANNEL_MIX[account.grade].pick(rng)
        day = today - timedelta(days=rng.randint(1, _RECENT_DAYS if recent else HISTORY_DAYS))
        occurred = business_time(day, account.city.timezone, rng)
        deal = None
        if rng.random() < _OPPORTUNITY_LINK:
            active = [o for o in account.opportunities if o.was_active(occurred)]
            deal = rng.choice(active) if active else None
        product = deal.product if deal else rng.choice(PRODUCTS)
        fair = rng.choice(TRADE_FAIRS[account.country.code])[0]
        subject = rng.choice(SUBJECTS[channel]).format(product=product, fair=fair)
        logged = min(occurred + timedelta(minutes=rng.randint(5, 600)), self._context.now)
        contacts = _participants(account, channel, rng)
        return Activity(
            id=new_uuid(rng),
            owner_id=account.owner_id,
            created_at=logged,
            updated_at=logged,
            channel=channel,
            subject=subject,
            notes=rng.choice(ACTIVITY_NOTES) if rng.random() < 0.25 else "",
            occurred_at=occurred,
            duration_minutes=rng.choice(_DURATIONS[channel]),
            account_id=account.id,
            contact_ids=tuple(c.id for c in contacts),
            opportunity_id=deal.id if deal else None,
            outcome=rng.choice(OUTCOMES[channel]),
        )


def make_activities(count: int, context: Context, world: World) -> Iterator[Activity]:
    """`count` activities over the accounts, more for better grades; most A and B
    accounts were contacted in the last few weeks."""
    factory = _ActivityFactory(context)
    rng = context.rng("activity-counts")
    counts = per_account(count, world.accounts, ACTIVITIES_BY_GRADE, rng)
    for account, number in zip(world.accounts, counts, strict=True):
        recent = rng.random() < _RECENTLY_WORKED[account.grade]
        for index in range(number):
            yield factory.make(account, recent=recent and index == 0)
