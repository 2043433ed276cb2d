"""Calendar events from two months back to two months ahead: visits, calls, trade fairs."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sfa_desktop.core.entities import CalendarEvent
from sfa_desktop.core.enums import Channel, EventStatus
from sfa_desktop.demo.catalog import (
    EVENT_TITLES,
    INTERNAL_EVENTS,
    ONLINE_LOCATIONS,
    PRODUCTS,
    RECURRING_TITLES,
    TRADE_FAIRS,
)
from sfa_desktop.demo.context import Context, business_time
from sfa_desktop.demo.randomness import Weighted, between, new_uuid, some_days
from sfa_desktop.demo.state import AccountRef, World
from sfa_desktop.demo.weights import EVENTS_BY_GRADE, per_account

WINDOW_DAYS = 60
WEEKLY = "FREQ=WEEKLY;COUNT=10"
INTERNAL_SHARE = 0.1
_REMINDERS: tuple[int | None, ...] = (None, 10, 15, 15, 15, 30, 60, 1440)
_PAST_STATUS = Weighted(
    (EventStatus.COMPLETED, EventStatus.CANCELLED, EventStatus.CONFIRMED), (80, 10, 10)
)
_FUTURE_STATUS = Weighted(
    (EventStatus.CONFIRMED, EventStatus.TENTATIVE, EventStatus.CANCELLED), (75, 20, 5)
)


class _Slot(NamedTuple):
    channel: Channel
    title: str  # may name {company}, {contact} and {product}
    starts: datetime
    ends: datetime
    location: str
    recurrence: str = ""


class _EventFactory:
    def __init__(self, context: Context, world: World) -> None:
        self._context = context
        self._world = world
        self._rng = context.rng("events")

    def _day(self) -> date:
        return self._context.today + timedelta(days=self._rng.randint(-WINDOW_DAYS, WINDOW_DAYS))

    def _status(self, ends: datetime) -> EventStatus:
        mix = _PAST_STATUS if ends < self._context.now else _FUTURE_STATUS
        return mix.pick(self._rng)

    def _stamps(self, starts: datetime) -> tuple[datetime, datetime]:
        """Created a few days to weeks before the start (or before now), edited since."""
        now = self._context.now
        created = min(starts, now) - some_days(self._rng, 1, 21)
        return created, between(self._rng, created, now)

    def _slot(self, account: AccountRef) -> _Slot:
        """What the appointment is, when and where: a visit, a call, a weekly call or a fair."""
        rng: random.Random = self._rng
        kind = rng.random()
        zone = account.city.timezone
        if kind < 0.05:  # a weekly call during a project, started up to eight weeks ago
            starts = business_time(self._context.today - timedelta(rng.randint(0, 56)), zone, rng)
            title = rng.choice(RECURRING_TITLES)
            ends = starts + timedelta(minutes=30)
            return _Slot(Channel.CALL, title, starts, ends, "Microsoft Teams", WEEKLY)
        if kind < 0.1:  # a trade fair, all day, one to three days
            title, venue = rng.choice(TRADE_FAIRS[account.country.code])
            local = datetime.combine(self._day(), time(0), tzinfo=ZoneInfo(zone))
            ends = local + timedelta(days=rng.randint(1, 3))
            return _Slot(Channel.EVENT, title, local.astimezone(UTC), ends.astimezone(UTC), venue)
        channel = Channel.VISIT if kind < 0.65 else Channel.CALL
        starts = business_time(self._day(), zone, rng)
        if channel is Channel.VISIT:
            ends = starts + timedelta(minutes=rng.choice((60, 90, 120)))
            location = account.address
        else:
            ends, location = starts + timedelta(minutes=30), rng.choice(ONLINE_LOCATIONS)
        return _Slot(channel, rng.choice(EVENT_TITLES[channel]), starts, ends, location)

    def _exceptions(self, slot: _Slot, zone: str) -> tuple[datetime, ...]:
        """Now and then one cancelled occurrence of a weekly series (same local time)."""
        if not slot.recurrence or self._rng.random() >= 0.3:
            return ()
        local = slot.starts.astimezone(ZoneInfo(zone))
        return ((local + timedelta(weeks=self._rng.randint(1, 9))).astimezone(UTC),)

    def for_account(self, account: AccountRef) -> CalendarEvent:
        rng: random.Random = self._rng
        slot = self._slot(account)
        allowed = [c for c in account.contacts if slot.channel not in c.unreachable]
        attendees = rng.sample(allowed, min(rng.randint(1, 3), len(allowed)))
        open_deals = [o for o in account.opportunities if o.is_open]
        deal = rng.choice(open_deals) if open_deals and rng.random() < 0.4 else None
        title = slot.title.format(
            company=account.name,
            contact=attendees[0].full_name if attendees else account.name,
            product=deal.product if deal else rng.choice(PRODUCTS),
        )
        created, updated = self._stamps(slot.starts)
        return CalendarEvent(
            id=new_uuid(rng),
            owner_id=account.owner_id,
            created_at=created,
            updated_at=updated,
            title=title,
            starts_at=slot.starts,
            ends_at=slot.ends,
            all_day=slot.channel is Channel.EVENT,
            timezone=account.city.timezone,
            location=slot.location,
            channel=slot.channel,
            recurrence=slot.recurrence,
            exceptions=self._exceptions(slot, account.city.timezone),
            attendee_ids=tuple(c.id for c in attendees),
            account_id=account.id,
            opportunity_id=deal.id if deal else None,
            reminder_minutes=rng.choice(_REMINDERS),
            status=EventStatus.CONFIRMED if slot.recurrence else self._status(slot.ends),
        )

    def internal(self) -> CalendarEvent:
        """A team meeting without an account; some repeat weekly."""
        rng = self._rng
        team = self._world.team
        rep = rng.choice(team.reps)
        zone = team.territories[rep.id].cities[0].timezone
        recurrence = WEEKLY if rng.random() < 0.3 else ""
        starts = business_time(self._day(), zone, rng)
        ends = starts + timedelta(minutes=rng.choice((30, 60)))
        created, updated = self._stamps(starts)
        return CalendarEvent(
            id=new_uuid(rng),
            owner_id=rep.id,
            created_at=created,
            updated_at=updated,
            title=rng.choice(INTERNAL_EVENTS),
            starts_at=starts,
            ends_at=ends,
            timezone=zone,
            location=rng.choice(ONLINE_LOCATIONS),
            channel=Channel.NOTE,
            recurrence=recurrence,
            reminder_minutes=rng.choice(_REMINDERS),
            status=EventStatus.CONFIRMED if recurrence else self._status(ends),
        )


def make_events(count: int, context: Context, world: World) -> Iterator[CalendarEvent]:
    """`count` events: most at accounts (more for better grades), a tenth internal."""
    factory = _EventFactory(context, world)
    internal = round(count * INTERNAL_SHARE)
    rng = context.rng("event-counts")
    counts = per_account(count - internal, world.accounts, EVENTS_BY_GRADE, rng)
    for account, number in zip(world.accounts, counts, strict=True):
        for _ in range(number):
            yield factory.for_account(account)
    for _ in range(internal):
        yield factory.internal()
