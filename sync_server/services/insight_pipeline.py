"""View 4: pipeline health of a person's subtree. Stage flow and days in stage from the deals
closed in the last four quarters (counted in SQL, read by core.rules.pipeline_health), the
win rate quarter by quarter, open deals whose close date was pushed later more than once,
and each row's open pipeline against what is left of the quota this quarter (the forecast's
own rollup, so the figures match the forecast page)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import EntityKind, ForecastCategory, Role, Stage
from sfa_desktop.core.forecast_wire import ForecastNode
from sfa_desktop.core.insight_wire import (
    PipelinePersonRow,
    PipelineReport,
    SlippingDeal,
    StageHealth,
    WinRatePoint,
)
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.core.rules.currency import LeftOutTally, convert_counting
from sfa_desktop.core.rules.pipeline_health import (
    SLIPPING_PUSHES,
    pipeline_coverage,
    stage_flows,
    win_rate,
)
from sync_server.insight_models import DealFlowSum, StaySum
from sync_server.models import AccountFact, OpportunityFact, Record, User
from sync_server.services.forecast import flatten, rollup
from sync_server.services.insight_common import View, closed_quarters

WINDOW_QUARTERS = 4
SLIPPING_LISTED = 100  # slipping deals listed; all are counted
_WON, _LOST = Stage.CLOSED_WON.value, Stage.CLOSED_LOST.value
_OPEN_CATEGORIES = [
    ForecastCategory.PIPELINE.value,
    ForecastCategory.BEST_CASE.value,
    ForecastCategory.COMMIT.value,
]


def _stage_figures(
    session: Session, view: View, window: list[Period]
) -> tuple[list[tuple[int, bool, int]], dict[Stage, dict[int, int]]]:
    """Over the subtree's deals closed (won or lost) in the window: (stage mask, won,
    deals), and the whole days of each completed stay in an open stage counted per stage,
    from the summaries kept per owner and quarter on write (insight_sums)."""
    flow, stay = DealFlowSum, StaySum
    found: list[tuple[int, bool, int]] = []
    for mask, was_won, count in session.execute(
        select(flow.mask, flow.won, func.sum(flow.deals))
        .where(
            flow.org_id == view.org.id,
            flow.quarter >= window[0].start,
            flow.quarter < window[-1].end,
            flow.mask >= 0,
            *view.owner_filter(flow.owner_id),
        )
        .group_by(flow.mask, flow.won)
        .having(func.sum(flow.deals) != 0)
    ):
        found.append((int(mask), bool(was_won), int(count)))
    spent: dict[Stage, dict[int, int]] = defaultdict(dict)
    for stage_name, whole_days, count in session.execute(
        select(stay.stage, stay.days, func.sum(stay.stays))
        .where(
            stay.org_id == view.org.id,
            stay.quarter >= window[0].start,
            stay.quarter < window[-1].end,
            *view.owner_filter(stay.owner_id),
        )
        .group_by(stay.stage, stay.days)
        .having(func.sum(stay.stays) != 0)
    ):
        spent[Stage(stage_name)][int(whole_days)] = int(count)
    return found, spent


def _outcomes(
    session: Session, view: View, window: list[Period]
) -> dict[tuple[int, str], tuple[int, int]]:
    """(won, lost) deals per (quarter's index in the window, owner), from the summaries."""
    flow = DealFlowSum
    index = {period.start: i for i, period in enumerate(window)}
    rows = session.execute(
        select(flow.quarter, flow.owner_id, flow.stage, func.sum(flow.deals))
        .where(
            flow.org_id == view.org.id,
            flow.quarter >= window[0].start,
            flow.quarter < window[-1].end,
            *view.owner_filter(flow.owner_id),
        )
        .group_by(flow.quarter, flow.owner_id, flow.stage)
    )
    found: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for quarter, owner, stage_name, count in rows:
        if count:
            found[index[quarter], owner][0 if stage_name == _WON else 1] += int(count)
    return {key: (won, lost) for key, (won, lost) in found.items()}


def _slipping_where(view: View) -> list[Any]:
    fact = OpportunityFact
    return [
        fact.org_id == view.org.id,
        fact.close_pushes >= SLIPPING_PUSHES,
        fact.category.in_(_OPEN_CATEGORIES),
        *view.owner_filter(fact.owner_id),
    ]


def _slipping_per_owner(session: Session, view: View) -> dict[str, int]:
    fact = OpportunityFact
    rows = session.execute(
        select(fact.owner_id, func.count()).where(*_slipping_where(view)).group_by(fact.owner_id)
    )
    return {owner: int(count) for owner, count in rows}


def _slipping(session: Session, view: View) -> list[SlippingDeal]:
    """The `SLIPPING_LISTED` deals pushed most often (the earliest close first)."""
    fact = OpportunityFact
    rows = session.execute(
        select(
            fact.id,
            fact.owner_id,
            fact.account_id,
            fact.stage,
            fact.close_date,
            fact.close_pushes,
            fact.amount,
            fact.currency,
            AccountFact.name,
        )
        .outerjoin(AccountFact, AccountFact.id == fact.account_id)
        .where(*_slipping_where(view))
        .order_by(fact.close_pushes.desc(), fact.close_date, fact.id)
        .limit(SLIPPING_LISTED)
    ).all()
    ids = [row[0] for row in rows]
    deal_names = {}
    if ids:
        deal_names = {
            record_id: data.get("name", "")
            for record_id, data in session.execute(
                select(Record.id, Record.data).where(
                    Record.entity == EntityKind.OPPORTUNITY.value, Record.id.in_(ids)
                )
            )
        }
    names, tally = view.people.names(), LeftOutTally()
    return [
        SlippingDeal(
            id=deal_id,
            name=deal_names.get(deal_id, ""),
            account_id=account_id,
            account_name=account_name or "",
            owner_id=owner,
            owner_name=names.get(owner, ""),
            stage=Stage(stage or Stage.QUALIFICATION.value).label,
            close_date=close,
            pushes=pushes,
            amount=convert_counting(
                view.rates, tally, int(amount), currency, view.org.currency, close
            ),
            original_amount=int(amount),
            original_currency=currency,
        )
        for deal_id, owner, account_id, stage, close, pushes, amount, currency, account_name in rows
    ]


def _measured_quota(node: ForecastNode) -> int:
    if node.attainment_basis == "own":
        return node.quota
    return node.rolled_up_quota if node.attainment_basis == "rolled up" else 0


def pipeline(session: Session, subject: User, now: datetime) -> PipelineReport:
    """Pipeline health of the person's subtree, and each direct report's."""
    view = View.load(session, subject)
    window = closed_quarters(now, WINDOW_QUARTERS)
    flows = stage_flows(*_stage_figures(session, view, window))
    trend = []
    by_quarter = _outcomes(session, view, window)
    outcomes: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for index, period in enumerate(window):
        counts = [c for (i, _), c in by_quarter.items() if i == index]
        won, lost = sum(c[0] for c in counts), sum(c[1] for c in counts)
        trend.append(
            WinRatePoint(period=str(period), won=won, lost=lost, win_rate=win_rate(won, lost))
        )
    for (_, owner), (won, lost) in by_quarter.items():
        outcomes[owner] = (outcomes[owner][0] + won, outcomes[owner][1] + lost)
    slipping = _slipping(session, view)
    slipping_per_owner = _slipping_per_owner(session, view)
    quarter = Period.containing(now.date(), PeriodKind.QUARTER)
    report = rollup(session, subject, quarter, None, now)
    tree = {node.user_id: node for _, node in flatten(report.root)}
    rows = []
    for person in view.rows:
        members = view.members(person.id)
        node = tree[person.id]
        totals = node.totals
        open_pipeline = totals.commit + totals.best_case + totals.pipeline
        quota = _measured_quota(node)
        remaining, ratio = pipeline_coverage(open_pipeline, quota, totals.closed)
        won = sum(outcomes.get(m, (0, 0))[0] for m in members)
        lost = sum(outcomes.get(m, (0, 0))[1] for m in members)
        rows.append(
            PipelinePersonRow(
                user_id=person.id,
                name=person.name,
                role=Role(person.role),
                is_subject=person.id == subject.id,
                open_pipeline=open_pipeline,
                quota=quota,
                closed=totals.closed,
                remaining_quota=remaining,
                coverage=ratio,
                win_rate=win_rate(won, lost),
                slipping=sum(slipping_per_owner.get(m, 0) for m in members),
            )
        )
    return PipelineReport(
        user_id=subject.id,
        period=str(quarter),
        currency=view.org.currency,
        generated_at=now,
        window=[str(period) for period in window],
        stages=[
            StageHealth(
                stage=flow.stats.stage.label,
                reached=flow.stats.reached,
                advanced=flow.advanced,
                conversion=flow.conversion,
                won=flow.stats.won,
                win_rate=flow.stats.won / flow.stats.reached if flow.stats.reached else None,
                median_days=flow.stats.median_days,
            )
            for flow in flows
        ],
        trend=trend,
        slipping=slipping,
        slipping_total=sum(slipping_per_owner.values()),
        rows=rows,
    )
