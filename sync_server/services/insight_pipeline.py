"""View 4: pipeline health of a person's subtree. Stage flow and days in stage from the deals
closed in the last four quarters (counted in SQL, read by core.rules.pipeline_health), the
win rate quarter by quarter, open deals whose close date was pushed later more than once,
and each row's open pipeline against what is left of the quota this quarter (the forecast's
own rollup, so the figures match the forecast page)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, case, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import OPEN_STAGES, EntityKind, ForecastCategory, Role, Stage
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
from sync_server.db import is_postgres
from sync_server.models import AccountFact, OpportunityFact, Record, StageFact, User
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


def _closed_deals(view: View, window: list[Period]) -> Any:
    """The subtree's deals closed (won or lost) in the window, as a subquery of ids."""
    fact = OpportunityFact
    return (
        select(fact.id)
        .where(
            fact.org_id == view.org.id,
            fact.close_date >= window[0].start,
            fact.close_date < window[-1].end,
            fact.stage.in_([_WON, _LOST]),
            *view.owner_filter(fact.owner_id),
        )
        .scalar_subquery()
    )


def _stage_figures(
    session: Session, view: View, window: list[Period]
) -> tuple[list[tuple[int, bool, int]], dict[Stage, dict[int, int]]]:
    """Over the window's closed deals, in one pass over their stage changes: (stage mask,
    won, deals), and the whole days of each completed stay in an open stage counted per
    stage (a stay ends when the deal's next stage change came: `left_at`, kept on write)."""
    stage = StageFact
    if is_postgres(session):
        seconds = func.extract("epoch", stage.left_at - stage.changed_at)
        days: Any = cast(func.floor(seconds / 86400), Integer)
    else:
        days = cast(func.julianday(stage.left_at) - func.julianday(stage.changed_at), Integer)
    stays = (
        select(
            stage.opportunity_id.label("deal"), stage.to_stage.label("stage"), days.label("days")
        )
        .where(stage.opportunity_id.in_(_closed_deals(view, window)))
        .cte("stays")
    )
    bits = sum(
        (
            func.max(case((stays.c.stage == s.value, 1 << i), else_=0))
            for i, s in enumerate(OPEN_STAGES)
        ),
        start=literal(0),
    )
    won = func.max(case((stays.c.stage == _WON, 1), else_=0))
    per_deal = select(bits.label("mask"), won.label("won")).group_by(stays.c.deal).subquery()
    none_int, none_text = cast(None, Integer), cast(None, String)
    groups = select(
        literal("g"), per_deal.c.mask, per_deal.c.won, none_text, none_int, func.count()
    ).group_by(per_deal.c.mask, per_deal.c.won)
    spans = (
        select(literal("d"), none_int, none_int, stays.c.stage, stays.c.days, func.count())
        .where(stays.c.days.is_not(None), stays.c.stage.in_([s.value for s in OPEN_STAGES]))
        .group_by(stays.c.stage, stays.c.days)
    )
    found: list[tuple[int, bool, int]] = []
    spent: dict[Stage, dict[int, int]] = defaultdict(dict)
    for kind, mask, was_won, stage_name, whole_days, count in session.execute(
        union_all(groups, spans)
    ):
        if kind == "g":
            found.append((int(mask), bool(was_won), int(count)))
        else:
            spent[Stage(stage_name)][int(whole_days)] = int(count)
    return found, spent


def _outcomes(
    session: Session, view: View, window: list[Period]
) -> dict[tuple[int, str], tuple[int, int]]:
    """(won, lost) deals per (quarter's index in the window, owner), in one query."""
    fact = OpportunityFact
    quarter = case(
        *((fact.close_date >= q.start, index) for index, q in reversed(list(enumerate(window)))),
        else_=0,
    )
    rows = session.execute(
        select(quarter, fact.owner_id, fact.stage, func.count())
        .where(
            fact.org_id == view.org.id,
            fact.close_date >= window[0].start,
            fact.close_date < window[-1].end,
            fact.stage.in_([_WON, _LOST]),
            *view.owner_filter(fact.owner_id),
        )
        .group_by(quarter, fact.owner_id, fact.stage)
    )
    found: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for index, owner, stage_name, count in rows:
        found[int(index), owner][0 if stage_name == _WON else 1] += int(count)
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
