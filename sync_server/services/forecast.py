"""Forecast rollups: each person's converted sums rolled up the hierarchy in memory."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import ForecastCategory, Role
from sfa_desktop.core.forecast_wire import (
    AdjustmentInfo,
    CategoryAmounts,
    ForecastNode,
    ForecastReport,
)
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.currency import LeftOutTally
from sfa_desktop.core.rules.forecast import (
    PeriodQuota,
    attainment,
    attainment_quota,
    call_due,
)
from sync_server.errors import BadRequestError, ForbiddenError, NotFoundError
from sync_server.models import Org, User
from sync_server.services.currency import rate_table
from sync_server.services.forecast_inputs import (
    INDEX,
    ZERO,
    Amounts,
    Inputs,
    left_out_infos,
    load_inputs,
)
from sync_server.services.scope import load_scope
from sync_server.services.text import require_storable


def parse_period(text: str) -> Period:
    """`text` as a period by the one period rule (`Period.parse`, as the entities)."""
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise BadRequestError(str(exc)) from None


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


@dataclass(frozen=True)
class Hierarchy:
    """The organisation's people: names, roles and who reports to whom."""

    by_id: dict[str, Any]
    children: dict[str | None, list[Any]]

    @classmethod
    def load(cls, session: Session, org_id: str) -> Hierarchy:
        users = session.execute(
            select(User.id, User.name, User.role, User.manager_id).where(User.org_id == org_id)
        ).all()
        children: dict[str | None, list[Any]] = defaultdict(list)
        for user in users:
            children[user.manager_id].append(user)
        return cls({user.id: user for user in users}, children)

    def names(self) -> dict[str, str]:
        return {user_id: user.name for user_id, user in self.by_id.items()}

    def subtree(self, root: str) -> set[str]:
        seen: set[str] = set()
        stack = [root]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(user.id for user in self.children[current])
        return seen

    def line(self, user_id: str) -> list[str]:
        """Everyone above `user_id`, nearest first (the current reporting line)."""
        found: list[str] = []
        current = self.by_id[user_id].manager_id if user_id in self.by_id else None
        while current is not None and current in self.by_id and current not in found:
            found.append(current)
            current = self.by_id[current].manager_id
        return found


def rollup(
    session: Session, subject: User, period: Period, currency: str | None, now: datetime
) -> ForecastReport:
    """The forecast tree of `subject` for `period`, in `currency` (default: corporate)."""
    org = session.get(Org, subject.org_id)
    assert org is not None
    people = Hierarchy.load(session, subject.org_id)
    view = currency or org.currency
    inputs = load_inputs(
        session,
        subject.org_id,
        people.subtree(subject.id),
        period,
        view,
        rate_table(session, org),
        people.names(),
    )
    root = build_tree(people, subject.id, inputs, now)
    return ForecastReport(
        period=str(period),
        currency=view,
        corporate_currency=org.currency,
        generated_at=now,
        root=root,
    )


def _layers(
    adjustments: list[AdjustmentInfo], line: list[str], viewer_rank: int
) -> list[AdjustmentInfo]:
    """The adjustments of one person by managers in their current line, lowest manager
    first; per category the one by the highest manager at or below the viewer is applied."""
    rank = {manager: i for i, manager in enumerate(line)}
    shown = sorted(
        (a for a in adjustments if a.manager_id in rank), key=lambda a: rank[a.manager_id]
    )
    applied: dict[ForecastCategory, AdjustmentInfo] = {}
    for adjustment in shown:
        if rank[adjustment.manager_id] <= viewer_rank:
            applied[adjustment.category] = adjustment
    chosen = {id(a) for a in applied.values()}
    return [a.model_copy(update={"applied": id(a) in chosen}) for a in shown]


