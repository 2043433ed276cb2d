"""Forecast rollups: SQL sums per owner and category, rolled up the hierarchy in memory."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import EntityKind, ForecastCategory, Role
from sfa_desktop.core.forecast_wire import (
    AdjustmentInfo,
    CategoryAmounts,
    ForecastNode,
    ForecastReport,
    SubmissionInfo,
)
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.forecast import (
    PeriodQuota,
    attainment,
    attainment_quota,
    period_quota,
)
from sync_server.errors import BadRequestError, ForbiddenError, NotFoundError
from sync_server.models import OpportunityFact, Record, User
from sync_server.services.scope import load_scope
from sync_server.services.text import require_storable


def parse_period(text: str) -> Period:
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise BadRequestError(str(exc)) from None
    try:
        period.end  # noqa: B018 - reports need the period's end, past 9999 there is none
    except (ValueError, OverflowError):
        detail = f"period {period} is out of range: it ends after 9999-12-31"
        raise BadRequestError(detail) from None
    return period


def subject_for(session: Session, viewer: User, user_id: str | None) -> User:
    """The user whose forecast `viewer` asks for: themselves, a report, or anyone for admins."""
    if user_id is None or user_id == viewer.id:
        return viewer
    require_storable(user_id=user_id)
    subject = session.get(User, user_id)
    if subject is None or subject.org_id != viewer.org_id:
        raise NotFoundError(f"user {user_id} does not exist")
    if viewer.role != Role.ADMIN.value and user_id not in load_scope(session, viewer).reports:
        raise ForbiddenError("you can only see the forecasts of yourself and your reports")
    return subject


_CATEGORIES = [category.value for category in ForecastCategory]
_INDEX = {value: i for i, value in enumerate(_CATEGORIES)}
_ZERO = (0,) * len(_CATEGORIES)
Amounts = tuple[int, ...]  # one amount per forecast category, in `_CATEGORIES` order


@dataclass
class _Inputs:
    own: dict[str, Amounts]
    quotas: dict[str, PeriodQuota]
    submissions: dict[str, SubmissionInfo]
    adjustments: dict[str, list[AdjustmentInfo]]


def rollup(
    session: Session, subject: User, period: Period, currency: str, now: datetime
) -> ForecastReport:
    """The forecast tree of `subject` for `period` (one currency)."""
    users = session.execute(
        select(User.id, User.name, User.role, User.manager_id).where(User.org_id == subject.org_id)
    ).all()
    children: dict[str | None, list[Any]] = defaultdict(list)
    for user in users:
        children[user.manager_id].append(user)
    subtree = _subtree(children, subject.id)
    inputs = _Inputs(
        own=_sums(session, subject.org_id, subtree, period, currency),
        quotas=_quotas(session, subject.org_id, subtree, period),
        submissions=_submissions(session, subject.org_id, subtree, period),
        adjustments=_adjustments(session, subject.org_id, subtree, period),
    )
    by_id = {user.id: user for user in users}
    root = _tree(by_id[subject.id], children, inputs)
    return ForecastReport(period=str(period), currency=currency, generated_at=now, root=root)


def _subtree(children: dict[str | None, list[Any]], root: str) -> set[str]:
    seen: set[str] = set()
    stack = [root]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(user.id for user in children[current])
    return seen


def _sums(
    session: Session, org_id: str, owners: set[str], period: Period, currency: str
) -> dict[str, Amounts]:
    fact = OpportunityFact
    rows = session.execute(
        select(fact.owner_id, fact.category, func.sum(fact.amount))
        .where(
            fact.org_id == org_id,
            fact.close_date >= period.start,
            fact.close_date < period.end,
            fact.currency == currency,
        )
        .group_by(fact.owner_id, fact.category)
    ).all()
    amounts: dict[str, list[int]] = {}
    for owner_id, category, amount in rows:
        if owner_id in owners:  # grouped rows are few: filter here, not with a huge IN list
            amounts.setdefault(owner_id, [0] * len(_CATEGORIES))[_INDEX[category]] = int(
                amount or 0
            )
    return {owner: tuple(values) for owner, values in amounts.items()}


def _records(
    session: Session,
    org_id: str,
    entity: EntityKind,
    owners: set[str] | None,
    periods: list[Period],
) -> list[Record]:
    statement = select(Record).where(
        Record.entity == entity.value,
        Record.org_id == org_id,
        Record.deleted.is_(False),
        Record.data["period"].as_string().in_([str(period) for period in periods]),
    )
    rows = session.scalars(statement)
    return [row for row in rows if owners is None or row.owner_id in owners]


def _quotas(
    session: Session, org_id: str, owners: set[str], period: Period
) -> dict[str, PeriodQuota]:
    """Each owner's own quota for `period`: set for it, or added up from the months and
    quarters inside it (`period_quota`); never their reports' quotas."""
    amounts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in _records(session, org_id, EntityKind.QUOTA, owners, period.within()):
        amounts[row.owner_id][row.data["period"]] += int(row.data["amount"])
    return {owner: period_quota(by_period, period) for owner, by_period in amounts.items()}


