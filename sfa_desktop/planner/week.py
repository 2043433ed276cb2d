"""A week of visits: the accounts that need one, routed around fixed meetings, explained.

`plan_week` turns what the store knows (accounts with their needs, the week's events)
into a routing problem, solves it and says why each account is in or out. With nights
away allowed (`Rules.hotel_nights`), a day may end at a hotel near its last stop and the
next start there when that saves more driving than the hotel costs (`planner.overnight`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sfa_desktop.core.enums import Channel
from sfa_desktop.core.rules.coverage import travel_cost
from sfa_desktop.core.rules.geo import Point
from sfa_desktop.core.rules.routing import Day, Route, RoutingProblem, Stop
from sfa_desktop.core.rules.visits import (
    AccountState,
    Need,
    assess,
    cheaper_channel,
    duration_text,
)
from sfa_desktop.planner.explain import explain_skip
from sfa_desktop.planner.gazetteer import nearest_city
from sfa_desktop.planner.overnight import choose_hotels, node_places, with_hotels
from sfa_desktop.planner.rules import Rules
from sfa_desktop.planner.solver import solve

DAY = 24 * 60
MAX_CANDIDATES = 150  # the most urgent accounts handed to the solver
FIXED_PENALTY = 10_000_000  # an existing meeting is kept unless it cannot be reached at all
KEEP_PENALTY = 1_000_000  # a visit planned before stays on its day when it still fits
SEARCH_SHARE = 0.4  # of the time limit, spent choosing nights away when they are allowed


@dataclass(frozen=True)
class Place:
    """An account for the planner: its state and where it is (None: not located)."""

    state: AccountState
    point: Point | None
    address: str = ""


@dataclass(frozen=True)
class Booked:
    """An event of the week, in minutes from Monday 00:00; `planned`: the planner's own."""

    event_id: str
    title: str
    starts: int
    ends: int
    account_id: str | None = None
    point: Point | None = None
    planned: bool = False
    visit: bool = False  # a visit to its account (it counts, the account is not picked)


@dataclass(frozen=True)
class BookedNight:
    """A night away accepted before: after day `day`, at `point` (the calendar's note)."""

    event_id: str
    day: int
    point: Point
    account_id: str | None = None


@dataclass(frozen=True)
class WeekInput:
    week_start: date  # a Monday
    places: tuple[Place, ...]
    booked: tuple[Booked, ...] = ()
    rules: Rules = field(default_factory=lambda: Rules(Point(0, 0)))
    not_before: int = 0  # minutes from Monday 00:00 already past
    skip_accounts: frozenset[str] = frozenset()  # e.g. a visit cancelled this week
    time_limit_s: float = 1.0
    nights: tuple[BookedNight, ...] = ()


@dataclass(frozen=True)
class Night:
    """A night away after day `day`, at a hotel at `point` (a stop's place) near `near`;
    it saves `saves_minutes` and `saves_km` of driving home and back, and costs `cost`."""

    day: int
    point: Point
    near: str
    saves_minutes: int
    saves_km: float
    cost: int  # minor units
    account_id: str | None = None  # the account the hotel is near (the day's last stop)
    address: str = ""
    event_id: str | None = None  # the calendar note of a night accepted before

    @property
    def reason(self) -> str:
        return (
            f"overnight near {self.near}: saves {duration_text(self.saves_minutes)} of "
            f"driving, hotel {self.cost / 100:.2f}"
        )


@dataclass(frozen=True)
class PlannedStop:
    account_id: str | None
    name: str
    grade: str
    starts: int
    ends: int
    travel_minutes: int
    travel_km: float
    reason: str
    point: Point
    address: str = ""
    opportunity_id: str | None = None
    event_id: str | None = None  # the event it is (a fixed meeting, or a visit planned before)
    fixed: bool = False


@dataclass(frozen=True)
class DayRoute:
    day: int
    date: date
    leaves: int
    returns: int
    stops: tuple[PlannedStop, ...]
    km: float
    drive_minutes: int
    start: Point | None = None  # where the day starts: last night's hotel (None: the base)
    night: Night | None = None  # the night after it, when away


@dataclass(frozen=True)
class Skipped:
    account_id: str
    name: str
    grade: str
    reason: str
    suggestion: Channel | None = None


@dataclass(frozen=True)
class WeekPlan:
    week_start: date
    days: tuple[DayRoute, ...]
    skipped: tuple[Skipped, ...]
    warnings: tuple[str, ...] = ()
    nights: tuple[Night, ...] = ()
    cents_per_km: int = 0  # the mileage rate the travel cost counts at

    @property
    def total_km(self) -> float:
        return sum(day.km for day in self.days)

    @property
    def hotel_cost(self) -> int:
        """The nights away's hotels (minor units)."""
        return sum(night.cost for night in self.nights)

    @property
    def travel_cost(self) -> int:
        """The week's km at the mileage rate plus its hotels (minor units)."""
        return travel_cost(self.total_km, self.cents_per_km) + self.hotel_cost

    @property
    def visits(self) -> tuple[PlannedStop, ...]:
        return tuple(stop for day in self.days for stop in day.stops if not stop.fixed)


