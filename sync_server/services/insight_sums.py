"""Insight summaries kept by the one write path (migration 0008), so the views never rescan
closed quarters: closed deals per (owner, quarter closed, stage mask, won) and their stays
per (stage, whole days); activities per (quarter, account owner and grade, activity owner,
channel).

Each write works out what the records it touches contribute before and after it, from the
facts, and adds the difference, so a summary equals a sum over the facts whatever order
writes come in: an edited, reassigned, deleted or late record moves its own counts, and an
account whose grade or owner changes moves its activities' counts (insight_moves)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import inspect, select, tuple_
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import (
    CONTACT_CHANNELS,
    DEFAULT_CHANNEL_COST,
    OPEN_STAGES,
    ForecastCategory,
    Stage,
)
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.core.rules.pipeline_health import stage_mask
from sync_server.insight_models import (
    AccountQuarterSum,
    AccountSum,
    DealFlowSum,
    PlanSum,
    StaySum,
    TouchSum,
    WonSum,
)
from sync_server.models import AccountFact, ActivityFact, OpportunityFact, PlanFact, StageFact

_HELD = "sfa_insight_sums"
_CLOSED = (Stage.CLOSED_WON.value, Stage.CLOSED_LOST.value)
_OPEN = frozenset(s.value for s in OPEN_STAGES)
_COUNT = {
    DealFlowSum: "deals",
    StaySum: "stays",
    TouchSum: "touches",
    WonSum: "amount",
    PlanSum: "planned",
}
_ZERO = {AccountSum: {"accounts": 0, "potential": 0}}
_WON = ForecastCategory.CLOSED.value
_DAY = timedelta(days=1)
_CONTACT = {channel.value: channel for channel in CONTACT_CHANNELS}

# (summary model or (model, column), *its primary key) -> amount to add
Contribution = Counter[tuple[Any, ...]]
Account = tuple[str, str] | None  # (owner, grade or '') of an existing account


def quarter_of(day: date) -> date:
    return Period.containing(day, PeriodKind.QUARTER).start


class _Held:
    """What this transaction (or savepoint) has read or written: summary rows by key,
    accounts' (owner, grade) as their facts are counted, and the accounts whose moves wait
    (insight_moves: labels counted under, latest labels). A savepoint's start and end
    flush, so a new scope reads afresh."""

    def __init__(self, scope: tuple[Any, Any]) -> None:
        self.scope = scope
        self.rows: dict[tuple[Any, ...], Any] = {}
        self.accounts: dict[str, Account] = {}
        self.moves: dict[str, tuple[Account, Account]] = {}
        self.facts: list[AccountFact | None] = []


def _held(session: Session) -> _Held:
    scope = (session.get_transaction(), session.get_nested_transaction())
    held: _Held | None = session.info.get(_HELD)
    if held is None or held.scope[0] is not scope[0] or held.scope[1] is not scope[1]:
        if held is not None and held.moves:
            raise RuntimeError("account moves left waiting past their transaction or savepoint")
        held = _Held(scope)
        session.info[_HELD] = held
    return held


def _target(key: tuple[Any, ...]) -> tuple[Any, str]:
    """A contribution key's (model, column)."""
    target = key[0]
    return target if isinstance(target, tuple) else (target, _COUNT[target])


def _new_row(session: Session, model: Any, identity: tuple[Any, ...], **columns: Any) -> Any:
    names = [c.key for c in inspect(model).primary_key]
    row = model(**dict(zip(names, identity, strict=True)), **columns)
    session.add(row)
    return row


def _row(session: Session, key: tuple[Any, ...], **columns: Any) -> Any:
    """The summary row of `key` (model, *primary key), made with `columns` if new."""
    held = _held(session)
    row = held.rows.get(key)
    model, identity = key[0], key[1:]
    if row is None:
        with session.no_autoflush:  # what this scope changed is held: the rest is stored
            row = session.get(model, identity, populate_existing=True)
        if row is None:
            row = _new_row(session, model, identity, **columns)
        held.rows[key] = row
    return row