def _submissions(
    session: Session, org_id: str, owners: set[str], period: Period
) -> dict[str, SubmissionInfo]:
    latest: dict[str, SubmissionInfo] = {}
    for row in _records(session, org_id, EntityKind.FORECAST_SUBMISSION, owners, [period]):
        info = SubmissionInfo(
            id=row.id,
            commit=row.data["commit"],
            best_case=row.data["best_case"],
            comment=row.data.get("comment", ""),
            submitted_at=row.data["submitted_at"],
        )
        if row.owner_id not in latest or latest[row.owner_id].submitted_at < info.submitted_at:
            latest[row.owner_id] = info
    return latest


def _adjustments(
    session: Session, org_id: str, subjects: set[str], period: Period
) -> dict[str, list[AdjustmentInfo]]:
    found: dict[str, list[AdjustmentInfo]] = defaultdict(list)
    for row in _records(session, org_id, EntityKind.MANAGER_ADJUSTMENT, None, [period]):
        if row.data["subject_user_id"] in subjects:
            found[row.data["subject_user_id"]].append(
                AdjustmentInfo(
                    id=row.id,
                    manager_id=row.owner_id,
                    subject_user_id=row.data["subject_user_id"],
                    period=row.data["period"],
                    category=ForecastCategory(row.data["category"]),
                    amount=row.data["amount"],
                    comment=row.data["comment"],
                )
            )
    return found


def _tree(root: Any, children: dict[str | None, list[Any]], inputs: _Inputs) -> ForecastNode:
    """The forecast tree under `root` in one bottom-up pass over plain tuples of amounts
    (a manager reached twice, through a cycle, is listed once).

    Amounts add up the hierarchy; quotas do not: a manager's quota is the one set for them,
    and the reports' quotas are summed beside it as the rolled-up quota.
    """
    order: list[tuple[Any, list[Any]]] = []  # (user, reports) parents before children
    seen = {root.id}
    stack = [root]
    while stack:
        user = stack.pop()
        reports = []
        for child in sorted(children[user.id], key=lambda u: u.name):
            if child.id not in seen:
                seen.add(child.id)
                reports.append(child)
        order.append((user, reports))
        stack.extend(reversed(reports))
    # user id -> (node, totals, adjusted, the quota its attainment is measured against)
    built: dict[str, tuple[ForecastNode, Amounts, Amounts, int]] = {}
    for user, reports in reversed(order):
        below = [built[child.id] for child in reports]
        own = inputs.own.get(user.id, _ZERO)
        totals = own
        adjusted_sum = own
        rolled_up = 0
        for _, child_totals, child_adjusted, child_quota in below:
            totals = tuple(map(sum, zip(totals, child_totals, strict=True)))
            adjusted_sum = tuple(map(sum, zip(adjusted_sum, child_adjusted, strict=True)))
            rolled_up += child_quota
        adjusted = list(adjusted_sum)
        for adjustment in inputs.adjustments.get(user.id, []):
            adjusted[_INDEX[adjustment.category.value]] = adjustment.amount
        quota = inputs.quotas.get(user.id, PeriodQuota())
        measured, basis = attainment_quota(quota, rolled_up)
        # Built without re-validation: every value here comes from validated data.
        node = ForecastNode.model_construct(
            user_id=user.id,
            name=user.name,
            role=Role(user.role),
            manager_id=user.manager_id,
            own=_amounts(own),
            totals=_amounts(totals),
            adjusted=_amounts(adjusted),
            quota=quota.amount,
            quota_source=quota.source,
            quota_missing=list(quota.missing),
            rolled_up_quota=rolled_up,
            attainment_basis=basis,
            attainment=attainment(totals[_INDEX["closed"]], measured),
            submission=inputs.submissions.get(user.id),
            adjustments=inputs.adjustments.get(user.id, []),
            reports=[child[0] for child in below],
        )
        built[user.id] = (node, totals, tuple(adjusted), measured)
        for child in reports:
            del built[child.id]
    return built[root.id][0]


def _amounts(values: Amounts | list[int]) -> CategoryAmounts:
    return CategoryAmounts.model_construct(
        closed=values[_INDEX["closed"]],
        commit=values[_INDEX["commit"]],
        best_case=values[_INDEX["best_case"]],
        pipeline=values[_INDEX["pipeline"]],
        omitted=values[_INDEX["omitted"]],
    )


def flatten(node: ForecastNode, depth: int = 0) -> list[tuple[int, ForecastNode]]:
    """Depth-first (depth, node) pairs, the order a CSV export lists them."""
    rows = [(depth, node)]
    for report in node.reports:
        rows.extend(flatten(report, depth + 1))
    return rows
