"""Cost to serve by grade: what the touches cost, how the effort splits across grades, and
which accounts get more (or less) than their grade deserves.

The model (our seeds): invest in accounts in proportion to their value, so the best grades
should take the larger share of the expensive touches (visits, events)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sfa_desktop.core.enums import CONTACT_CHANNELS, DEFAULT_CHANNEL_COST, Channel
from sfa_desktop.core.rules.grading import DEFAULT_SCHEME, GradeScheme

TOP_GRADES = 2  # the grades that deserve most of the effort: A and B by default
NO_GRADE = "—"  # accounts without a grade


def share(part: float, whole: float) -> float | None:
    """part ÷ whole; None when the whole is nothing."""
    return part / whole if whole > 0 else None


def top_grades(scheme: GradeScheme = DEFAULT_SCHEME) -> tuple[str, ...]:
    return scheme.grades[:TOP_GRADES]


def grade_order(grades: Iterable[str], scheme: GradeScheme = DEFAULT_SCHEME) -> list[str]:
    """Grades best first, accounts without a grade last."""
    return sorted(set(grades), key=lambda g: (g == NO_GRADE, scheme.rank(g), g))


def touches(counts: Mapping[str, int]) -> int:
    """Contacts among per-channel counts (a note is no contact)."""
    return sum(counts.get(channel.value, 0) for channel in CONTACT_CHANNELS)


def touch_cost(
    counts: Mapping[str, int], costs: Mapping[Channel, int] = DEFAULT_CHANNEL_COST
) -> int:
    """What the contacts in per-channel `counts` cost, at `costs` per contact."""
    return sum(counts.get(channel.value, 0) * costs.get(channel, 0) for channel in CONTACT_CHANNELS)


@dataclass(frozen=True)
class Served:
    """One account's grade and what serving it took in a period."""

    account_id: str
    grade: str
    cost: int
    touches: int


@dataclass(frozen=True)
class OutOfLineVerdict:
    served: Served
    kind: str  # "over-served" or "under-served"
    reason: str


def out_of_line(
    accounts: Sequence[Served], scheme: GradeScheme = DEFAULT_SCHEME
) -> list[OutOfLineVerdict]:
    """Accounts whose spend is out of line with their grade, most out of line first:

    - over-served: a lower grade (below the top grades) costing more than the median
      top-grade account;
    - under-served: a top-grade account with no touch at all, or costing less than the
      median lower-grade account.

    Accounts without a grade are not judged."""
    return judged(accounts, *medians(accounts, scheme), scheme)


def medians(
    accounts: Sequence[Served], scheme: GradeScheme = DEFAULT_SCHEME
) -> tuple[float | None, float | None]:
    """The median cost of the top-grade accounts and of the lower-grade ones (graded)."""
    top = set(top_grades(scheme))
    top_costs = [a.cost for a in accounts if a.grade in top]
    low_costs = [a.cost for a in accounts if a.grade not in top and a.grade != NO_GRADE]
    return (
        statistics.median(top_costs) if top_costs else None,
        statistics.median(low_costs) if low_costs else None,
    )


def judged(
    accounts: Iterable[Served],
    top_median: float | None,
    low_median: float | None,
    scheme: GradeScheme = DEFAULT_SCHEME,
) -> list[OutOfLineVerdict]:
    """`out_of_line` with the medians given (worked out elsewhere, e.g. in SQL from
    counts): the verdicts on `accounts`, most out of line first."""
    top = set(top_grades(scheme))
    found = []
    for account in accounts:
        if account.grade in top:
            if account.touches == 0:
                found.append(OutOfLineVerdict(account, "under-served", "no touch this period"))
            elif low_median is not None and account.cost < low_median:
                reason = f"costs less than the median lower-grade account ({low_median / 100:,.2f})"
                found.append(OutOfLineVerdict(account, "under-served", reason))
        elif account.grade != NO_GRADE and top_median is not None and account.cost > top_median:
            reason = f"costs more than the median top-grade account ({top_median / 100:,.2f})"
            found.append(OutOfLineVerdict(account, "over-served", reason))
    found.sort(key=lambda v: (v.kind, -v.served.cost if v.kind == "over-served" else v.served.cost))
    return found
