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
    EntityKind,
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
    Served,
    grade_order,
    out_of_line,
    share,
    top_grades,
    touch_cost,
    touches,
)
from sfa_desktop.core.rules.coverage import expense_to_revenue
from sfa_desktop.core.rules.currency import LeftOutTally, convert_counting, period_day
from sync_server.models import AccountFact, ActivityFact, OpportunityFact, Record, User
from sync_server.services.forecast import parse_period
from sync_server.services.insight_common import View, deal_sums

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


def _planned(session: Session, view: View, quarter: Period, accounts: dict[str, _Account]) -> None:
    """Planned touches of the quarter from the account plans of its fiscal year."""
    number = (quarter.start.month - 1) // 3 + 1
    rows = session.execute(
        select(Record.data).where(
            Record.org_id == view.org.id,
            Record.entity == EntityKind.ACCOUNT_PLAN.value,
            Record.deleted.is_(False),
            *view.owner_filter(Record.owner_id),
        )
    )
    for (data,) in rows:
        account = accounts.get(data.get("account_id", ""))
        if account is None or data.get("fiscal_year") != quarter.start.year:
            continue
        for line in data.get("coverage", []):
            if line.get("quarter") == number:
                account.planned[line["channel"]] += int(line.get("planned", 0))


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
    _planned(session, view, quarter, accounts)
    _revenue(session, view, quarter, accounts)
    return accounts


def _grade_rows(accounts: list[_Account]) -> list[GradeRow]:
    visits_all = sum(a.logged.get("visit", 0) for a in accounts)
    revenue_all = sum(a.revenue for a in accounts)
    potential_all = sum(a.potential for a in accounts)
    rows = []
    for grade in grade_order(a.grade for a in accounts):
        mine = [a for a in accounts if a.grade == grade]
        channels = [channel.value for channel in CONTACT_CHANNELS]
        logged = {c: sum(a.logged.get(c, 0) for a in mine) for c in channels}
        planned = {c: sum(a.planned.get(c, 0) for a in mine) for c in channels}
        revenue = sum(a.revenue for a in mine)
        potential = sum(a.potential for a in mine)
        wallet = sum(a.wallet for a in mine)
        cost = sum(a.cost for a in mine)
        rows.append(
            GradeRow(
                grade=grade,
                accounts=len(mine),
                planned=planned,
                logged=logged,
                visits=logged["visit"],
                visit_share=share(logged["visit"], visits_all),
                revenue=revenue,
                revenue_share=share(revenue, revenue_all),
                potential=potential,
                potential_share=share(potential, potential_all),
                cost=cost,
                expense_to_revenue=expense_to_revenue(cost, revenue),
                wallet_revenue=wallet,
                share_of_wallet=share(wallet, potential),
            )
        )
    return rows


def _top_shares(accounts: list[_Account]) -> tuple[float | None, float | None, float | None]:
    top = set(top_grades())
    mine = [a for a in accounts if a.grade in top]
    return (
        share(
            sum(a.logged.get("visit", 0) for a in mine),
            sum(a.logged.get("visit", 0) for a in accounts),
        ),
        share(sum(a.revenue for a in mine), sum(a.revenue for a in accounts)),
        share(sum(a.potential for a in mine), sum(a.potential for a in accounts)),
    )


def _trend(session: Session, view: View, quarter: Period) -> list[QuarterCost]:
    """Cost and revenue of the subtree's accounts' touches and wins, quarter by quarter."""
    quarters = [quarter]
    for _ in range(TREND_QUARTERS - 1):
        quarters.insert(0, quarters[0].previous())
    found = []
    for period in quarters:
        accounts = _accounts(session, view, period)
        _logged(session, view, period, accounts)
        won = deal_sums(
            session,
            view,
            period.start,
            period.end,
            [ForecastCategory.CLOSED],
            OpportunityFact.account_id,
        )
        cost = sum(a.cost for a in accounts.values())
        revenue = sum(amount for key, amount in won.items() if key in accounts)
        found.append(
            QuarterCost(
                period=str(period),
                cost=cost,
                revenue=revenue,
                expense_to_revenue=expense_to_revenue(cost, revenue),
            )
        )
    return found


def coverage(
    session: Session, subject: User, period_text: str | None, now: datetime
) -> CoverageReport:
    """Coverage and cost to serve by grade for the person's subtree and each report."""
    view = View.load(session, subject)
    quarter = quarter_of(period_text, now)
    accounts = _load(session, view, quarter)
    listed = list(accounts.values())
    verdicts = out_of_line([Served(a.id, a.grade, a.cost, touches(a.logged)) for a in listed])
    names = view.people.names()
    out = [
        OutOfLine(
            account_id=v.served.account_id,
            name=accounts[v.served.account_id].name,
            grade=v.served.grade,
            owner_id=accounts[v.served.account_id].owner,
            owner_name=names.get(accounts[v.served.account_id].owner, ""),
            cost=v.served.cost,
            touches=v.served.touches,
            kind=v.kind,
            reason=v.reason,
        )
        for v in verdicts
    ]
    top_visits, top_revenue, top_potential = _top_shares(listed)
    rows = []
    for person in view.rows:
        members = view.members(person.id)
        mine = [a for a in listed if a.owner in members]
        cost = sum(a.cost for a in mine)
        revenue = sum(a.revenue for a in mine)
        visits, revenues, _ = _top_shares(mine)
        rows.append(
            CoveragePersonRow(
                user_id=person.id,
                name=person.name,
                role=Role(person.role),
                is_subject=person.id == subject.id,
                cost=cost,
                revenue=revenue,
                expense_to_revenue=expense_to_revenue(cost, revenue),
                top_visit_share=visits,
                top_revenue_share=revenues,
                planned=sum(touches(a.planned) for a in mine),
                logged=sum(touches(a.logged) for a in mine),
                out_of_line=sum(1 for o in out if o.owner_id in members),
            )
        )
    return CoverageReport(
        user_id=subject.id,
        period=str(quarter),
        currency=view.org.currency,
        generated_at=now,
        top_grades=list(top_grades()),
        channel_costs={c.value: DEFAULT_CHANNEL_COST[c] for c in CONTACT_CHANNELS},
        grades=_grade_rows(listed),
        top_visit_share=top_visits,
        top_revenue_share=top_revenue,
        top_potential_share=top_potential,
        trend=_trend(session, view, quarter),
        out_of_line=out,
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
