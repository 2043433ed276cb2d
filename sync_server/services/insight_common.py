"""What the insight views share: who a view's rows are (the person, then their direct
reports, each standing for their subtree), closed quarters, and amounts of deals summed per
owner in the corporate currency (same-currency sums in SQL, the rest converted by the close
date's rate, as the forecast does)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.core.rules.currency import LeftOutTally, RateTable, convert_counting
from sync_server.errors import BadRequestError
from sync_server.models import OpportunityFact, Org, User
from sync_server.services.currency import rate_table
from sync_server.services.forecast import Hierarchy

MAX_PERIODS = 8


@dataclass(frozen=True)
class View:
    """One request's frame: the organisation, its people, the person asked about, whom
    their subtree holds, and the rows (the person first, then each direct report)."""

    org: Org
    people: Hierarchy
    subject: User
    owners: frozenset[str]
    rows: tuple[Any, ...]
    rates: RateTable

    @classmethod
    def load(cls, session: Session, subject: User) -> View:
        org = session.get(Org, subject.org_id)
        assert org is not None
        people = Hierarchy.load(session, subject.org_id)
        reports = sorted(people.children[subject.id], key=lambda user: user.name)
        return cls(
            org,
            people,
            subject,
            frozenset(people.subtree(subject.id)),
            (people.by_id[subject.id], *reports),
            rate_table(session, org),
        )

    def members(self, user_id: str) -> set[str]:
        """The row's people: the subject's row is the whole subtree, a report's theirs."""
        return self.people.subtree(user_id)

    def owner_filter(self, column: Any) -> list[ColumnElement[bool]]:
        """A WHERE clause on an owner column: none when the subtree is the whole
        organisation (a top manager), else the subtree's ids."""
        if len(self.owners) >= len(self.people.by_id):
            return []
        return [column.in_(sorted(self.owners))]

    def roll_up(self, by_owner: Mapping[str, int], user_id: str) -> int:
        return sum(by_owner.get(member, 0) for member in self.members(user_id))


def closed_quarters(now: datetime, count: int) -> list[Period]:
    """The `count` quarters that ended on or before `now`'s day, oldest first."""
    if not 1 <= count <= MAX_PERIODS:
        raise BadRequestError(f"ask for 1 to {MAX_PERIODS} periods")
    quarter = Period.containing(now.date(), PeriodKind.QUARTER)
    found = []
    for _ in range(count):
        quarter = quarter.previous()
        found.append(quarter)
    return found[::-1]


def deal_sums(
    session: Session,
    view: View,
    start: date,
    end: date,
    categories: Iterable[ForecastCategory],
    key: Any = OpportunityFact.owner_id,
) -> dict[Any, int]:
    """The amounts of the subtree's deals closing in [start, end) in `categories`, per
    `key` (a fact column, the owner by default), in the corporate currency. Deals without
    a rate on their close date are left out, as in the forecast."""
    fact, base = OpportunityFact, view.org.currency
    where = [
        fact.org_id == view.org.id,
        fact.close_date >= start,
        fact.close_date < end,
        fact.category.in_([category.value for category in categories]),
        *view.owner_filter(fact.owner_id),
    ]
    found: dict[Any, int] = defaultdict(int)
    same = session.execute(
        select(key, func.sum(fact.amount)).where(*where, fact.currency == base).group_by(key)
    )
    for value, amount in same:
        found[value] += int(amount or 0)
    other = session.execute(
        select(key, fact.currency, fact.close_date, fact.amount).where(
            *where, fact.currency != base
        )
    )
    tally = LeftOutTally()
    for value, currency, close, amount in other:
        converted = convert_counting(view.rates, tally, int(amount), currency, base, close)
        if converted is not None:
            found[value] += converted
    return dict(found)


def won_by_owner(session: Session, view: View, period: Period) -> dict[str, int]:
    """Closed (won) revenue per owner in the period, corporate currency."""
    return deal_sums(session, view, period.start, period.end, [ForecastCategory.CLOSED])


def share(part: float, whole: float) -> float | None:
    """part ÷ whole; None when the whole is nothing."""
    return part / whole if whole > 0 else None
