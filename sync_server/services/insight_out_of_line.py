"""The whole organisation's out-of-line accounts (a top manager's coverage) from the
accounts' quarter summaries (insight_sums: cost and contacts by anyone, with the account's
owner and grade): the medians from counts per cost, the per-owner counts and the most out
of line in SQL, judged by the rule itself, without reading every account."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from math import ceil, floor

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.cost_to_serve import (
    NO_GRADE,
    OutOfLineVerdict,
    Served,
    judged,
    top_grades,
)
from sfa_desktop.core.rules.pipeline_health import middle_of_counts
from sync_server.insight_models import AccountQuarterSum
from sync_server.models import AccountFact
from sync_server.services.insight_common import View


def whole_organisation(
    session: Session,
    view: View,
    quarter: Period,
    accounts: Mapping[tuple[str, str], int],
    listed: int,
) -> tuple[list[OutOfLineVerdict], dict[str, int]]:
    """The `listed` most out of line of each kind (most out of line first) and how many
    are out of line per owner; `accounts`: the accounts per (owner, grade)."""
    aqs, top = AccountQuarterSum, list(top_grades())
    here = [
        aqs.org_id == view.org.id,
        aqs.quarter == quarter.start,
        aqs.account_owner_id.is_not(None),
    ]
    graded = {grade for _, grade in accounts if grade != NO_GRADE}
    top_median, low_median = _medians(session, here, accounts, top)
    # Costs are whole cents: integer bounds keep the index's cost order usable.
    per_owner: Counter[str] = Counter()
    over: list[Served] = []
    if top_median is not None:
        too_much = [*here, aqs.grade.in_(sorted(graded - set(top))), aqs.cost > floor(top_median)]
        for owner, count in session.execute(
            select(aqs.account_owner_id, func.count())
            .where(*too_much)
            .group_by(aqs.account_owner_id)
        ):
            per_owner[str(owner)] += int(count)
        over = _most(session, too_much, graded - set(top), listed, True)
    # Under-served: every top-grade account but those touched at or above the low median.
    for (owner, grade), count in accounts.items():
        if grade in top:
            per_owner[owner] += count
    enough = [aqs.touches > 0] + ([aqs.cost >= ceil(low_median)] if low_median is not None else [])
    for owner, count in session.execute(
        select(aqs.account_owner_id, func.count())
        .where(*here, aqs.grade.in_(top), *enough)
        .group_by(aqs.account_owner_id)
    ):
        per_owner[str(owner)] -= int(count)
    under = _untouched(session, view, quarter, top, listed)
    if len(under) < listed and low_median is not None:
        cheap = [*here, aqs.touches > 0, aqs.cost < ceil(low_median)]
        under += _most(session, cheap, graded & set(top), listed - len(under), False)
    verdicts = judged([*over, *under], top_median, low_median)
    return verdicts, {owner: count for owner, count in per_owner.items() if count}


def _medians(
    session: Session,
    here: list[ColumnElement[bool]],
    accounts: Mapping[tuple[str, str], int],
    top: list[str],
) -> tuple[float | None, float | None]:
    """The median cost of the top-grade accounts and of the other graded ones, from the
    accounts counted per cost (those without a summary row cost nothing)."""
    aqs = AccountQuarterSum
    costs: dict[bool, Counter[int]] = {True: Counter(), False: Counter()}
    for grade, cost, count in session.execute(
        select(aqs.grade, aqs.cost, func.count())
        .where(*here, aqs.grade != "")
        .group_by(aqs.grade, aqs.cost)
    ):
        costs[grade in top][int(cost)] += int(count)
    for is_top in (True, False):
        every = sum(n for (_, g), n in accounts.items() if g != NO_GRADE and (g in top) == is_top)
        costs[is_top][0] += every - sum(costs[is_top].values())
    return middle_of_counts(costs[True]), middle_of_counts(costs[False])


def _most(
    session: Session,
    where: list[ColumnElement[bool]],
    grades: set[str],
    limit: int,
    costliest: bool,
) -> list[Served]:
    """The `limit` costliest (or cheapest) accounts of `grades` meeting `where`, ties by
    account id (the same way round): one ordered index scan per grade."""
    aqs = AccountQuarterSum
    order = [aqs.cost.desc(), aqs.account_id.desc()] if costliest else [aqs.cost, aqs.account_id]
    found = []
    for grade in sorted(grades):
        rows = session.execute(
            select(aqs.account_id, aqs.grade, aqs.cost, aqs.touches)
            .where(*where, aqs.grade == grade)
            .order_by(*order)
            .limit(limit)
        )
        found += [Served(a, g or NO_GRADE, int(c), int(t)) for a, g, c, t in rows]
    found.sort(key=lambda s: (s.cost, s.account_id), reverse=costliest)
    return found[:limit]


def _untouched(
    session: Session, view: View, quarter: Period, top: list[str], limit: int
) -> list[Served]:
    """Top-grade accounts with no contact in the quarter (the first `limit` by id)."""
    acc, aqs = AccountFact, AccountQuarterSum
    touched = exists().where(  # the rows' org and grade: an index range, not the table
        aqs.account_id == acc.id,
        aqs.org_id == view.org.id,
        aqs.quarter == quarter.start,
        aqs.grade.in_(top),
        aqs.touches > 0,
    )
    # Materialised: all of them (few) by a hash anti join on the index, then ordered; the
    # planner otherwise merges both tables in id order to stop at `limit`.
    untouched = (
        select(acc.id, acc.grade)
        .where(acc.org_id == view.org.id, acc.grade.in_(top), ~touched)
        .cte("untouched")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    rows = session.execute(
        select(untouched.c.id, untouched.c.grade).order_by(untouched.c.id).limit(limit)
    )
    return [Served(account_id, grade or NO_GRADE, 0, 0) for account_id, grade in rows]
