"""Weekly forecast snapshots (each person's figures and every deal of the period) and what
they show: a person's trend and the deals that moved since."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sfa_desktop.core.entities.base import utcnow
from sfa_desktop.core.enums import EntityKind, ForecastCategory, Stage
from sfa_desktop.core.forecast_wire import (
    CategoryAmounts,
    DealMove,
    ForecastHistory,
    MoveList,
    SnapshotPoint,
)
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.core.rules.currency import RateTable
from sync_server.models import (
    DealSnapshot,
    ForecastSnapshot,
    OpportunityFact,
    Org,
    Record,
    SnapshotRun,
    User,
)
from sync_server.services.currency import rate_table
from sync_server.services.forecast import Hierarchy, build_tree, parse_period
from sync_server.services.forecast_inputs import Inputs, load_inputs
from sync_server.services.insight_projection import store_projections

MOVES_SINCE = timedelta(days=6)  # "since last week": the latest snapshot at least this old
_CLOSED_STAGES = {Stage.CLOSED_WON.value, Stage.CLOSED_LOST.value}


def take_snapshots(session: Session, now: datetime) -> int:
    """Record, for the current month and quarter, every person's figures as they see them
    (deals' sum, their own adjustments of their team, their call, the projection) and every
    deal of the period as it stands; amounts in each organisation's corporate currency."""
    count = 0
    for org in session.scalars(select(Org)):
        people = Hierarchy.load(session, org.id)
        rates = rate_table(session, org)
        for kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
            period = Period.containing(now.date(), kind)
            inputs = load_inputs(
                session, org.id, set(people.by_id), period, org.currency, rates, people.names()
            )
            count += add_person_snapshots(session, org, people, period, inputs, now)
            for deal in current_deals(session, org.id, period):
                session.add(DealSnapshot(org_id=org.id, period=str(period), taken_at=now, **deal))
            store_projections(session, org, people, period, now)
    session.commit()
    return count


def add_person_snapshots(
    session: Session, org: Org, people: Hierarchy, period: Period, inputs: Inputs, now: datetime
) -> int:
    """Everyone's snapshot row of `period` at `now` from `inputs`; how many were added."""
    for user_id in people.by_id:
        node = build_tree(people, user_id, inputs, now)
        call = node.submission
        own_currency = call is not None and call.currency == org.currency
        session.add(
            ForecastSnapshot(
                org_id=org.id,
                user_id=user_id,
                period=str(period),
                taken_at=now,
                quota=node.measured_quota,  # what attainment is against
                **node.adjusted.model_dump(),
                **{f"total_{k}": v for k, v in node.totals.model_dump().items()},
                submitted_commit=call.commit if call and own_currency else None,
                submitted_best_case=call.best_case if call and own_currency else None,
            )
        )
    return len(people.by_id)


def current_deals(session: Session, org_id: str, period: Period) -> list[dict[str, Any]]:
    """Every live deal closing in the period: the columns a deal snapshot keeps."""
    rows = session.execute(
        select(Record.id, Record.owner_id, Record.data, OpportunityFact.category)
        .join(OpportunityFact, OpportunityFact.id == Record.id)
        .where(
            OpportunityFact.org_id == org_id,
            OpportunityFact.close_date >= period.start,
            OpportunityFact.close_date < period.end,
            Record.entity == EntityKind.OPPORTUNITY.value,
            Record.deleted.is_(False),
        )
    )
    return [
        {
            "opportunity_id": record_id,
            "owner_id": owner_id,
            "name": data["name"],
            "stage": data["stage"],
            "category": category,
            "amount": int(data["amount"]),
            "currency": data.get("currency", "EUR"),
            "close_date": date.fromisoformat(data["close_date"][:10]),
        }
        for record_id, owner_id, data, category in rows
    ]


def snapshot_job(sessions: sessionmaker[Session]) -> None:
    """The scheduler's weekly job: the first process to claim the week takes the snapshot
    (several server processes may each run the scheduler)."""
    now = utcnow()
    year, week, _ = now.isocalendar()
    with sessions() as session:
        try:
            session.add(SnapshotRun(week=f"{year}-W{week:02d}", taken_at=now))
            session.commit()
        except IntegrityError:
            return
        take_snapshots(session, now)


def history(session: Session, subject: User, period_text: str) -> ForecastHistory:
    period = parse_period(period_text)
    rows = session.scalars(
        select(ForecastSnapshot)
        .where(ForecastSnapshot.user_id == subject.id, ForecastSnapshot.period == str(period))
        .order_by(ForecastSnapshot.taken_at)
    )
    points = [
        SnapshotPoint(
            taken_at=row.taken_at,
            quota=row.quota,
            adjusted=CategoryAmounts(
                closed=row.closed,
                commit=row.commit,
                best_case=row.best_case,
                pipeline=row.pipeline,
                omitted=row.omitted,
            ),
            totals=None
            if row.total_closed is None
            else CategoryAmounts(
                closed=row.total_closed,
                commit=row.total_commit or 0,
                best_case=row.total_best_case or 0,
                pipeline=row.total_pipeline or 0,
                omitted=row.total_omitted or 0,
            ),
            submitted_commit=row.submitted_commit,
            submitted_best_case=row.submitted_best_case,
        )
        for row in rows
    ]
    return ForecastHistory(user_id=subject.id, period=str(period), points=points)


def moves(
    session: Session, subject: User, period_text: str, currency: str | None, now: datetime
) -> MoveList:
    """The deals of `subject`'s subtree that moved in the period since the latest snapshot
    at least six days old (or the first one): in, out, won, lost, stage, category, amount,
    slipped or pulled in. Amount changes are in `currency` (default: corporate)."""
    period = parse_period(period_text)
    org = session.get(Org, subject.org_id)
    assert org is not None
    view = currency or org.currency
    people = Hierarchy.load(session, subject.org_id)
    owners = people.subtree(subject.id)
    since = _snapshot_time(session, org.id, period, now)
    if since is None:
        return MoveList(period=str(period), currency=view, since=None, moves=[])
    before = {
        row.opportunity_id: row
        for row in session.scalars(
            select(DealSnapshot).where(
                DealSnapshot.org_id == org.id,
                DealSnapshot.period == str(period),
                DealSnapshot.taken_at == since,
            )
        )
        if row.owner_id in owners
    }
    after = {
        deal["opportunity_id"]: deal
        for deal in current_deals(session, org.id, period)
        if deal["owner_id"] in owners
    }
    names = people.names()
    rates = rate_table(session, org)
    found: list[DealMove] = []
    for deal_id, deal in after.items():
        old = before.get(deal_id)
        found.extend(_changes(old, deal, names, rates, view))
    gone = [deal_id for deal_id in before if deal_id not in after]
    now_rows = _records(session, gone)
    for deal_id in gone:
        found.append(_out(before[deal_id], now_rows.get(deal_id), period, names, rates, view))
    found.sort(key=lambda m: (m.owner_name, m.name, m.kind))
    return MoveList(period=str(period), currency=view, since=since, moves=found)


def _snapshot_time(session: Session, org_id: str, period: Period, now: datetime) -> Any:
    taken = select(func.max(DealSnapshot.taken_at)).where(
        DealSnapshot.org_id == org_id, DealSnapshot.period == str(period)
    )
    week_old = session.scalar(taken.where(DealSnapshot.taken_at <= now - MOVES_SINCE))
    if week_old is not None:
        return week_old
    return session.scalar(
        select(func.min(DealSnapshot.taken_at)).where(
            DealSnapshot.org_id == org_id,
            DealSnapshot.period == str(period),
            DealSnapshot.taken_at <= now,
        )
    )


def _records(session: Session, ids: list[str]) -> dict[str, Record]:
    if not ids:
        return {}
    rows = session.scalars(
        select(Record).where(
            Record.entity == EntityKind.OPPORTUNITY.value, Record.id.in_(sorted(ids))
        )
    )
    return {row.id: row for row in rows}


def _money(amount: int, currency: str) -> str:
    return f"{currency} {amount / 100:,.2f}"


def _value(rates: RateTable, amount: int, currency: str, day: Any, view: str) -> int:
    converted = rates.convert(amount, currency, view, day)
    return 0 if converted is None else converted


def _open_value(category: str, value: int) -> int:
    """What a deal adds to the open pipeline (closed and omitted deals add nothing)."""
    return (
        0 if category in (ForecastCategory.CLOSED.value, ForecastCategory.OMITTED.value) else value
    )


def _changes(
    old: DealSnapshot | None,
    deal: dict[str, Any],
    names: dict[str, str],
    rates: RateTable,
    view: str,
) -> list[DealMove]:
    owner = deal["owner_id"]
    value = _value(rates, deal["amount"], deal["currency"], deal["close_date"], view)

    def move(kind: str, before: str, after: str, change: int = 0) -> DealMove:
        return DealMove(
            opportunity_id=deal["opportunity_id"],
            name=deal["name"],
            owner_id=owner,
            owner_name=names.get(owner, owner),
            kind=kind,
            before=before,
            after=after,
            amount_change=change,
        )

    stage_label = Stage(deal["stage"]).label
    if old is None:
        after = f"{stage_label}, {_money(deal['amount'], deal['currency'])}, {deal['close_date']}"
        return [move("in", "", after, _open_value(deal["category"], value))]
    old_value = _value(rates, old.amount, old.currency, old.close_date, view)
    moves: list[DealMove] = []
    if old.stage != deal["stage"]:
        kind = {Stage.CLOSED_WON.value: "won", Stage.CLOSED_LOST.value: "lost"}.get(
            deal["stage"], "stage"
        )
        change = _open_value(deal["category"], value) - _open_value(old.category, old_value)
        moves.append(move(kind, Stage(old.stage).label, stage_label, change))
    elif old.category != deal["category"]:
        moves.append(move("category", old.category, deal["category"]))
    if old.amount != deal["amount"] or old.currency != deal["currency"]:
        change = value - old_value if deal["stage"] not in _CLOSED_STAGES else 0
        moves.append(
            move(
                "amount",
                _money(old.amount, old.currency),
                _money(deal["amount"], deal["currency"]),
                change,
            )
        )
    if old.close_date != deal["close_date"]:
        kind = "slipped" if deal["close_date"] > old.close_date else "pulled in"
        moves.append(move(kind, str(old.close_date), str(deal["close_date"])))
    return moves


def _out(
    old: DealSnapshot,
    row: Record | None,
    period: Period,
    names: dict[str, str],
    rates: RateTable,
    view: str,
) -> DealMove:
    """A deal of the snapshot no longer in the period (or no longer in this subtree)."""
    if row is None or row.deleted:
        after = "deleted"
    elif row.data.get("close_date", "") >= str(period.end):
        after = f"slipped out: closes {row.data['close_date']}"
    elif row.data.get("close_date", "") < str(period.start):
        after = f"pulled out: closes {row.data['close_date']}"
    else:
        after = f"moved to {names.get(row.owner_id, 'someone outside this team')}"
    old_value = _value(rates, old.amount, old.currency, old.close_date, view)
    return DealMove(
        opportunity_id=old.opportunity_id,
        name=old.name,
        owner_id=old.owner_id,
        owner_name=names.get(old.owner_id, old.owner_id),
        kind="out",
        before=f"{Stage(old.stage).label}, {_money(old.amount, old.currency)}, {old.close_date}",
        after=after,
        amount_change=-_open_value(old.category, old_value),
    )
