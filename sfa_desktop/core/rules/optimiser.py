"""Coverage optimiser: spread a rep's contact capacity over their accounts, and say why.

Each channel's quarterly capacity first covers the minimums of the best grades, then the
rest is shared in proportion to grade weight × value (the larger of potential and
historical revenue). Visits go to relationship accounts of good grades; transactional and
low-grade accounts are served through the cheaper channels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sfa_desktop.core.enums import DEFAULT_CHANNEL_COST, Channel, Orientation
from sfa_desktop.core.rules.grading import DEFAULT_SCHEME, GradeScheme

CHANNELS = (Channel.VISIT, Channel.CALL, Channel.EMAIL)
# Contacts per quarter an account gets at least, by grade.
MINIMUMS: dict[str, dict[Channel, int]] = {
    "A": {Channel.VISIT: 1, Channel.CALL: 1},
    "B": {Channel.CALL: 1},
}
# Never more than this per account and quarter (a visit a fortnight, a call or email a week).
CAPS = {Channel.VISIT: 6, Channel.CALL: 13, Channel.EMAIL: 13}
# Grades (by rank in the scheme) that still get visits beyond their minimum: A, B, C.
VISIT_RANKS = 3


@dataclass(frozen=True)
class Capacity:
    """Contacts a rep can make per quarter; `emails` None leaves email out of the plan."""

    visits: int
    calls: int
    emails: int | None = None

    def of(self, channel: Channel) -> int:
        value = {Channel.VISIT: self.visits, Channel.CALL: self.calls}.get(channel, self.emails)
        return value or 0


@dataclass(frozen=True)
class AccountInput:
    account_id: str
    name: str
    grade: str
    potential: int
    historical: int
    orientation: Orientation = Orientation.RELATIONSHIP


@dataclass(frozen=True)
class Proposal:
    """Planned contacts per quarter (the same each quarter) for one account, and why."""

    account: AccountInput
    per_quarter: dict[Channel, int]
    explanation: str
    cost_per_quarter: int

    def planned(self, channel: Channel) -> int:
        return self.per_quarter.get(channel, 0)


@dataclass(frozen=True)
class CoverageProposal:
    proposals: tuple[Proposal, ...]
    capacity: Capacity
    used: dict[Channel, int] = field(default_factory=dict)

    @property
    def cost_per_quarter(self) -> int:
        return sum(p.cost_per_quarter for p in self.proposals)


def grade_weight(grade: str, scheme: GradeScheme = DEFAULT_SCHEME) -> float:
    """2 for each step up: E=1, D=2, C=4, B=8, A=16 (unknown grades weigh least)."""
    return float(2 ** max(0, len(scheme.grades) - 1 - scheme.rank(grade)))


def _channel_factor(account: AccountInput, channel: Channel, scheme: GradeScheme) -> float:
    """How much an account's score counts for a channel: cheap channels for the cheap to serve."""
    rank = scheme.rank(account.grade)
    transactional = account.orientation is Orientation.TRANSACTIONAL
    if channel is Channel.VISIT:
        return 0.0 if transactional or rank >= VISIT_RANKS else 1.0
    if channel is Channel.CALL:
        return 1.5 if transactional else 1.0
    return 1.5 if transactional or rank >= VISIT_RANKS else 1.0


def apportion(total: int, weights: Mapping[str, float], caps: Mapping[str, int]) -> dict[str, int]:
    """Split `total` units in proportion to `weights` (largest remainder), none above its cap.

    Units a capped key cannot take are shared again among the others.
    """
    alloc = dict.fromkeys(weights, 0)
    left = total
    while left > 0:
        open_keys = [k for k, w in weights.items() if w > 0 and alloc[k] < caps[k]]
        if not open_keys:
            break
        weight_sum = sum(weights[k] for k in open_keys)
        exact = {k: left * weights[k] / weight_sum for k in open_keys}
        give = {k: min(int(exact[k]), caps[k] - alloc[k]) for k in open_keys}
        spare = left - sum(give.values())
        for key in sorted(open_keys, key=lambda k: (-(exact[k] - int(exact[k])), k)):
            if spare and give[key] < caps[key] - alloc[key] and exact[key] > give[key]:
                give[key] += 1
                spare -= 1
        given = sum(give.values())
        if given == 0:
            break
        for key, units in give.items():
            alloc[key] += units
        left -= given
    return alloc


def optimise(
    accounts: list[AccountInput],
    capacity: Capacity,
    costs: Mapping[Channel, int] = DEFAULT_CHANNEL_COST,
    scheme: GradeScheme = DEFAULT_SCHEME,
) -> CoverageProposal:
    """Planned contacts per account, channel and quarter within `capacity`, with reasons."""
    order = sorted(accounts, key=lambda a: (scheme.rank(a.grade), -_value(a), a.account_id))
    score = {a.account_id: grade_weight(a.grade, scheme) * max(_value(a), 1) for a in order}
    plan: dict[str, dict[Channel, int]] = {a.account_id: {} for a in order}
    notes: dict[str, list[str]] = {a.account_id: [] for a in order}
    used: dict[Channel, int] = {}
    for channel in CHANNELS:
        left = capacity.of(channel)
        for account in order:  # minimums first, best grades first
            wanted = MINIMUMS.get(account.grade, {}).get(channel, 0)
            given = min(wanted, left)
            plan[account.account_id][channel] = given
            left -= given
            if given < wanted:
                notes[account.account_id].append(
                    f"minimum {channel.value} not met: capacity used up"
                )
        weights = {
            a.account_id: score[a.account_id] * _channel_factor(a, channel, scheme) for a in order
        }
        caps = {k: CAPS[channel] - plan[k][channel] for k in weights}
        for key, extra in apportion(left, weights, caps).items():
            plan[key][channel] += extra
            left -= extra
        used[channel] = capacity.of(channel) - left
    total_score = sum(score.values()) or 1.0
    proposals = tuple(
        Proposal(
            account=account,
            per_quarter={c: n for c, n in plan[account.account_id].items() if n},
            explanation=_explain(
                account,
                plan[account.account_id],
                score[account.account_id] / total_score,
                notes[account.account_id],
                scheme,
            ),
            cost_per_quarter=sum(n * costs.get(c, 0) for c, n in plan[account.account_id].items()),
        )
        for account in order
    )
    return CoverageProposal(proposals, capacity, used)


def _value(account: AccountInput) -> int:
    """What the account is worth a year in major units: the larger of potential and history."""
    return max(account.potential, account.historical) // 100


def _explain(
    account: AccountInput,
    plan: dict[Channel, int],
    share: float,
    notes: list[str],
    scheme: GradeScheme,
) -> str:
    counts = [f"{n} {c.value}{'s' if n != 1 else ''}" for c, n in plan.items() if n]
    what = ", ".join(counts) + " a quarter" if counts else "no planned contacts"
    reasons = [
        f"grade {account.grade} (weight {grade_weight(account.grade, scheme):g}) × value "
        f"{_value(account):,} gives {share:.0%} of the portfolio score"
    ]
    minimum = MINIMUMS.get(account.grade)
    if minimum:
        floor = " and ".join(f"{n} {c.value}" for c, n in minimum.items())
        reasons.append(f"grade {account.grade} gets at least {floor} a quarter")
    if account.orientation is Orientation.TRANSACTIONAL:
        reasons.append("transactional: served by calls and emails rather than visits")
    elif scheme.rank(account.grade) >= VISIT_RANKS:
        reasons.append("low grade: cheaper channels instead of visits")
    return f"{what}: " + "; ".join(reasons + notes) + "."
