"""The routing problem the visit planner hands to a solver, and the solver's answer.

Times are whole minutes from the start of the planning week (Monday 00:00 local time).
Node 0 is the home base; each vehicle is one working day that leaves the base and comes
back to it. Any solver that fills `RoutingSolution` from a `RoutingProblem` will do
(`sfa_desktop.planner.solver` wraps OR-Tools).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Stop:
    """A place to be served: `service` minutes within [earliest, latest] (start of service).

    `days` lists the vehicles (days) that may serve it (empty: any); `penalty` is what
    leaving it out costs in drive minutes, None when it must be served.
    """

    service: int
    earliest: int
    latest: int
    days: tuple[int, ...] = ()
    penalty: int | None = None


@dataclass(frozen=True)
class Day:
    """One vehicle: leaves the base no earlier than `start`, back by `end`, driving at most
    `max_drive` minutes; `blocked` are (start, end) times it cannot drive or visit."""

    start: int
    end: int
    max_drive: int
    blocked: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class RoutingProblem:
    """`travel[i][j]`: minutes from node i to node j (node 0 the base, node k stop k-1)."""

    stops: tuple[Stop, ...]
    days: tuple[Day, ...]
    travel: tuple[tuple[int, ...], ...]
    initial_routes: tuple[tuple[int, ...], ...] = ()  # stop indexes per day, to start from
    time_limit_s: float = 1.0


@dataclass(frozen=True)
class Visit:
    stop: int  # index into RoutingProblem.stops
    starts: int  # start of service, minutes from Monday 00:00


@dataclass(frozen=True)
class Route:
    leaves: int  # leaves the base
    visits: tuple[Visit, ...]
    returns: int  # back at the base


@dataclass(frozen=True)
class RoutingSolution:
    routes: tuple[Route, ...]
    dropped: tuple[int, ...] = field(default=())
