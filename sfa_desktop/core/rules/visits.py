"""Which accounts need a visit in a week, how much, and why (the visit planner's picks).

An account needs a visit for three reasons: its plan's visits are behind the pro-rata
line of the quarter, an open deal closes soon or sits in a stage that needs a meeting,
or it has not been visited for longer than its grade allows. Its priority is the need
times the grade weight of the coverage optimiser times a value factor; the route solver
gets it as the drive minutes a visit is worth (the drop penalty), so a far account is
visited only when it is worth the drive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sfa_desktop.core.entities import CalendarEvent
from sfa_desktop.core.enums import Channel, Orientation, Stage
from sfa_desktop.core.rules.optimiser import grade_weight

DEFAULT_VISIT_MINUTES = {"A": 90, "B": 75, "C": 60, "D": 45, "E": 45}
# The longest a grade goes without a visit; lower grades have no such rule.
VISIT_INTERVAL_DAYS = {"A": 30, "B": 60, "C": 120}
MEETING_STAGES = frozenset({Stage.PROPOSAL, Stage.NEGOTIATION})
CLOSING_SOON_DAYS = 21
# A priority point is worth this many minutes of driving.
MINUTES_PER_POINT = 10
# Accounts more than this many visits behind plan go in whenever they fit.
MUST_VISIT_BEHIND = 1.0
MUST_VISIT_PENALTY = 100_000


@dataclass(frozen=True)
class Deal:
    opportunity_id: str
    name: str
    stage: Stage
    close_date: date | None


@dataclass(frozen=True)
class AccountState:
    """What the planner knows of an account for the week."""

    account_id: str
    name: str
    grade: str
    value: int  # a year's worth in major units: the larger of potential and history
    behind: float  # plan visits behind the quarter's pro-rata line by the week's end
    last_visit: date | None
    deals: tuple[Deal, ...] = ()
    orientation: Orientation = Orientation.RELATIONSHIP
    planned_calls: int = 0  # the plan's calls and emails this quarter
    planned_emails: int = 0


@dataclass(frozen=True)
class Need:
    """Why an account should be visited this week, and what leaving it out costs."""

    account: AccountState
    reasons: tuple[str, ...]
    points: float
    must: bool
    deal: Deal | None

    @property
    def penalty(self) -> int:
        """Drive minutes a visit is worth (the solver's price for leaving it out)."""
        worth = round(self.points * MINUTES_PER_POINT)
        return worth + MUST_VISIT_PENALTY if self.must else worth

    @property
    def explanation(self) -> str:
        return f"{self.account.grade or '?'} account, " + ", ".join(self.reasons)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def deal_needing_meeting(deals: tuple[Deal, ...], week_start: date) -> Deal | None:
    """The open deal closing soonest within the horizon, or the first in a meeting stage."""
    soon = [
        d
        for d in deals
        if not d.stage.is_closed
        and d.close_date is not None
        and 0 <= (d.close_date - week_start).days <= CLOSING_SOON_DAYS
    ]
    if soon:
        return min(soon, key=lambda d: (d.close_date or week_start, d.name))
    staged = [d for d in deals if d.stage in MEETING_STAGES]
    return min(staged, key=lambda d: d.name) if staged else None


def assess(account: AccountState, week_start: date) -> Need | None:
    """The account's need for a visit in the week starting `week_start`, None if none."""
    reasons: list[str] = []
    units = 0.0
    if account.behind >= 0.5:
        count = max(1, round(account.behind))
        reasons.append(f"{_plural(count, 'visit')} behind plan")
        units += account.behind
    deal = deal_needing_meeting(account.deals, week_start)
    if deal is not None:
        when = f" closing {deal.close_date:%d/%m}" if deal.close_date else ""
        reasons.append(f"deal {deal.name} in {deal.stage.label}{when}")
        units += 1.0
    limit = VISIT_INTERVAL_DAYS.get(account.grade)
    if limit is not None:
        if account.last_visit is None:
            reasons.append(f"never visited (grade {account.grade}: every {limit} days)")
            units += 1.0
        elif (week_start - account.last_visit).days > limit:
            days = (week_start - account.last_visit).days
            reasons.append(f"last visit {days} days ago (grade {account.grade}: every {limit})")
            units += 1.0
    if not reasons:
        return None
    value_factor = 1 + math.log10(1 + max(account.value, 0) / 10_000)
    points = units * grade_weight(account.grade) * value_factor
    return Need(account, tuple(reasons), points, account.behind > MUST_VISIT_BEHIND, deal)


def cheaper_channel(account: AccountState) -> Channel:
    """The channel to use instead of a visit: the one the coverage plan leans on, else a
    call for good relationship accounts and an email for the rest."""
    if account.planned_calls or account.planned_emails:
        return Channel.CALL if account.planned_calls >= account.planned_emails else Channel.EMAIL
    good = account.grade in VISIT_INTERVAL_DAYS
    relationship = account.orientation is Orientation.RELATIONSHIP
    return Channel.CALL if good and relationship else Channel.EMAIL


def is_night_note(event: CalendarEvent) -> bool:
    """The planner's note of a night away: a planned all-day note on its evening."""
    return event.planned and event.all_day and event.channel is Channel.NOTE


def parse_clock(text: str) -> int | None:
    """'08:30' as minutes after midnight; None when it is no time of day."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        return None
    value = int(hours) * 60 + int(minutes)
    return value if int(hours) < 24 and int(minutes) < 60 else None


def clock_problem(text: str) -> str | None:
    return None if parse_clock(text) is not None else f"must be a time such as 08:30, got {text!r}"


def working_day_problem(starts: str, ends: str) -> str | None:
    """Why a working day from `starts` to `ends` (HH:MM) cannot be planned (None if it can)."""
    first, last = parse_clock(starts), parse_clock(ends)
    if first is not None and last is not None and last <= first:
        return f"must be after the working day starts ({starts})"
    return None


def duration_text(minutes: int) -> str:
    """'3 h 40', '45 min'."""
    hours, rest = divmod(max(minutes, 0), 60)
    return f"{hours} h {rest:02d}" if hours else f"{rest} min"
