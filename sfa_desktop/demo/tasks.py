"""Tasks: follow-ups at accounts and a rep's own to-dos; mostly upcoming, a few overdue."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta

from sfa_desktop.core.entities import Task
from sfa_desktop.core.enums import Priority
from sfa_desktop.demo.catalog import INTERNAL_TASKS, PRODUCTS, TASK_TITLES
from sfa_desktop.demo.context import Context
from sfa_desktop.demo.randomness import Weighted, between, new_uuid, some_days
from sfa_desktop.demo.state import AccountRef, ContactRef, World
from sfa_desktop.demo.weights import TASKS_BY_GRADE, per_account

ACCOUNTLESS_SHARE = 0.2
_PRIORITIES = Weighted((Priority.LOW, Priority.NORMAL, Priority.HIGH), (20, 60, 20))
# Days from today to a task's due date: a few overdue (half of them done), some due
# today, most in the coming weeks.
_DUE_IN: Weighted[Callable[[random.Random], int]] = Weighted(
    (lambda r: -r.randint(1, 14), lambda r: 0, lambda r: r.randint(1, 45)),
    (8, 12, 80),
)


class _TaskFactory:
    def __init__(self, context: Context, world: World) -> None:
        self._context = context
        self._world = world
        self._rng = context.rng("tasks")

    def _task(
        self,
        owner_id: str,
        title: str,
        account: AccountRef | None = None,
        contact: ContactRef | None = None,
    ) -> Task:
        rng: random.Random = self._rng
        now, today = self._context.now, self._context.today
        due: date | None = None
        if rng.random() < 0.9:
            due = today + timedelta(days=_DUE_IN.pick(rng)(rng))
        latest = now if due is None else min(now, datetime.combine(due, time(8), tzinfo=UTC))
        created = latest - some_days(rng, 1, 20)
        done_share = 0.05 if due is None or due > today else 0.15 if due == today else 0.5
        done = rng.random() < done_share
        remind = None
        if due is not None and rng.random() < 0.3:
            remind = datetime.combine(due, time(8), tzinfo=UTC)
        opportunity = None
        if account is not None:
            open_deals = [o for o in account.opportunities if o.is_open]
            opportunity = rng.choice(open_deals) if open_deals and rng.random() < 0.3 else None
        completed = between(rng, created, now) if done else None
        return Task(
            id=new_uuid(rng),
            owner_id=owner_id,
            created_at=created,
            updated_at=completed or between(rng, created, now),
            title=title,
            due_date=due,
            remind_at=remind,
            priority=_PRIORITIES.pick(rng),
            done=done,
            completed_at=completed,
            account_id=account.id if account else None,
            contact_id=contact.id if contact else None,
            opportunity_id=opportunity.id if opportunity else None,
        )

    def for_account(self, account: AccountRef) -> Task:
        rng = self._rng
        contact = rng.choice(account.contacts) if account.contacts else None
        title = rng.choice(TASK_TITLES).format(
            contact=contact.full_name if contact else "the buyer",
            company=account.name,
            product=rng.choice(PRODUCTS),
        )
        return self._task(account.owner_id, title, account, contact)

    def internal(self) -> Task:
        rng = self._rng
        return self._task(rng.choice(self._world.team.reps).id, rng.choice(INTERNAL_TASKS))


def make_tasks(count: int, context: Context, world: World) -> Iterator[Task]:
    """`count` tasks: most at accounts (more for better grades), a fifth the rep's own."""
    factory = _TaskFactory(context, world)
    internal = count if not world.accounts else round(count * ACCOUNTLESS_SHARE)
    rng = context.rng("task-counts")
    counts = per_account(count - internal, world.accounts, TASKS_BY_GRADE, rng)
    for account, number in zip(world.accounts, counts, strict=True):
        for _ in range(number):
            yield factory.for_account(account)
    for _ in range(internal):
        yield factory.internal()
