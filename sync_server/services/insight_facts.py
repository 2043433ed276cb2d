"""The insight views' facts, kept by the one write path: accounts (owner, grade,
potential), activities (owner, account, channel, day), stage changes (deal, stage, when
entered, when left) and account plans' planned touches (per quarter and channel)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, inspect, select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Account, AccountPlan, Activity, StageChange
from sfa_desktop.core.entities import Record as CoreRecord
from sync_server.models import AccountFact, ActivityFact, PlanFact, StageFact
from sync_server.services import insight_sums as sums
from sync_server.services.insight_moves import account_changed

_FACT_OF: dict[type[CoreRecord], type[Any]] = {
    Account: AccountFact,
    Activity: ActivityFact,
    StageChange: StageFact,
}


def _columns(record: CoreRecord, owner_id: str) -> dict[str, Any]:
    if isinstance(record, Account):
        return {
            "owner_id": owner_id,
            "name": record.name,
            "grade": record.grade,
            "potential": record.potential_revenue,
            "currency": record.currency,
        }
    if isinstance(record, Activity):
        return {
            "owner_id": owner_id,
            "account_id": record.account_id,
            "channel": record.channel.value,
            "occurred_on": record.occurred_at.date(),
        }
    assert isinstance(record, StageChange)
    return {
        "opportunity_id": record.opportunity_id,
        "to_stage": record.to_stage.value,
        "changed_at": record.changed_at,
    }


def save_insight_fact(
    session: Session, org_id: str, record: CoreRecord, owner_id: str, deleted: bool, new: bool
) -> None:
    """Mirror `record` into its fact table (nothing for other kinds) and keep the summaries
    (insight_sums) in step; `new` saves a lookup."""
    if isinstance(record, AccountPlan):
        _save_plan(session, org_id, record, owner_id, deleted, new)
        return
    model = _FACT_OF.get(type(record))
    if model is None:
        return
    account_before = None
    if isinstance(record, Account) and not new:
        account_before = sums.account_now(session, record.id)
    fact = None if new else _stored_fact(session, model, record.id)
    totals_before = sums.account_totals(fact) if isinstance(record, Account) else None
    if isinstance(record, StageChange):
        deals = {record.opportunity_id, getattr(fact, "opportunity_id", record.opportunity_id)}
        with sums.deals_kept(session, deals):
            _save_fact(session, org_id, record, owner_id, deleted, model, fact)
        return
    activity_before = sums.activity_of(fact) if isinstance(record, Activity) else None
    fact = _save_fact(session, org_id, record, owner_id, deleted, model, fact)
    _remember(session, model, record.id, fact)
    if isinstance(record, Activity):
        sums.activity_moved(session, activity_before, sums.activity_of(fact))
    elif isinstance(record, Account):
        after = None if fact is None else (fact.owner_id, fact.grade or "")
        totals = (totals_before, sums.account_totals(fact))
        account_changed(session, record.id, account_before, after, totals)


# The facts a push has read or written, by (model, id): a lookup of one then asks neither
# the database nor autoflush (which wrote every pending row again before each get: ~1 ms
# per record, most of a 100-account push). Kept for one push (records.end_prefetch).
FACT_CACHE = "sfa_insight_fact_cache"


def _stored_fact(session: Session, model: type[Any], record_id: str) -> Any:
    cache: dict[tuple[type[Any], str], Any] | None = session.info.get(FACT_CACHE)
    if cache is None:
        return session.get(model, record_id)
    key = (model, record_id)
    if key not in cache:
        with session.no_autoflush:  # a fact written in this push is in the cache
            cache[key] = session.get(model, record_id)
    return cache[key]


def _remember(session: Session, model: type[Any], record_id: str, fact: Any) -> None:
    cache: dict[tuple[type[Any], str], Any] | None = session.info.get(FACT_CACHE)
    if cache is None:
        return
    if fact is None:
        session.flush()  # a deleted fact is gone before the same id is written again
    cache[(model, record_id)] = fact


def _save_fact(
    session: Session,
    org_id: str,
    record: CoreRecord,
    owner_id: str,
    deleted: bool,
    model: type[Any],
    fact: Any,
) -> Any:
    """Write the fact (`fact`: the stored one, if any); the fact as it now stands."""
    if deleted:
        if fact is not None and inspect(fact).pending:
            session.expunge(fact)  # made earlier in this push and not flushed yet
        elif fact is not None:
            session.delete(fact)
            if isinstance(record, StageChange):
                _mark_left(session, fact.opportunity_id)
        return None
    moved_from = getattr(fact, "opportunity_id", None)
    if fact is None:
        fact = model(id=record.id, org_id=org_id)
        session.add(fact)
    for name, value in _columns(record, owner_id).items():
        setattr(fact, name, value)
    if isinstance(record, StageChange):
        _mark_left(session, record.opportunity_id)
        if moved_from is not None and moved_from != record.opportunity_id:
            _mark_left(session, moved_from)
    return fact


def _mark_left(session: Session, opportunity_id: str) -> None:
    """Each of the deal's stage changes left its stage at the first later change (the last
    has not left), as migration 0006 back-fills it."""
    session.flush()
    facts = session.scalars(
        select(StageFact).where(StageFact.opportunity_id == opportunity_id)
    ).all()
    for fact in facts:
        later = [f.changed_at for f in facts if f.changed_at > fact.changed_at]
        left = min(later) if later else None
        if fact.left_at != left:
            fact.left_at = left


def _save_plan(
    session: Session, org_id: str, plan: AccountPlan, owner_id: str, deleted: bool, new: bool
) -> None:
    with sums.plan_kept(session, plan.id):
        _save_plan_facts(session, org_id, plan, owner_id, deleted, new)


def _save_plan_facts(
    session: Session, org_id: str, plan: AccountPlan, owner_id: str, deleted: bool, new: bool
) -> None:
    if not new:
        session.execute(delete(PlanFact).where(PlanFact.plan_id == plan.id))
    if deleted:
        return
    for line in plan.coverage:
        session.add(
            PlanFact(
                plan_id=plan.id,
                quarter=line.quarter,
                channel=line.channel.value,
                org_id=org_id,
                owner_id=owner_id,
                account_id=plan.account_id,
                fiscal_year=plan.fiscal_year,
                planned=line.planned,
            )
        )
