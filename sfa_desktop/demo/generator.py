"""The demo data generator: every record kind in foreign-key order, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sfa_desktop.core.entities import Record, User
from sfa_desktop.core.enums import Role
from sfa_desktop.demo.accounts import make_accounts
from sfa_desktop.demo.activities import make_activities
from sfa_desktop.demo.contacts import make_contacts
from sfa_desktop.demo.context import Context
from sfa_desktop.demo.events import make_events
from sfa_desktop.demo.forecasts import make_quotas, make_submissions
from sfa_desktop.demo.history import History
from sfa_desktop.demo.leads import make_leads
from sfa_desktop.demo.opportunities import make_opportunities, make_stage_changes
from sfa_desktop.demo.plans import make_plans
from sfa_desktop.demo.size import DemoSize
from sfa_desktop.demo.state import World
from sfa_desktop.demo.tasks import make_tasks
from sfa_desktop.demo.users import make_team

DEFAULT_SIZE = DemoSize()


class DemoRun:
    """One generation: the records (`records`), then what they imply about the past
    quarters (`history`: deals and calls as weekly snapshots saw them)."""

    def __init__(self, size: DemoSize = DEFAULT_SIZE, *, seed: int = 7, today: date) -> None:
        self.size = size
        self.context = Context(seed, today)
        self.world = World(make_team(size, self.context))
        self.history = History(self.context, self.world)

    def records(self) -> Iterator[Record]:
        """Yield validated demo records, each after every record it refers to.

        Order: users, accounts (parents first), contacts, opportunities, stage changes,
        activities, events, tasks, leads, account plans, quotas, forecast submissions.
        The same size, seed and day give the same records, ids and timestamps included;
        only small references (ids, names, dates) are kept between kinds. A deal's
        earlier close dates are in `history` once the deal has been yielded.
        """
        size, context, world = self.size, self.context, self.world
        yield from world.team.users
        yield from make_accounts(size.accounts, context, world)
        yield from make_contacts(size.contacts, context, world)
        yield from make_opportunities(size.opportunities, context, world)
        yield from make_stage_changes(context, world)
        yield from make_activities(size.activities, context, world)
        yield from make_events(size.events, context, world)
        yield from make_tasks(size.tasks, context, world)
        yield from make_leads(size.leads, context, world)
        yield from make_plans(context, world)
        yield from make_quotas(context, world)
        yield from make_submissions(context, self.history)


def generate(size: DemoSize = DEFAULT_SIZE, *, seed: int = 7, today: date) -> Iterator[Record]:
    """The demo records (`DemoRun.records`)."""
    return DemoRun(size, seed=seed, today=today).records()


def demo_users(size: DemoSize = DEFAULT_SIZE, *, seed: int = 7, today: date) -> list[User]:
    """The users `generate` yields first: director, two managers, admin, then the reps.

    Ids, names and emails depend only on the size and seed (`today` only sets the
    timestamps). Sign in as a rep to see a realistic book of business.
    """
    return list(make_team(size, Context(seed, today)).users)


def first_rep(size: DemoSize = DEFAULT_SIZE, *, seed: int = 7, today: date) -> User:
    """The demo rep the desktop demo, the local seed and the benchmarks sign in as."""
    return next(user for user in demo_users(size, seed=seed, today=today) if user.role is Role.REP)
