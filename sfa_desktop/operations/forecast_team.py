"""What the manager's forecast view shows beside the figures, without Qt: each row's deals'
sum, call and adjusted forecast, the adjustment layers of a person as the viewer reads
them, currency notes, the team call and the reminder that a call is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.forecast_wire import AdjustmentInfo, ForecastNode, LeftOutInfo
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.core.rules.currency import LeftOut, describe_left_out
from sfa_desktop.core.rules.forecast import ForecastTotals, call_due
from sfa_desktop.operations.forecast import current_user, latest_submission
from sfa_desktop.store import Store
from sfa_desktop.sync.forecast_client import subtree


@dataclass(frozen=True)
class Call:
    """A commit and best case figure pair (a call, or a forecast read as one)."""

    commit: int
    best_case: int

    @classmethod
    def of(cls, totals: ForecastTotals) -> Call:
        """The cumulative forecast a call is compared with: closed + commit, + best case."""
        return cls(totals.commit_forecast, totals.best_case_forecast)


def deals_forecast(node: ForecastNode) -> Call:
    """What the deals of the person's subtree add up to, unadjusted."""
    return Call.of(node.totals.totals())


def adjusted_forecast(node: ForecastNode) -> Call:
    """The forecast with the adjustments that count in this view (what is reported up)."""
    return Call.of(node.adjusted.totals())


def submitted_call(node: ForecastNode) -> Call | None:
    """The person's latest call (a manager's is the team call), None without one."""
    call = node.submission
    return None if call is None else Call(call.commit, call.best_case)


def reports_call(node: ForecastNode) -> Call | None:
    """The direct reports' calls added up; None for a rep."""
    if not node.reports:
        return None
    return Call(node.reports_call.commit, node.reports_call.best_case)


def adjusted_by(node: ForecastNode) -> list[str]:
    """Who made the adjustments counted in this row (the person's and everyone's below)."""
    names = {a.manager_name for n in subtree(node) for a in n.adjustments if a.applied}
    return sorted(names)


def is_adjusted(node: ForecastNode) -> bool:
    """Whether an adjustment counts anywhere in this row's figures."""
    return bool(adjusted_by(node)) or node.adjusted != node.totals


def calls_due(root: ForecastNode) -> list[ForecastNode]:
    """Everyone in the tree whose call for the period is due (none or a week old)."""
    return [node for node in subtree(root) if node.call_due]


@dataclass(frozen=True)
class Layer:
    """One manager's adjustment of a person, and what it counts for in the viewer's figures."""

    adjustment: AdjustmentInfo
    note: str  # "counted", "overridden by yours", "not counted in your figures"…


@dataclass(frozen=True)
class Layers:
    """A person's adjustments as the viewer reads them: the viewer's own, those of managers
    below the viewer, and those of the managers above (what they made of it)."""

    yours: list[Layer]
    below: list[Layer]
    above: list[Layer]


def layers(node: ForecastNode, root: ForecastNode) -> Layers:
    """Sort `node`'s adjustments by whose they are, seen by `root`'s person (the viewer)."""
    viewer = root.user_id
    team = {person.user_id for person in subtree(root)}
    counted = {a.category: a for a in node.adjustments if a.applied}
    yours, below, above = [], [], []
    for adjustment in node.adjustments:
        winner = counted.get(adjustment.category)
        if adjustment.manager_id == viewer:
            yours.append(Layer(adjustment, "counted" if adjustment.applied else "not counted"))
        elif adjustment.manager_id in team:
            if adjustment.applied:
                note = "counted"
            elif winner is not None and winner.manager_id == viewer:
                note = "overridden by yours"
            else:
                note = f"overridden by {winner.manager_name}" if winner else "not counted"
            below.append(Layer(adjustment, note))
        else:
            above.append(Layer(adjustment, "not counted in your figures"))
    return Layers(yours, below, above)


def _left_out(item: LeftOutInfo) -> LeftOut:
    return LeftOut(item.currency, item.missing, item.count, item.amount, item.first_day)


def left_out_notes(root: ForecastNode) -> list[str]:
    """What the tree does not count for want of an exchange rate, one line per kind: the
    subtree's deals (rolled up at the root), everyone's quotas and adjustments."""
    deals = [_left_out(i) for i in root.left_out if i.kind == "deal"]
    notes = [describe_left_out(deals, "deal")] if deals else []
    for kind in ("quota", "adjustment"):
        items = [_left_out(i) for n in subtree(root) for i in n.left_out if i.kind == kind]
        if items:
            notes.append(describe_left_out(items, kind))
    return notes


def converted_note(root: ForecastNode, currency: str) -> str:
    """'' or which currencies the tree's deals were converted from."""
    if not root.converted:
        return ""
    return (
        f"Includes deals converted from {', '.join(root.converted)} into {currency} at the"
        " rate of their close date."
    )


def team_call_prefill(root: ForecastNode) -> Call:
    """A manager's team call starts from the team's adjusted forecast."""
    return adjusted_forecast(root)


@dataclass(frozen=True)
class CallReminder:
    """The signed-in user owes a call for the current quarter."""

    period: Period
    last_call: datetime | None


def call_reminder(store: Store, now: datetime) -> CallReminder | None:
    """A reminder when the user's call for the current quarter is due (none yet, or the
    latest on this device is a week old); None when it is not, or nobody is signed in."""
    try:
        user = current_user(store)
    except DomainError:
        return None
    period = Period.containing(now.astimezone().date(), PeriodKind.QUARTER)
    latest = latest_submission(store, user.id, period)
    last = latest.submitted_at if latest else None
    return CallReminder(period, last) if call_due(last, now) else None
