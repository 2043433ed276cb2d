"""An account whose owner or grade changes takes what hangs off it along (its activities'
touches, won deals' revenue, plans' planned touches and its quarter rows: insight_sums).

Inside a push (records.VersionBlock) the moves wait: each account keeps the labels its
facts are counted under until `settle` (before the push's commit, and at each savepoint's
start and end) moves all of them in a few grouped queries, from each account's labels
before the push to its last ones. Until then a fact written for a moved account counts
under the old labels (`insight_sums.account_now`), so it moves with the others, once.
Outside a push an account moves at once."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sync_server.insight_models import AccountQuarterSum, AccountSum, PlanSum, TouchSum, WonSum
from sync_server.models import ActivityFact, OpportunityFact, PlanFact
from sync_server.services.insight_sums import (
    _HELD,
    _WON,
    Account,
    Contribution,
    Totals,
    _held,
    _plan_quarter,
    apply,
    prefetch_sums,
    quarter_of,
)

_DEFER = "sfa_insight_defer_moves"
_CHUNK = 500


def defer(session: Session) -> None:
    """Moves wait for `settle` from now on (a push's version block)."""
    session.info[_DEFER] = True


def drop(session: Session, *, stop: bool = False) -> None:
    """Forget the moves waiting (their writes were rolled back); `stop`: moves are no longer
    deferred."""
    held = session.info.get(_HELD)
    if held is not None:
        held.moves.clear()
    if stop:
        session.info.pop(_DEFER, None)


def account_changed(
    session: Session,
    account_id: str,
    before: Account,
    after: Account,
    totals: tuple[Totals, Totals],
) -> None:
    """An account was written (`before` from `account_now` ahead of the write, `after` None:
    deleted; `totals` from `account_totals` before and after): its own counts move now, what
    hangs off it follows its owner and grade (an account arriving after them takes them in)
    at once or, in a push, at `settle`."""
    old: Contribution = Counter()
    new: Contribution = Counter()
    for found, total in ((old, totals[0]), (new, totals[1])):
        if total is not None:
            found[(AccountSum, "accounts"), *total[:4]] += 1
            found[(AccountSum, "potential"), *total[:4]] += total[4]
    apply(session, old, new)
    held = _held(session)
    counted = held.moves[account_id][0] if account_id in held.moves else before
    held.accounts[account_id] = counted  # facts written until `settle` count under these
    held.moves[account_id] = (counted, after)
    if not session.info.get(_DEFER):
        settle(session)


def settle(session: Session) -> None:
    """Move what hangs off the accounts moved since the last settle, all together."""
    held = _held(session)
    moves = {a: (old, new) for a, (old, new) in held.moves.items() if old != new}
    held.moves.clear()
    if not moves:
        return
    _flush_if_pending(session, ActivityFact | OpportunityFact | PlanFact | AccountQuarterSum)
    old: Contribution = Counter()
    new: Contribution = Counter()
    with session.no_autoflush:  # nothing else it reads is pending
        for account_id, hung in _hung(session, moves).items():
            for found, account in zip((old, new), moves[account_id], strict=True):
                if account is not None:
                    for key, count in hung.items():
                        found[_relabel(key, account)] += count
        by_label: dict[Account, list[str]] = defaultdict(list)
        for account_id, (_, account) in moves.items():
            by_label[account].append(account_id)
            held.accounts[account_id] = account
        for account, ids in by_label.items():
            for chunk in _chunks(sorted(ids)):
                session.execute(
                    update(AccountQuarterSum)
                    .where(AccountQuarterSum.account_id.in_(chunk))
                    .values(
                        account_owner_id=account[0] if account else None,
                        grade=account[1] if account else None,
                    )
                )
        prefetch_sums(session, (key for key in old.keys() | new.keys() if old[key] != new[key]))
    apply(session, old, new)


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _flush_if_pending(session: Session, kinds: Any) -> None:
    """Flush when rows of `kinds` wait to be written (a query must see them); otherwise
    leave the push's other pending rows for its one flush before commit (autoflush wrote
    them again before every query: most of a 100-account push's time)."""
    with session.no_autoflush:
        pending = [*session.new, *session.dirty, *session.deleted]
    if any(isinstance(row, kinds) for row in pending):
        session.flush()


def _relabel(key: tuple[Any, ...], account: tuple[str, str]) -> tuple[Any, ...]:
    """A `_hung` key (table, org, quarter, account owner, grade, …) under `account`."""
    return (*key[:3], *account, *key[5:])


def _hung(session: Session, accounts: Iterable[str]) -> dict[str, Contribution]:
    """What each account's activities, won deals and plans add, under a blank owner and
    grade (`_relabel` puts them under the account's): three grouped queries per 500."""
    found: dict[str, Contribution] = defaultdict(Counter)
    act, opp, plan = ActivityFact, OpportunityFact, PlanFact
    for chunk in _chunks(sorted(accounts)):
        for account_id, org_id, owner, channel, day, count in session.execute(
            select(
                act.account_id, act.org_id, act.owner_id, act.channel, act.occurred_on, func.count()
            )
            .where(act.account_id.in_(chunk))
            .group_by(act.account_id, act.org_id, act.owner_id, act.channel, act.occurred_on)
        ):
            key: tuple[Any, ...] = (TouchSum, org_id, quarter_of(day), "", "", owner, channel)
            found[str(account_id)][key] += int(count)
        for account_id, org_id, owner, close, currency, amount in session.execute(
            select(
                opp.account_id,
                opp.org_id,
                opp.owner_id,
                opp.close_date,
                opp.currency,
                func.sum(opp.amount),
            )
            .where(opp.account_id.in_(chunk), opp.category == _WON)
            .group_by(opp.account_id, opp.org_id, opp.owner_id, opp.close_date, opp.currency)
        ):
            key = (WonSum, org_id, quarter_of(close), "", "", owner, currency)
            found[str(account_id)][key] += int(amount)
        lines = (plan.account_id, plan.org_id, plan.owner_id, plan.fiscal_year, plan.quarter)
        for account_id, org_id, owner, year, number, channel, planned in session.execute(
            select(*lines, plan.channel, func.sum(plan.planned))
            .where(plan.account_id.in_(chunk))
            .group_by(*lines, plan.channel)
        ):
            start = _plan_quarter(year, number)
            if start is not None:
                key = (PlanSum, org_id, start, "", "", owner, channel)
                found[str(account_id)][key] += int(planned or 0)
    return found