@dataclass(frozen=True)
class _Node:
    point: Point
    stop: Stop
    need: Need | None = None
    place: Place | None = None
    booked: Booked | None = None


def plan_week(week: WeekInput) -> WeekPlan:
    """Propose the week's visits within the rules, keeping booked meetings where they are."""
    rules = week.rules
    days = _days(week)
    nodes: list[_Node] = []
    counted = {b.account_id for b in week.booked if b.visit and b.account_id}
    for booked in week.booked:
        day = booked.starts // DAY
        if booked.point is None or day >= rules.days or booked.starts < week.not_before:
            continue
        length = booked.ends - booked.starts
        if booked.planned:
            stop = Stop(length, day * DAY, (day + 1) * DAY, (day,), KEEP_PENALTY)
        else:
            stop = Stop(length, booked.starts, booked.starts, (day,), FIXED_PENALTY)
        nodes.append(_Node(booked.point, stop, booked=booked))
    skipped: list[Skipped] = []
    needs: list[tuple[Need, Place]] = []
    for place in week.places:
        state = place.state
        if state.account_id in counted or state.account_id in week.skip_accounts:
            continue
        need = assess(state, week.week_start)
        if need is None:
            continue
        if place.point is None:
            skipped.append(_skip(need, "not located: pin it on the map or check its city"))
            continue
        needs.append((need, place))
    needs.sort(key=lambda item: (-item[0].penalty, item[1].state.name))
    for need, _place in needs[MAX_CANDIDATES:]:
        skipped.append(_skip(need, "the week is full: lower priority than the accounts planned"))
    for need, place in needs[:MAX_CANDIDATES]:
        assert place.point is not None
        length = rules.visit_length(place.state.grade)
        nodes.append(_Node(place.point, Stop(length, 0, 7 * DAY, (), need.penalty), need, place))
    points = [rules.base, *(node.point for node in nodes)]
    travel = tuple(tuple(rules.drive.minutes(a, b) for b in points) for a in points)
    initial = _initial_routes(nodes, len(days))
    problem = RoutingProblem(
        tuple(n.stop for n in nodes), tuple(days), travel, initial, week.time_limit_s
    )
    hotels = _hotels(week, problem, points)
    if _searches_nights(week, problem):  # the search took part of the time
        problem = replace(problem, time_limit_s=(1 - SEARCH_SHARE) * week.time_limit_s)
    problem = with_hotels(problem, points, hotels, rules.drive)
    solution = solve(problem)
    places = node_places(points, hotels)
    routes = [
        _day_route(week, number, route, nodes, (places[day.starts_at], places[day.ends_at]))
        for number, (day, route) in enumerate(zip(problem.days, solution.routes, strict=True))
    ]
    routes = _with_nights(week, routes, hotels)
    warnings = []
    for index in solution.dropped:
        node = nodes[index]
        if node.booked is not None and not node.booked.planned:
            warnings.append(f"{node.booked.title}: cannot be reached within your limits")
        elif node.booked is not None:
            warnings.append(f"{node.booked.title}: no longer fits on its day; re-plan it")
        elif node.need is not None:
            reason = explain_skip(node.need, node.point, problem, solution, index, rules)
            skipped.append(_skip(node.need, reason))
    skipped.sort(key=lambda s: (s.grade or "Z", s.name))
    nights = tuple(day.night for day in routes if day.night is not None)
    return WeekPlan(
        week.week_start, tuple(routes), tuple(skipped), tuple(warnings), nights, rules.cents_per_km
    )


def _hotels(week: WeekInput, problem: RoutingProblem, points: list[Point]) -> dict[int, Point]:
    """Nights away: the booked ones, and on a week planned afresh the ones worth it."""
    rules = week.rules
    if not rules.hotel_nights:
        return {}
    booked = {n.day: n.point for n in week.nights if n.day < rules.days - 1}
    if not _searches_nights(week, problem):
        return booked  # a week already accepted keeps its nights (stable re-plans)
    return choose_hotels(problem, points, rules, booked, SEARCH_SHARE * week.time_limit_s)


def _searches_nights(week: WeekInput, problem: RoutingProblem) -> bool:
    """Nights are searched for on a week planned afresh (none accepted yet)."""
    rules = week.rules
    return rules.hotel_nights and rules.days > 1 and not week.nights and not problem.initial_routes


