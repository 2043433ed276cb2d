"""The one function that solves a routing problem: OR-Tools' vehicle routing with time windows.

Each day is a vehicle from its start place to its end place (the base, or a hotel); the
arc cost is drive minutes; a day's working hours and drive limit are dimensions; blocked
time is a break that neither a visit nor a drive may overlap; optional stops carry a drop
penalty.
"""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from sfa_desktop.core.rules.routing import Route, RoutingProblem, RoutingSolution, Visit

_HORIZON = 8 * 24 * 60  # a week and a day, in minutes
_UNREACHABLE = 10**9


class NoSolution(RuntimeError):
    """The solver found no plan at all (mandatory stops cannot all be served)."""


def solve(problem: RoutingProblem) -> RoutingSolution:
    """The cheapest routes found within the problem's time limit."""
    size = len(problem.travel)
    starts = [day.starts_at for day in problem.days]
    ends = [day.ends_at for day in problem.days]
    manager = pywrapcp.RoutingIndexManager(size, len(problem.days), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    service = [0, *(stop.service for stop in problem.stops)]
    service += [0] * (size - len(service))
    travel = problem.travel

    def drive(from_index: int, to_index: int) -> int:
        return travel[int(manager.IndexToNode(from_index))][int(manager.IndexToNode(to_index))]

    def busy(from_index: int, to_index: int) -> int:
        node = int(manager.IndexToNode(from_index))
        return service[node] + travel[node][int(manager.IndexToNode(to_index))]

    drive_cb = routing.RegisterTransitCallback(drive)
    busy_cb = routing.RegisterTransitCallback(busy)
    routing.SetArcCostEvaluatorOfAllVehicles(drive_cb)
    routing.AddDimension(busy_cb, _HORIZON, _HORIZON, False, "Time")
    routing.AddDimensionWithVehicleCapacity(
        drive_cb, 0, [day.max_drive for day in problem.days], True, "Drive"
    )
    time = routing.GetDimensionOrDie("Time")
    for number, stop in enumerate(problem.stops, start=1):
        index = manager.NodeToIndex(number)
        time.CumulVar(index).SetRange(stop.earliest, stop.latest)
        if stop.days:
            routing.VehicleVar(index).SetValues([-1, *stop.days])
        if stop.penalty is not None:
            routing.AddDisjunction([index], stop.penalty)
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(index))
    visit_transits = [service[manager.IndexToNode(i)] for i in range(routing.Size())]
    visit_transits += [0] * (routing.Size() + len(problem.days) - len(visit_transits))
    solver = routing.solver()
    for vehicle, day in enumerate(problem.days):
        start, end = routing.Start(vehicle), routing.End(vehicle)
        if day.starts_at != day.ends_at:  # a day to or from a hotel drives even when empty
            routing.SetVehicleUsedWhenEmpty(True, vehicle)
        time.CumulVar(start).SetRange(day.start, day.end)
        time.CumulVar(end).SetRange(day.start, day.end)
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(start))
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(end))
        breaks = [
            solver.FixedDurationIntervalVar(begin, begin, finish - begin, False, f"b{vehicle}")
            for begin, finish in day.blocked
        ]
        if breaks:
            time.SetBreakIntervalsOfVehicle(breaks, vehicle, visit_transits)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
        if problem.quick
        else routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(max(1, int(problem.time_limit_s * 1000)))
    if problem.quick:
        parameters.solution_limit = 1
    solution = None
    if problem.initial_routes:
        routes = [[stop + 1 for stop in route] for route in problem.initial_routes]
        routing.CloseModelWithParameters(parameters)
        initial = routing.ReadAssignmentFromRoutes(routes, True)
        if initial is not None:
            solution = routing.SolveFromAssignmentWithParameters(initial, parameters)
    if solution is None:
        solution = routing.SolveWithParameters(parameters)
    if solution is None:
        raise NoSolution("no plan serves every fixed meeting within the working hours")
    return _read(problem, manager, routing, solution, time)


def _read(
    problem: RoutingProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    solution: pywrapcp.Assignment,
    time: pywrapcp.RoutingDimension,
) -> RoutingSolution:
    routes = []
    served: set[int] = set()
    for vehicle in range(len(problem.days)):
        index = routing.Start(vehicle)
        leaves = solution.Value(time.CumulVar(index))
        visits = []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            stop = manager.IndexToNode(index) - 1
            visits.append(Visit(stop, solution.Value(time.CumulVar(index))))
            served.add(stop)
            index = solution.Value(routing.NextVar(index))
        routes.append(Route(leaves, tuple(visits), solution.Value(time.CumulVar(index))))
    dropped = tuple(i for i in range(len(problem.stops)) if i not in served)
    return RoutingSolution(tuple(routes), dropped, solution.ObjectiveValue())
