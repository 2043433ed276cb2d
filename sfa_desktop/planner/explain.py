"""Why the solver left an account out of the week, in words."""

from __future__ import annotations

import itertools

from sfa_desktop.core.rules.geo import Point
from sfa_desktop.core.rules.routing import RoutingProblem, RoutingSolution
from sfa_desktop.core.rules.visits import Need, duration_text
from sfa_desktop.planner.rules import Rules


def explain_skip(
    need: Need,
    point: Point,
    problem: RoutingProblem,
    solution: RoutingSolution,
    index: int,
    rules: Rules,
) -> str:
    """Too far for a day, not worth the extra drive, or no room left in the week."""
    one_way = rules.drive.minutes(rules.base, point)
    node = index + 1
    service = problem.stops[index].service
    if one_way > rules.max_drive or (2 * one_way > rules.max_drive and not rules.hotel_nights):
        return (
            f"{duration_text(one_way)} drive each way, beyond your daily drive limit "
            f"of {duration_text(rules.max_drive)}"
        )
    if 2 * one_way + service > rules.day_end - rules.day_start and not rules.hotel_nights:
        return f"{duration_text(one_way)} drive each way does not fit in a working day"
    extra = min(
        (_insertion(problem, route_nodes, node) for route_nodes in _nodes(problem, solution)),
        default=2 * one_way,
    )
    if need.penalty < extra:
        return (
            f"{duration_text(extra)} more driving for a visit worth "
            f"{duration_text(need.penalty)}, below the value threshold"
        )
    return "the week is full: higher-priority visits took the time"


def _nodes(problem: RoutingProblem, solution: RoutingSolution) -> list[list[int]]:
    """Each day's nodes from its start place to its end place (the base or a hotel)."""
    return [
        [day.starts_at, *(visit.stop + 1 for visit in route.visits), day.ends_at]
        for day, route in zip(problem.days, solution.routes, strict=True)
    ]


def _insertion(problem: RoutingProblem, route: list[int], node: int) -> int:
    """The least extra drive to fit `node` between two neighbours of the route."""
    travel = problem.travel
    return min(
        travel[a][node] + travel[node][b] - travel[a][b] for a, b in itertools.pairwise(route)
    )
