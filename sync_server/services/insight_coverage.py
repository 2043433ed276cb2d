"""View 3: coverage and cost to serve by grade for a quarter, for a person's subtree and
each direct report. Touches are the subtree's logged activities on the accounts the subtree
owns (an account's figures count for its owner); cost = touches × the default channel cost;
revenue = deals won in the quarter on those accounts; share of wallet = won in the four
quarters to the quarter's end ÷ the accounts' yearly potential. Corporate currency."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import (
    CONTACT_CHANNELS,
    DEFAULT_CHANNEL_COST,
    ForecastCategory,
    Role,
)
from sfa_desktop.core.insight_wire import (
    AccountCost,
    AccountCostList,
    CoveragePersonRow,
    CoverageReport,
    GradeRow,
    OutOfLine,
    QuarterCost,
)
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.core.rules.cost_to_serve import (
    NO_GRADE,
    grade_order,
    share,
    top_grades,
    touch_cost,
    touches,
)
from sfa_desktop.core.rules.coverage import expense_to_revenue
from sfa_desktop.core.rules.currency import LeftOutTally, convert_counting, period_day
from sync_server.models import AccountFact, ActivityFact, OpportunityFact, User
from sync_server.services import insight_coverage_sums as sums
from sync_server.services.forecast import parse_period
from sync_server.services.insight_common import View, deal_sums
from sync_server.services.insight_coverage_sums import Cell, Cells

TREND_QUARTERS = 4


@dataclass
class _Account:
    id: str
    owner: str
    name: str
    grade: str
    potential: int
    logged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    planned: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    revenue: int = 0
    wallet: int = 0

    @property
    def cost(self) -> int:
        return touch_cost(self.logged)


def quarter_of(period_text: str | None, now: datetime) -> Period:
    if period_text is None:
        return Period.containing(now.date(), PeriodKind.QUARTER)
    period = parse_period(period_text)
    if period.kind is not PeriodKind.QUARTER:
        return Period.containing(period.start, PeriodKind.QUARTER)
    return period


def _accounts(session: Session, view: View, quarter: Period) -> dict[str, _Account]:
    rows = session.execute(
        select(
            AccountFact.id,
            AccountFact.owner_id,
            AccountFact.name,
            AccountFact.grade,
            AccountFact.potential,
            AccountFact.currency,
        ).where(AccountFact.org_id == view.org.id, *view.owner_filter(AccountFact.owner_id))
    )
    day, base, tally = period_day(quarter), view.org.currency, LeftOutTally()
    found = {}
    for account_id, owner, name, grade, potential, currency in rows:
        value = convert_counting(view.rates, tally, int(potential), currency, base, day)
        found[account_id] = _Account(account_id, owner, name, grade or NO_GRADE, value or 0)
    return found


def _logged(session: Session, view: View, quarter: Period, accounts: dict[str, _Account]) -> None:
    fact = ActivityFact
    rows = session.execute(
        select(fact.account_id, fact.channel, func.count())
        .where(
            fact.org_id == view.org.id,
            fact.occurred_on >= quarter.start,
            fact.occurred_on < quarter.end,
            fact.account_id.is_not(None),
            *view.owner_filter(fact.owner_id),
        )
        .group_by(fact.account_id, fact.channel)
    )
    for account_id, channel, count in rows:
        if account_id in accounts:
            accounts[account_id].logged[channel] += int(count)


def _revenue(session: Session, view: View, quarter: Period, accounts: dict[str, _Account]) -> None:
    won = [ForecastCategory.CLOSED]
    key = OpportunityFact.account_id
    for account_id, amount in deal_sums(
        session, view, quarter.start, quarter.end, won, key
    ).items():
        if account_id in accounts:
            accounts[account_id].revenue += amount
    year_start = quarter.end.replace(year=quarter.end.year - 1)  # four quarters back
    for account_id, amount in deal_sums(session, view, year_start, quarter.end, won, key).items():
        if account_id in accounts:
            accounts[account_id].wallet += amount


def _load(session: Session, view: View, quarter: Period) -> dict[str, _Account]:
    accounts = _accounts(session, view, quarter)
    _logged(session, view, quarter, accounts)
    _revenue(session, view, quarter, accounts)
    return accounts


def _sum_cells(chosen: list[Cell]) -> Cell:
    total = Cell()
    for cell in chosen:
        total.accounts += cell.accounts
        total.potential += cell.potential
        total.revenue += cell.revenue
        total.wallet += cell.wallet
        for channel, count in cell.logged.items():
            total.logged[channel] += count
        for channel, count in cell.planned.items():
            total.planned[channel] += count
    return total


def _by_grade(cells: Cells, owners: set[str] | frozenset[str]) -> dict[str, Cell]:
    grades = grade_order(grade for owner, grade in cells if owner in owners)
    return {
        grade: _sum_cells([c for (o, g), c in cells.items() if g == grade and o in owners])
        for grade in grades
    }


def _grade_rows(grades: dict[str, Cell]) -> list[GradeRow]:
    visits_all = sum(c.logged.get("visit", 0) for c in grades.values())
    revenue_all = sum(c.revenue for c in grades.values())
    potential_all = sum(c.potential for c in grades.values())
    channels = [channel.value for channel in CONTACT_CHANNELS]
    rows = []
    for grade, cell in grades.items():
        logged = {c: cell.logged.get(c, 0) for c in channels}
        planned = {c: cell.planned.get(c, 0) for c in channels}
        rows.append(
            GradeRow(
                grade=grade,
                accounts=cell.accounts,
                planned=planned,
                logged=logged,
                visits=logged["visit"],
                visit_share=share(logged["visit"], visits_all),
                revenue=cell.revenue,
                revenue_share=share(cell.revenue, revenue_all),
                potential=cell.potential,
                potential_share=share(cell.potential, potential_all),
                cost=cell.cost,
                expense_to_revenue=expense_to_revenue(cell.cost, cell.revenue),
                wallet_revenue=cell.wallet,
                share_of_wallet=share(cell.wallet, cell.potential),
            )
        )
    return rows


def _top_shares(grades: dict[str, Cell]) -> tuple[float | None, float | None, float | None]:
    top = set(top_grades())
    mine = [c for g, c in grades.items() if g in top]
    every = list(grades.values())
    return (
        share(
            sum(c.logged.get("visit", 0) for c in mine),
            sum(c.logged.get("visit", 0) for c in every),
        ),
        share(sum(c.revenue for c in mine), sum(c.revenue for c in every)),
        share(sum(c.potential for c in mine), sum(c.potential for c in every)),
    )


def _quarters(quarter: Period) -> list[Period]:
    quarters = [quarter]
    for _ in range(TREND_QUARTERS - 1):
        quarters.insert(0, quarters[0].previous())
    return quarters


def _trend(
    session: Session, view: View, quarters: list[Period], won: dict[tuple[int, str, str], int]
) -> list[QuarterCost]:
    """Cost and revenue of the subtree's accounts' touches and wins, quarter by quarter."""
    costs = sums.trend_costs(session, view, quarters)
    revenues = [0] * len(quarters)
    for (index, _, _), amount in won.items():
        revenues[index] += amount
    return [
        QuarterCost(
            period=str(period),
            cost=cost,
            revenue=revenue,
            expense_to_revenue=expense_to_revenue(cost, revenue),
        )
        for period, cost, revenue in zip(quarters, costs, revenues, strict=True)
    ]


def coverage(
    session: Session, subject: User, period_text: str | None, now: datetime
) -> CoverageReport:
    """Coverage and cost to serve by grade for the person's subtree and each report."""
    view = View.load(session, subject)
    quarter = quarter_of(period_text, now)
    quarters = _quarters(quarter)
    won = sums.won_by_quarter(session, view, quarters)
    cells = sums.cells(session, view, quarters, won)
    found = sums.candidates(session, view, quarter, cells)
    names = view.people.names()
    out = [
        OutOfLine(
            account_id=v.served.account_id,
            name=found.names[v.served.account_id][0],
            grade=v.served.grade,
            owner_id=found.names[v.served.account_id][1],
            owner_name=names.get(found.names[v.served.account_id][1], ""),
            cost=v.served.cost,
            touches=v.served.touches,
            kind=v.kind,
            reason=v.reason,
        )
        for v in found.listed
    ]
    grades = _by_grade(cells, view.owners)
    top_visits, top_revenue, top_potential = _top_shares(grades)
    rows = []
    for person in view.rows:
        members = view.members(person.id)
        mine = _by_grade(cells, members)
        total = _sum_cells(list(mine.values()))
        visits, revenues, _ = _top_shares(mine)
        rows.append(
            CoveragePersonRow(
                user_id=person.id,
                name=person.name,
                role=Role(person.role),
                is_subject=person.id == subject.id,
                cost=total.cost,
                revenue=total.revenue,
                expense_to_revenue=expense_to_revenue(total.cost, total.revenue),
                top_visit_share=visits,
                top_revenue_share=revenues,
                planned=touches(total.planned),
                logged=touches(total.logged),
                out_of_line=sum(found.per_owner.get(m, 0) for m in members),
            )
        )
    return CoverageReport(
        user_id=subject.id,
        period=str(quarter),
        currency=view.org.currency,
        generated_at=now,
        top_grades=list(top_grades()),
        channel_costs={c.value: DEFAULT_CHANNEL_COST[c] for c in CONTACT_CHANNELS},
        grades=_grade_rows(grades),
        top_visit_share=top_visits,
        top_revenue_share=top_revenue,
        top_potential_share=top_potential,
        trend=_trend(session, view, quarters, won),
        out_of_line=out,
        out_of_line_total=sum(found.per_owner.values()),
        rows=rows,
    )


def account_costs(
    session: Session, subject: User, period_text: str | None, grade: str | None, now: datetime
) -> AccountCostList:
    """The accounts behind a grade's figures (all grades without one), costliest first."""
    view = View.load(session, subject)
    quarter = quarter_of(period_text, now)
    accounts = _load(session, view, quarter)
    names = view.people.names()
    chosen = [a for a in accounts.values() if grade is None or a.grade == grade]
    chosen.sort(key=lambda a: (-a.cost, a.name))
    return AccountCostList(
        user_id=subject.id,
        period=str(quarter),
        currency=view.org.currency,
        grade=grade,
        accounts=[
            AccountCost(
                account_id=a.id,
                name=a.name,
                grade=a.grade,
                owner_id=a.owner,
                owner_name=names.get(a.owner, ""),
                touches=touches(a.logged),
                visits=a.logged.get("visit", 0),
                cost=a.cost,
                revenue=a.revenue,
                potential=a.potential,
            )
            for a in chosen
        ],
    )