def prefetch_sums(session: Session, keys: Iterable[tuple[Any, ...]]) -> None:
    """Read (or make) the summary rows of these contribution keys in one query per table
    and 500 rows, so `apply` asks the database nothing more for them."""
    held = _held(session)
    wanted: dict[Any, dict[tuple[Any, ...], str]] = {}
    for key in keys:
        model, column = _target(key)
        if (model, *key[1:]) not in held.rows:
            wanted.setdefault(model, {})[key[1:]] = column
    for model, identities in wanted.items():
        columns = inspect(model).primary_key
        ordered = list(identities)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            statement = select(model).where(tuple_(*columns).in_(chunk))
            with session.no_autoflush:
                for row in session.scalars(statement.execution_options(populate_existing=True)):
                    held.rows[(model, *inspect(row).identity)] = row
        for identity, column in identities.items():
            if (model, *identity) not in held.rows:
                zero = _ZERO.get(model, {column: 0})
                held.rows[(model, *identity)] = _new_row(session, model, identity, **zero)


def _add(session: Session, key: tuple[Any, ...], amount: int) -> None:
    model, column = _target(key)
    row = _row(session, (model, *key[1:]), **_ZERO.get(model, {column: 0}))
    setattr(row, column, getattr(row, column) + amount)


def apply(session: Session, before: Contribution, after: Contribution) -> None:
    """Add `after` - `before` to the summaries."""
    for key in before.keys() | after.keys():
        amount = after.get(key, 0) - before.get(key, 0)
        if amount:
            _add(session, key, amount)


# Closed deals: stage mask, won and stays, from the deal's fact and its stage changes.


