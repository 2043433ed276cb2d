"""Coverage's figures summed in SQL per (account owner, grade): accounts, potential, logged
and planned touches per channel, won revenue per quarter, and each account's cost for the
out-of-line verdicts (medians from counts per cost, then only the accounts out of line).
Touches count the subtree's activities on the subtree's accounts; revenue the subtree's
won deals on them; amounts in the corporate currency (other currencies row by row)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import CONTACT_CHANNELS, DEFAULT_CHANNEL_COST, ForecastCategory
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.cost_to_serve import (
    NO_GRADE,
    OutOfLineVerdict,
    Served,
    out_of_line,
    touch_cost,
)
from sfa_desktop.core.rules.currency import LeftOutTally, convert_counting, period_day
from sync_server.insight_models import AccountSum, PlanSum, TouchSum, WonSum
from sync_server.models import AccountFact, ActivityFact, OpportunityFact
from sync_server.services.insight_common import View
from sync_server.services.insight_out_of_line import whole_organisation


@dataclass
class Cell:
    """The accounts one person owns in one grade."""

    accounts: int = 0
    potential: int = 0
    logged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    planned: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    revenue: int = 0
    wallet: int = 0

    @property
    def cost(self) -> int:
        return touch_cost(self.logged)


Cells = dict[tuple[str, str], Cell]


def _grade(value: str | None) -> str:
    return value or NO_GRADE


def _accounts_where(view: View) -> list[ColumnElement[bool]]:
    return [AccountFact.org_id == view.org.id, *view.owner_filter(AccountFact.owner_id)]


def _activities_where(view: View, start: date, end: date) -> list[ColumnElement[bool]]:
    """The subtree's activities in [start, end); a team's by owner alone (its people are
    the organisation's), so ix_activity_facts_owner_day answers without the table."""
    fact = ActivityFact
    owners = view.owner_filter(fact.owner_id)
    return [
        *(owners or [fact.org_id == view.org.id]),
        fact.occurred_on >= start,
        fact.occurred_on < end,
    ]


def _touches_where(view: View, start: date, end: date) -> list[ColumnElement[bool]]:
    """The summed touches (insight_sums) of the subtree's people on the subtree's accounts
    in the quarters starting in [start, end)."""
    touch = TouchSum
    return [
        touch.org_id == view.org.id,
        touch.quarter >= start,
        touch.quarter < end,
        *view.owner_filter(touch.owner_id),
        *view.owner_filter(touch.account_owner_id),
    ]


def _bucket(column: Any, quarters: Sequence[Period]) -> Any:
    """The index of the quarter a day falls in (the days are within the quarters)."""
    return case(
        *((column >= q.start, index) for index, q in reversed(list(enumerate(quarters)))),
        else_=0,
    )


def cells(
    session: Session, view: View, quarters: Sequence[Period], won: dict[tuple[int, str, str], int]
) -> Cells:
    """Per (owner, grade) for the last of `quarters`; wallet over all of them (`won`, as
    `won_by_quarter` gives it)."""
    quarter, found = quarters[-1], defaultdict[tuple[str, str], Cell](Cell)
    base, summed = view.org.currency, AccountSum
    foreign = False
    for owner, grade, currency, count, potential in session.execute(
        select(
            summed.owner_id,
            summed.grade,
            summed.currency,
            func.sum(summed.accounts),
            func.sum(summed.potential),
        )
        .where(summed.org_id == view.org.id, *view.owner_filter(summed.owner_id))
        .group_by(summed.owner_id, summed.grade, summed.currency)
    ):
        if not count:
            continue
        if currency != base:
            foreign = True  # converted account by account below, as the forecast does
            continue
        cell = found[owner, _grade(grade)]
        cell.accounts += int(count)
        cell.potential += int(potential or 0)
    if foreign:
        _foreign_accounts(session, view, quarter, found)
    touch = TouchSum
    for owner, grade, channel, count in session.execute(
        select(touch.account_owner_id, touch.grade, touch.channel, func.sum(touch.touches))
        .where(*_touches_where(view, quarter.start, quarter.end))
        .group_by(touch.account_owner_id, touch.grade, touch.channel)
    ):
        if count:
            found[owner, _grade(grade)].logged[channel] += int(count)
    plan = PlanSum
    for owner, grade, channel, planned in session.execute(
        select(plan.account_owner_id, plan.grade, plan.channel, func.sum(plan.planned))
        .where(
            plan.org_id == view.org.id,
            plan.quarter == quarter.start,
            *view.owner_filter(plan.owner_id),
            *view.owner_filter(plan.account_owner_id),
        )
        .group_by(plan.account_owner_id, plan.grade, plan.channel)
    ):
        if planned:
            found[owner, _grade(grade)].planned[channel] += int(planned)
    for (index, owner, grade), amount in won.items():
        cell = found[owner, grade]
        cell.wallet += amount
        if index == len(quarters) - 1:
            cell.revenue += amount
    return dict(found)


def _foreign_accounts(
    session: Session, view: View, quarter: Period, found: dict[tuple[str, str], Cell]
) -> None:
    """Accounts in another currency, their potential converted one by one."""
    acc, base = AccountFact, view.org.currency
    day, tally = period_day(quarter), LeftOutTally()
    for owner, grade, currency, potential in session.execute(
        select(acc.owner_id, acc.grade, acc.currency, acc.potential).where(
            *_accounts_where(view), acc.currency != base
        )
    ):
        cell = found[owner, _grade(grade)]
        cell.accounts += 1
        cell.potential += (
            convert_counting(view.rates, tally, int(potential), currency, base, day) or 0
        )


def won_by_quarter(
    session: Session, view: View, quarters: Sequence[Period]
) -> dict[tuple[int, str, str], int]:
    """Won amounts per (quarter index, account owner, grade) on the subtree's accounts,
    from the summaries (deals in other currencies converted one by one, if any)."""
    won, base = WonSum, view.org.currency
    index_of = {q.start: i for i, q in enumerate(quarters)}
    found: dict[tuple[int, str, str], int] = defaultdict(int)
    foreign = False
    for quarter, owner, grade, currency, amount in session.execute(
        select(won.quarter, won.account_owner_id, won.grade, won.currency, func.sum(won.amount))
        .where(
            won.org_id == view.org.id,
            won.quarter >= quarters[0].start,
            won.quarter < quarters[-1].end,
            *view.owner_filter(won.owner_id),
            *view.owner_filter(won.account_owner_id),
        )
        .group_by(won.quarter, won.account_owner_id, won.grade, won.currency)
    ):
        if currency == base:
            found[index_of[quarter], owner, _grade(grade)] += int(amount or 0)
        elif amount:  # amounts are never negative: a foreign deal with an amount is there
            foreign = True
    if not foreign:
        return dict(found)
    fact, acc = OpportunityFact, AccountFact
    bucket = _bucket(fact.close_date, quarters)
    where = [
        fact.org_id == view.org.id,
        fact.category == ForecastCategory.CLOSED.value,
        fact.close_date >= quarters[0].start,
        fact.close_date < quarters[-1].end,
        *view.owner_filter(fact.owner_id),
        *_accounts_where(view),
    ]
    tally = LeftOutTally()
    for index, owner, grade, currency, close, amount in session.execute(
        select(bucket, acc.owner_id, acc.grade, fact.currency, fact.close_date, fact.amount)
        .join(acc, acc.id == fact.account_id)
        .where(*where, fact.currency != base)
    ):
        converted = convert_counting(view.rates, tally, int(amount), currency, base, close)
        if converted is not None:
            found[int(index), owner, _grade(grade)] += converted
    return dict(found)


def trend_costs(session: Session, view: View, quarters: Sequence[Period]) -> list[int]:
    """The cost of the touches on the subtree's accounts, quarter by quarter."""
    touch = TouchSum
    index = {q.start: i for i, q in enumerate(quarters)}
    counts: list[dict[str, int]] = [defaultdict(int) for _ in quarters]
    for quarter, channel, count in session.execute(
        select(touch.quarter, touch.channel, func.sum(touch.touches))
        .where(*_touches_where(view, quarters[0].start, quarters[-1].end))
        .group_by(touch.quarter, touch.channel)
    ):
        counts[index[quarter]][channel] += int(count or 0)
    return [touch_cost(c) for c in counts]


def _per_account(view: View, quarter: Period) -> Any:
    act = ActivityFact
    contact = [c.value for c in CONTACT_CHANNELS]
    cost = case(
        *((act.channel == c.value, DEFAULT_CHANNEL_COST[c]) for c in CONTACT_CHANNELS), else_=0
    )
    return (
        select(
            act.account_id.label("account_id"),
            func.sum(cost).label("cost"),
            func.sum(case((act.channel.in_(contact), 1), else_=0)).label("touches"),
        )
        .where(*_activities_where(view, quarter.start, quarter.end))
        .group_by(act.account_id)
        .subquery()
    )


@dataclass(frozen=True)
class Judged:
    """The accounts most out of line (at most `LISTED` of each kind, most out of line
    first), with their names and owners, and how many are out of line per owner."""

    listed: list[OutOfLineVerdict]
    names: dict[str, tuple[str, str]]  # account id -> (name, owner)
    per_owner: dict[str, int]


LISTED = 100  # accounts listed per kind (over-, under-served); all are counted


def candidates(session: Session, view: View, quarter: Period, cells: Cells) -> Judged:
    """The out-of-line accounts: the whole organisation's from the accounts' quarter
    summaries (insight_out_of_line), a team's from every graded account's cost and touches
    in one pass (summed in SQL); either judged by the rule. Only the listed accounts'
    names are read."""
    acc = AccountFact
    if not view.owner_filter(acc.owner_id):
        counts = {key: cell.accounts for key, cell in cells.items()}
        listed, per_owner = whole_organisation(session, view, quarter, counts, LISTED)
    else:
        listed, per_owner = _team(session, view, quarter)
    ids = [v.served.account_id for v in listed]
    names = {}
    if ids:
        names = {
            account_id: (name, owner)
            for account_id, name, owner in session.execute(
                select(acc.id, acc.name, acc.owner_id).where(acc.id.in_(ids))
            )
        }
    return Judged(listed, names, per_owner)


def _team(
    session: Session, view: View, quarter: Period
) -> tuple[list[OutOfLineVerdict], dict[str, int]]:
    acc, per = AccountFact, _per_account(view, quarter)
    owners: dict[str, str] = {}
    served = []
    for account_id, owner, grade, cost, touches in session.execute(
        select(
            acc.id,
            acc.owner_id,
            acc.grade,
            func.coalesce(per.c.cost, 0),
            func.coalesce(per.c.touches, 0),
        )
        .outerjoin(per, per.c.account_id == acc.id)
        .where(*_accounts_where(view), acc.grade.is_not(None))
    ):
        owners[account_id] = owner
        served.append(Served(account_id, grade, int(cost), int(touches)))
    verdicts = out_of_line(served)
    per_owner: dict[str, int] = defaultdict(int)
    shown: dict[str, int] = defaultdict(int)
    listed = []
    for verdict in verdicts:
        per_owner[owners[verdict.served.account_id]] += 1
        if shown[verdict.kind] < LISTED:
            shown[verdict.kind] += 1
            listed.append(verdict)
    return listed, dict(per_owner)