def _day_route(
    week: WeekInput, number: int, route: Route, nodes: list[_Node], ends: tuple[Point, Point]
) -> DayRoute:
    """The day from its start place to its end place (the base or a hotel)."""
    drive_model, base = week.rules.drive, week.rules.base
    start, end = ends
    previous, stops, km, drive = start, [], 0.0, 0
    for visit in route.visits:
        node = nodes[visit.stop]
        minutes = drive_model.minutes(previous, node.point)
        distance = drive_model.road_km(previous, node.point)
        stops.append(_planned(node, visit.starts, minutes, distance))
        km, drive, previous = km + distance, drive + minutes, node.point
    if stops or previous != end:
        km += drive_model.road_km(previous, end)
        drive += drive_model.minutes(previous, end)
    day_date = week.week_start + timedelta(days=number)
    away = None if start == base else start
    return DayRoute(number, day_date, route.leaves, route.returns, tuple(stops), km, drive, away)


def _with_nights(
    week: WeekInput, routes: list[DayRoute], hotels: dict[int, Point]
) -> list[DayRoute]:
    """Each day before a night away with the night: where, and what it saves."""
    rules = week.rules
    booked = {n.day: n for n in week.nights}
    for number, hotel in sorted(hotels.items()):
        day, after = routes[number], routes[number + 1]
        last = day.stops[-1].point if day.stops else (day.start or rules.base)
        first = after.stops[0].point if after.stops else hotels.get(number + 1, rules.base)
        home = [(last, rules.base), (rules.base, first)]
        away = [(last, hotel), (hotel, first)]
        minutes = sum(rules.drive.minutes(a, b) for a, b in home) - sum(
            rules.drive.minutes(a, b) for a, b in away
        )
        km = sum(rules.drive.road_km(a, b) for a, b in home) - sum(
            rules.drive.road_km(a, b) for a, b in away
        )
        near = [s for s in (*day.stops, *after.stops[:1]) if s.point == hotel]
        stop = near[-1] if near else (day.stops[-1] if day.stops else None)
        name = nearest_city(hotel) or (stop.name if stop else "the last stop")
        known = booked.get(number)
        night = Night(
            number,
            hotel,
            name,
            minutes,
            km,
            rules.hotel_cents,
            stop.account_id if stop else (known.account_id if known else None),
            stop.address if stop else "",
            known.event_id if known else None,
        )
        routes[number] = replace(day, night=night)
    return routes


def _days(week: WeekInput) -> list[Day]:
    rules = week.rules
    days = []
    for number in range(rules.days):
        start, end = number * DAY + rules.day_start, number * DAY + rules.day_end
        start = max(start, min(week.not_before, end))
        blocked = []
        for booked in week.booked:
            if booked.point is not None and booked.starts // DAY == number:
                continue  # a meeting somewhere is a stop of the route
            begin, finish = max(booked.starts, start), min(booked.ends, end)
            if begin < finish:
                blocked.append((begin, finish))
        days.append(Day(start, end, rules.max_drive, tuple(_merge(blocked))))
    return days


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def _initial_routes(nodes: list[_Node], day_count: int) -> tuple[tuple[int, ...], ...]:
    """Visits planned before, on their days in their order: the solver starts from them."""
    routes: list[list[tuple[int, int]]] = [[] for _ in range(day_count)]
    for index, node in enumerate(nodes):
        if node.booked is not None and node.booked.starts // DAY < day_count:
            routes[node.booked.starts // DAY].append((node.booked.starts, index))
    if not any(node.booked is not None and node.booked.planned for node in nodes):
        return ()
    return tuple(tuple(index for _, index in sorted(route)) for route in routes)


def _planned(node: _Node, starts: int, minutes: int, km: float) -> PlannedStop:
    if node.booked is not None:
        booked = node.booked
        reason = "kept from the week's plan" if booked.planned else "meeting already booked"
        state = _state_of(node)
        return PlannedStop(
            booked.account_id,
            booked.title,
            state.grade if state else "",
            starts,
            starts + node.stop.service,
            minutes,
            km,
            reason,
            node.point,
            event_id=booked.event_id,
            fixed=not booked.planned,
        )
    assert node.need is not None
    assert node.place is not None
    need = node.need
    return PlannedStop(
        need.account.account_id,
        need.account.name,
        need.account.grade,
        starts,
        starts + node.stop.service,
        minutes,
        km,
        f"{need.explanation}; {duration_text(minutes)} drive",
        node.point,
        node.place.address,
        need.deal.opportunity_id if need.deal else None,
    )


def _state_of(node: _Node) -> AccountState | None:
    return node.need.account if node.need else None


def _skip(need: Need, reason: str) -> Skipped:
    account = need.account
    channel = cheaper_channel(account)
    text = f"{need.explanation}. Skipped: {reason} — {channel.value} instead"
    return Skipped(account.account_id, account.name, account.grade, text, channel)
