"""The routing problem the visit planner hands to a solver, and the solver's answer.

Times are whole minutes from the start of the planning week (Monday 00:00 local time).
Node 0 is the home base; each vehicle is one working day that leaves its start place and
ends at its end place: the base, or a hotel node (after the stops) for a night away. Any
solver that fills `RoutingSolution` from a `RoutingProblem` will do
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
    """One vehicle: leaves node `starts_at` no earlier than `start`, at node `ends_at` by
    `end` (0: the base), driving at most `max_drive` minutes; `blocked` are (start, end)
    times it cannot drive or visit."""

    start: int
    end: int
    max_drive: int
    blocked: tuple[tuple[int, int], ...] = ()
    starts_at: int = 0
    ends_at: int = 0


@dataclass(frozen=True)
class RoutingProblem:
    """`travel[i][j]`: minutes from node i to node j (node 0 the base, node k stop k-1,
    then the hotels, which are only days' start and end places). `quick`: the first
    solution only (to compare set-ups cheaply)."""

    stops: tuple[Stop, ...]
    days: tuple[Day, ...]
    travel: tuple[tuple[int, ...], ...]
    initial_routes: tuple[tuple[int, ...], ...] = ()  # stop indexes per day, to start from
    time_limit_s: float = 1.0
    quick: bool = False


@dataclass(frozen=True)
class Visit:
    stop: int  # index into RoutingProblem.stops
    starts: int  # start of service, minutes from Monday 00:00


@dataclass(frozen=True)
class Route:
    leaves: int  # leaves its start place (the base or last night's hotel)
    visits: tuple[Visit, ...]
    returns: int  # at its end place (the base or tonight's hotel)


@dataclass(frozen=True)
class RoutingSolution:
    routes: tuple[Route, ...]
    dropped: tuple[int, ...] = field(default=())
    cost: int = 0  # drive minutes plus the penalties of the stops left out