def deal_contribution(session: Session, deal_id: str) -> Contribution:
    """What the deal adds to the summaries as its facts stand: won revenue if its category
    is closed (on an existing account); to the pipeline's only if its stage is closed, its
    stage mask and stays only if it has stage changes (as the views count)."""
    found: Contribution = Counter()
    opp = OpportunityFact
    fact = session.execute(
        select(
            opp.org_id,
            opp.owner_id,
            opp.close_date,
            opp.stage,
            opp.category,
            opp.amount,
            opp.currency,
            opp.account_id,
        ).where(opp.id == deal_id)
    ).first()
    if fact is None:
        return found
    if fact.category == _WON and fact.account_id is not None:
        account = account_now(session, fact.account_id)
        if account is not None:
            key = (fact.org_id, quarter_of(fact.close_date), *account, fact.owner_id)
            found[WonSum, *key, fact.currency] += int(fact.amount)
    if fact.stage not in _CLOSED:
        return found
    changes = session.execute(
        select(StageFact.to_stage, StageFact.changed_at, StageFact.left_at).where(
            StageFact.opportunity_id == deal_id
        )
    ).all()
    org, owner, quarter = fact.org_id, fact.owner_id, quarter_of(fact.close_date)
    if not changes:
        found[DealFlowSum, org, quarter, owner, fact.stage, -1, 0] += 1  # won or lost only
        return found
    mask = stage_mask(Stage(c.to_stage) for c in changes if c.to_stage in _OPEN)
    won = int(any(c.to_stage == Stage.CLOSED_WON.value for c in changes))
    found[DealFlowSum, org, quarter, owner, fact.stage, mask, won] += 1
    for stage, changed_at, left_at in changes:
        if left_at is not None and stage in _OPEN:
            found[StaySum, org, quarter, owner, stage, (left_at - changed_at) // _DAY] += 1
    return found


@contextmanager
def deals_kept(session: Session, deal_ids: Iterable[str]) -> Iterator[None]:
    """Around a write to these deals' facts or stage changes: move their counts."""
    deals = sorted(set(deal_ids))
    before = sum((deal_contribution(session, d) for d in deals), Counter())
    yield
    after = sum((deal_contribution(session, d) for d in deals), Counter())
    apply(session, before, after)


# Touches: each activity counts under its account's owner and grade as they are now.


def account_now(session: Session, account_id: str) -> Account:
    """The account's (owner, grade) as what hangs off it is counted now: in a push, an
    account moved in it keeps its earlier labels until insight_moves.settle."""
    held = _held(session)
    if account_id not in held.accounts:
        with session.no_autoflush:  # accounts written in this scope are held
            fact = session.get(AccountFact, account_id, populate_existing=True)
        held.accounts[account_id] = None if fact is None else (fact.owner_id, fact.grade or "")
        held.facts.append(fact)  # stays in the identity map: the write's own get asks nothing
    return held.accounts[account_id]


def prefetch_accounts(session: Session, account_ids: Iterable[str]) -> None:
    """Read these accounts' (owner, grade) in one query per 500 (a push's), for
    `account_now`; call before writing to them."""
    held = _held(session)
    wanted = sorted(set(account_ids) - held.accounts.keys())
    for start in range(0, len(wanted), 500):
        statement = select(AccountFact).where(AccountFact.id.in_(wanted[start : start + 500]))
        with session.no_autoflush:
            facts = session.scalars(statement.execution_options(populate_existing=True)).all()
        for fact in facts:
            held.accounts[fact.id] = (fact.owner_id, fact.grade or "")
        held.facts += facts
    for account_id in wanted:
        held.accounts.setdefault(account_id, None)


def activity_contribution(
    session: Session, org_id: str, owner: str, account_id: str | None, channel: str, day: date
) -> Contribution:
    found: Contribution = Counter()
    account = account_now(session, account_id) if account_id is not None else None
    if account is not None:
        found[TouchSum, org_id, quarter_of(day), account[0], account[1], owner, channel] += 1
    return found


def activity_of(fact: ActivityFact | None) -> tuple[str, str, str | None, str, date] | None:
    """An activity fact's (org, owner, account, channel, day), before it is changed."""
    if fact is None:
        return None
    return (fact.org_id, fact.owner_id, fact.account_id, fact.channel, fact.occurred_on)


def activity_moved(
    session: Session,
    before: tuple[str, str, str | None, str, date] | None,
    after: tuple[str, str, str | None, str, date] | None,
) -> None:
    """An activity was written (`None`: absent): move its count."""
    if before == after:
        return
    old = activity_contribution(session, *before) if before else Counter()
    new = activity_contribution(session, *after) if after else Counter()
    apply(session, old, new)
    if before is not None:
        _account_cost(session, before[0], before[2], before[3], before[4], -1)
    if after is not None:
        _account_cost(session, after[0], after[2], after[3], after[4], 1)


def _account_cost(
    session: Session, org_id: str, account_id: str | None, channel: str, day: date, sign: int
) -> None:
    """Add (sign 1) or take away (-1) one activity from its account's quarter."""
    if account_id is None:
        return
    account = account_now(session, account_id)
    row = _row(
        session,
        (AccountQuarterSum, account_id, quarter_of(day)),
        org_id=org_id,
        account_owner_id=account[0] if account else None,
        grade=account[1] if account else None,
        cost=0,
        touches=0,
    )
    contact = _CONTACT.get(channel)
    if contact is not None:
        row.cost += sign * DEFAULT_CHANNEL_COST[contact]
        row.touches += sign


Totals = tuple[str, str, str, str, int] | None  # (org, owner, grade, currency, potential)


def account_totals(fact: AccountFact | None) -> Totals:
    """What an account fact adds to the account summaries, before or after a write."""
    if fact is None:
        return None
    return (fact.org_id, fact.owner_id, fact.grade or "", fact.currency, int(fact.potential))


# Planned touches: each plan's lines count under its account's owner and grade.


def _plan_quarter(year: int, number: int) -> date | None:
    return date(year, 3 * number - 2, 1) if 1 <= number <= 4 else None


def plan_contribution(session: Session, plan_id: str) -> Contribution:
    found: Contribution = Counter()
    plan = PlanFact
    for org_id, owner, account_id, year, number, channel, planned in session.execute(
        select(
            plan.org_id,
            plan.owner_id,
            plan.account_id,
            plan.fiscal_year,
            plan.quarter,
            plan.channel,
            plan.planned,
        ).where(plan.plan_id == plan_id)
    ):
        account, start = account_now(session, account_id), _plan_quarter(year, number)
        if account is not None and start is not None:
            found[PlanSum, org_id, start, *account, owner, channel] += int(planned)
    return found


@contextmanager
def plan_kept(session: Session, plan_id: str) -> Iterator[None]:
    """Around a write to the plan's facts: move its planned touches."""
    before = plan_contribution(session, plan_id)
    yield
    apply(session, before, plan_contribution(session, plan_id))
