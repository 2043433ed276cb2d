"""Nights away: which evenings of the week end at a hotel instead of at home.

A night away after day n makes day n end at a hotel and day n+1 start there, instead of
driving home and out again; each day still keeps its working hours and drive limit, and
the week ends at the base. A hotel is a stop's place (no hotel data): the stops far
enough from the base that a night there could save more driving than the hotel costs,
ranked by how far away they are times the value of the visits around them.

Set-ups (which nights, which hotel) are compared by a quick solve (the first solution
only, ~30 ms for 150 stops) plus the hotels' cost in drive minutes at the mileage rate;
nights are added one at a time while one makes the week cheaper, within a time budget.
The chosen set-up is then solved in full by the caller.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from sfa_desktop.core.rules.geo import DriveModel, Point
from sfa_desktop.core.rules.routing import Day, RoutingProblem
from sfa_desktop.planner.rules import Rules
from sfa_desktop.planner.solver import NoSolution, solve

HOTELS_TRIED = 3  # places tried for a hotel, the best-ranked far clusters
ROUNDS = 2  # nights added at most by the search (a three-day trip, or two trips)
_UNVALUED = 1_000  # the most a stop counts in a cluster's value (drive minutes)


def with_hotels(
    problem: RoutingProblem,
    points: Sequence[Point],
    hotels: Mapping[int, Point],
    drive: DriveModel,
) -> RoutingProblem:
    """The problem with day n ending, and day n+1 starting, at `hotels[n]`; `points` are
    the problem's nodes' places (the base first). A day already over (a re-plan during a
    trip) starts where it ends: the rep is there."""
    if not hotels:
        return problem
    nights = sorted(hotels)
    places = node_places(points, hotels)
    travel = [list(row) for row in problem.travel]
    for row, here in zip(travel, points, strict=True):
        row.extend(drive.minutes(here, hotels[n]) for n in nights)
    travel.extend([drive.minutes(hotels[n], there) for there in places] for n in nights)
    days = list(problem.days)
    for number, night in enumerate(nights, start=len(points)):
        days[night] = replace(days[night], ends_at=number)
        days[night + 1] = replace(days[night + 1], starts_at=number)
    days = [replace(d, starts_at=d.ends_at) if d.start >= d.end else d for d in days]
    return replace(problem, days=tuple(days), travel=tuple(tuple(row) for row in travel))


def node_places(points: Sequence[Point], hotels: Mapping[int, Point]) -> list[Point]:
    """The places of `with_hotels`' nodes: the points, then the hotels by night."""
    return [*points, *(hotels[night] for night in sorted(hotels))]


def choose_hotels(
    problem: RoutingProblem,
    points: Sequence[Point],
    rules: Rules,
    booked: Mapping[int, Point],
    time_limit_s: float,
) -> dict[int, Point]:
    """The nights away (day → hotel) that make the week cheapest, `booked` ones kept."""
    hotels = dict(booked)
    places = _hotel_places(problem, points, rules)
    if not places:
        return hotels
    deadline = time.monotonic() + time_limit_s
    best = _cost(problem, points, rules, hotels, time_limit_s)
    for _ in range(ROUNDS):
        found: tuple[int, dict[int, Point]] | None = None
        for night in _free_nights(problem, hotels):
            for place in places:
                if time.monotonic() > deadline:
                    break
                trial = {**hotels, night: place}
                cost = _cost(problem, points, rules, trial, time_limit_s)
                if cost < best and (found is None or cost < found[0]):
                    found = (cost, trial)
        if found is None:
            break
        best, hotels = found
    return hotels


def _cost(
    problem: RoutingProblem,
    points: Sequence[Point],
    rules: Rules,
    hotels: Mapping[int, Point],
    limit: float,
) -> int:
    trial = replace(
        with_hotels(problem, points, hotels, rules.drive),
        quick=True,
        time_limit_s=limit,
        initial_routes=(),
    )
    try:
        answer = solve(trial)
    except NoSolution:
        return 10**12
    return answer.cost + len(hotels) * rules.hotel_minutes


def _free_nights(problem: RoutingProblem, hotels: Mapping[int, Point]) -> list[int]:
    """Evenings not yet away whose day and next day have working time left; of evenings
    alike (the same hours and blocked time, no stop tied to either day, the same nights
    away beside them) only the first, as the others would plan the same week."""
    days = problem.days
    tied = {day for stop in problem.stops for day in stop.days}
    found, seen = [], set()
    for night in range(len(days) - 1):
        if night in hotels or not (_open(days[night]) and _open(days[night + 1])):
            continue
        pair = (_shape(days[night], night), _shape(days[night + 1], night))
        alike = (pair, night - 1 in hotels, night + 1 in hotels)
        if night in tied or night + 1 in tied or alike not in seen:
            found.append(night)
            seen.add(alike)
    return found


def _shape(day: Day, night: int) -> tuple[int, ...]:
    """The day's hours and blocked time, relative to the night's day's midnight."""
    offset = night * 24 * 60
    times = [day.start, day.end, *(t for block in day.blocked for t in block)]
    return tuple(t - offset for t in times)


def _open(day: Day) -> bool:
    return day.end - day.start > sum(finish - begin for begin, finish in day.blocked)


def _hotel_places(problem: RoutingProblem, points: Sequence[Point], rules: Rules) -> list[Point]:
    """The best-ranked far stops' places: far enough that sleeping there instead of driving
    home and back could pay for the hotel, ranked by distance x the value around them."""
    home = problem.travel[0]
    worth = [min(stop.penalty or _UNVALUED, _UNVALUED) for stop in problem.stops]
    radius = max(30, rules.max_drive // 4)
    far = [k for k in range(1, len(problem.stops) + 1) if 2 * home[k] > rules.hotel_minutes]
    scored = []
    for node in far:
        row = problem.travel[node]
        around = sum(worth[k - 1] for k in far if row[k] <= radius)
        scored.append((home[node] * around, node))
    chosen: list[int] = []
    for _, node in sorted(scored, reverse=True):
        if all(problem.travel[node][other] > 2 * radius for other in chosen):
            chosen.append(node)
        if len(chosen) == HOTELS_TRIED:
            break
    return [points[node] for node in chosen]