def build_tree(people: Hierarchy, viewer: str, inputs: Inputs, now: datetime) -> ForecastNode:
    """The forecast tree under `viewer` as the viewer sees it, in one bottom-up pass (a
    manager reached twice, through a cycle, is listed once).

    Amounts add up the hierarchy; quotas do not: a manager's quota is the one set for them,
    and the reports' quotas are summed beside it as the rolled-up quota. Each manager's
    adjustments are a layer of their own: a person's adjusted figure is the adjustment of
    the highest manager between them and the viewer, else what their own figures add up to.
    """
    root = people.by_id[viewer]
    order: list[tuple[Any, list[Any], int]] = []  # (user, reports, depth) parents first
    seen = {root.id}
    stack = [(root, 0)]
    while stack:
        user, depth = stack.pop()
        reports = []
        for child in sorted(people.children[user.id], key=lambda u: u.name):
            if child.id not in seen:
                seen.add(child.id)
                reports.append(child)
        order.append((user, reports, depth))
        stack.extend((child, depth + 1) for child in reversed(reports))
    built: dict[str, _Built] = {}
    for user, reports, depth in reversed(order):
        below = [built.pop(child.id) for child in reports]
        # The viewer is `depth` managers up this person's line (none for the viewer).
        built[user.id] = _node(user, below, inputs, people.line(user.id), depth - 1, now)
    return built[root.id].node


@dataclass
class _Built:
    node: ForecastNode
    totals: Amounts
    adjusted: Amounts
    measured_quota: int
    left_out: LeftOutTally
    converted: set[str]


def _node(
    user: Any, below: list[_Built], inputs: Inputs, line: list[str], viewer_rank: int, now: datetime
) -> _Built:
    own = inputs.own.get(user.id, ZERO)
    totals, adjusted_sum = own, own
    rolled_up = 0
    deals_left_out = LeftOutTally()
    deals_left_out.merge(inputs.deals_left_out.get(user.id, LeftOutTally()).items())
    converted = set(inputs.converted.get(user.id, set()))
    reports_call = [0, 0]
    without_call = 0
    for child in below:
        totals = tuple(map(sum, zip(totals, child.totals, strict=True)))
        adjusted_sum = tuple(map(sum, zip(adjusted_sum, child.adjusted, strict=True)))
        rolled_up += child.measured_quota
        deals_left_out.merge(child.left_out.items())
        converted |= child.converted
        call = child.node.submission
        if call is not None and call.currency == inputs.currency:
            reports_call[0] += call.commit
            reports_call[1] += call.best_case
        without_call += child.node.call_due
    layers = _layers(inputs.adjustments.get(user.id, []), line, viewer_rank)
    adjusted = list(adjusted_sum)
    for adjustment in layers:
        if adjustment.applied:
            adjusted[INDEX[adjustment.category.value]] = adjustment.amount
    quota = inputs.quotas.get(user.id, PeriodQuota())
    measured, basis = attainment_quota(quota, rolled_up)
    submission = inputs.submissions.get(user.id)
    left_out = [
        *left_out_infos("deal", deals_left_out.items()),
        *left_out_infos("quota", inputs.quota_left_out.get(user.id, LeftOutTally()).items()),
        *left_out_infos(
            "adjustment", inputs.adjustment_left_out.get(user.id, LeftOutTally()).items()
        ),
    ]
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
        attainment=attainment(totals[INDEX["closed"]], measured),
        submission=submission,
        call_due=call_due(submission.submitted_at if submission else None, now),
        reports_call=CategoryAmounts.model_construct(
            closed=0, commit=reports_call[0], best_case=reports_call[1], pipeline=0, omitted=0
        ),
        reports_without_call=without_call,
        adjustments=layers,
        converted=sorted(converted - {inputs.currency}),
        left_out=left_out,
        reports=[child.node for child in below],
    )
    return _Built(node, totals, tuple(adjusted), measured, deals_left_out, converted)


def _amounts(values: Amounts | list[int]) -> CategoryAmounts:
    return CategoryAmounts.model_construct(
        closed=values[INDEX["closed"]],
        commit=values[INDEX["commit"]],
        best_case=values[INDEX["best_case"]],
        pipeline=values[INDEX["pipeline"]],
        omitted=values[INDEX["omitted"]],
    )


def flatten(node: ForecastNode, depth: int = 0) -> list[tuple[int, ForecastNode]]:
    """Depth-first (depth, node) pairs, the order a CSV export lists them."""
    rows = [(depth, node)]
    for report in node.reports:
        rows.extend(flatten(report, depth + 1))
    return rows
