"""The demo book looks like a healthy one on the day it is made for.

Every figure is counted here from the generated records (not with the generator's helpers)
and held against a threshold stated by hand: what a rep's book of business looks like when
it is worked, which is what a new user should see in the demo.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import pytest

from sfa_desktop.core.entities import (
    Account,
    Activity,
    Contact,
    Lead,
    Opportunity,
    Record,
    StageChange,
    Task,
    User,
)
from sfa_desktop.core.enums import Role, Stage
from sfa_desktop.demo import DemoSize, generate

# A mid-quarter day, the last day of a quarter (few days left to close in it), and New
# Year's Day.
DAYS = (date(2026, 5, 14), date(2026, 9, 30), date(2027, 1, 1))
CLOSED = (Stage.CLOSED_WON, Stage.CLOSED_LOST)


@pytest.fixture(scope="module", params=DAYS, ids=str)
def book(request: pytest.FixtureRequest) -> tuple[date, list[Record]]:
    today: date = request.param
    return today, list(generate(DemoSize(), seed=7, today=today))


def _morning(today: date) -> datetime:
    return datetime.combine(today, time(6), tzinfo=UTC)


def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _open_deals(records: list[Record]) -> list[Opportunity]:
    return [r for r in records if isinstance(r, Opportunity) and r.stage not in CLOSED]


def _reps(records: list[Record]) -> list[User]:
    return [r for r in records if isinstance(r, User) and r.role is Role.REP]


def test_few_open_deals_are_overdue_and_they_close_over_the_next_quarters(
    book: tuple[date, list[Record]],
) -> None:
    today, records = book
    deals = _open_deals(records)
    overdue = [d for d in deals if d.close_date < today]
    assert 0 < len(overdue) < 0.2 * len(deals)
    for rep in _reps(records):  # every rep's own book, not just the average
        own = [d for d in deals if d.owner_id == rep.id]
        assert sum(d.close_date < today for d in own) < 0.25 * len(own), rep.name
    quarters = defaultdict(int)
    for deal in deals:
        if deal.close_date >= today:
            quarters[_quarter(deal.close_date)] += 1
    year, number = _quarter(today)
    coming = [(year + (number - 1 + k) // 4, (number - 1 + k) % 4 + 1) for k in (1, 2)]
    for quarter in coming:  # the next two quarters each have a tenth of the deals
        assert quarters[quarter] >= 0.1 * len(deals), (quarter, dict(quarters))
    assert max(d.close_date for d in deals) <= today + timedelta(days=300)  # none years out


def test_most_open_deals_were_worked_in_the_last_30_days(
    book: tuple[date, list[Record]],
) -> None:
    today, records = book
    cutoff = _morning(today) - timedelta(days=30)
    touched: dict[str, datetime] = {}
    for record in records:
        moment, deal_id = None, None
        if isinstance(record, StageChange):
            moment, deal_id = record.changed_at, record.opportunity_id
        elif isinstance(record, Activity) and record.opportunity_id:
            moment, deal_id = record.occurred_at, record.opportunity_id
        if moment is not None and deal_id is not None:
            touched[deal_id] = max(moment, touched.get(deal_id, moment))
    deals = _open_deals(records)
    stale = [d for d in deals if touched.get(d.id, d.created_at) < cutoff]
    assert len(stale) < 0.3 * len(deals)


def test_tasks_are_mostly_upcoming(book: tuple[date, list[Record]]) -> None:
    today, records = book
    open_tasks = [r for r in records if isinstance(r, Task) and not r.done]
    dated = [t for t in open_tasks if t.due_date is not None]
    overdue = [t for t in dated if t.due_date is not None and t.due_date < today]
    due_today = [t for t in dated if t.due_date == today]
    assert 0 < len(overdue) < 0.3 * len(open_tasks)
    # Today's list (due by today) is not mostly overdue: 7 of 8 were before.
    assert len(overdue) < len(overdue) + len(due_today) <= 2 * len(due_today)
    assert sum(t.due_date is not None and t.due_date > today for t in dated) > 0.6 * len(dated)


def test_most_a_and_b_accounts_were_contacted_in_the_last_30_days(
    book: tuple[date, list[Record]],
) -> None:
    today, records = book
    now = _morning(today)
    recent = {
        r.account_id
        for r in records
        if isinstance(r, Activity) and now - timedelta(days=30) <= r.occurred_at <= now
    }
    best = [r for r in records if isinstance(r, Account) and r.grade in ("A", "B")]
    assert len(best) >= 50
    assert sum(a.id in recent for a in best) >= 0.8 * len(best)


_PARTS = re.compile(r"[-\s]+")


def _words(name: str) -> list[str]:
    return [w.casefold() for w in _PARTS.split(name.strip()) if w]


def _people(records: list[Record]) -> list[str]:
    names = [r.name for r in records if isinstance(r, User)]
    names += [f"{r.first_name} {r.last_name}" for r in records if isinstance(r, Contact | Lead)]
    return [n for n in names if n.strip()]


def test_nobody_has_a_first_name_for_a_surname(book: tuple[date, list[Record]]) -> None:
    _, records = book
    people = _people(records)
    assert len(people) > 1000
    repeated = [n for n in people if len(set(_words(n))) < len(_words(n))]
    assert repeated == []  # such as "Heinz-Wilhelm Heinz"
    users = [r.name for r in records if isinstance(r, User)]
    first_names = {w for n in users for w in _words(n.split(" ", 1)[0])}
    surnames = {w for n in users for w in _words(n.split(" ", 1)[1])}
    assert not first_names & surnames  # nobody on the team is called by another's first name


def test_names_are_written_as_people_write_them(book: tuple[date, list[Record]]) -> None:
    _, records = book
    particles = {"van", "von", "der", "den", "de", "du", "la", "le", "zu", "zum", "zur"}
    for name in _people(records):
        words = name.split()
        assert words[0][0].isupper(), name  # a first name first
        assert words[-1][0].isupper(), name  # no "Dussen van"
        assert all(w[0].isupper() or w in particles for w in words), name
