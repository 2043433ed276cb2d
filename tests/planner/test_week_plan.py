"""The week plan on hand-made geographies whose best routes and picks are known."""

from __future__ import annotations

import math
import random
from itertools import pairwise

import pytest
from planner_geographies import BASE, MONDAY, account, at, km_between, rules

from sfa_desktop.core.enums import Channel
from sfa_desktop.planner.week import DAY, Booked, WeekInput, WeekPlan, plan_week


def _week(places, booked=(), **rule_changes) -> WeekPlan:  # type: ignore[no-untyped-def]
    return plan_week(
        WeekInput(MONDAY, tuple(places), tuple(booked), rules(**rule_changes), time_limit_s=0.5)
    )


def _day_km(plan: WeekPlan, day: int) -> float:
    """The day's km recomputed from the coordinates, base to base."""
    stops = [BASE, *(s.point for s in plan.days[day].stops), BASE]
    return sum(km_between(a, b) for a, b in pairwise(stops)) if len(stops) > 2 else 0.0


def test_a_star_around_the_base_is_one_loop_in_a_day() -> None:
    # Four accounts 30 km N, E, S, W: the best tour is base, round the four, base:
    # 30 + 3 × 30√2 + 30 = 187.3 km (one at a time would be 240 km).
    places = [
        account(n, at(*p))
        for n, p in zip("NESW", [(30, 0), (0, 30), (-30, 0), (0, -30)], strict=True)
    ]
    plan = _week(places)
    busy = [d for d in plan.days if d.stops]
    assert len(busy) == 1
    order = "".join(s.name for s in busy[0].stops)
    assert order in ("NESW", "ESWN", "SWNE", "WNES", "WSEN", "SENW", "ENWS", "NWSE")
    assert _day_km(plan, busy[0].day) == pytest.approx(60 + 90 * math.sqrt(2), rel=0.01)
    assert plan.total_km == pytest.approx(60 + 90 * math.sqrt(2), rel=0.01)
    assert plan.skipped == ()


def test_two_clusters_go_on_separate_days_whole() -> None:
    # 100 km north and 100 km south: both in one day is > 400 km, beyond 240 minutes.
    north = [account(f"N{i}", at(100 + i, i)) for i in range(3)]
    south = [account(f"S{i}", at(-100 - i, -i)) for i in range(3)]
    plan = _week(north + south)
    groups = [{s.name[0] for s in d.stops} for d in plan.days if d.stops]
    assert sorted(map(sorted, groups)) == [["N"], ["S"]]
    assert sorted(s.name for s in plan.visits) == ["N0", "N1", "N2", "S0", "S1", "S2"]
    for day in plan.days:
        assert day.drive_minutes <= 240


def test_a_far_valuable_account_is_worth_the_drive_and_a_far_cheap_one_is_not() -> None:
    valuable = account("far A", at(110, 0), grade="A", value=2_000_000)
    cheap = account("far E", at(-110, 0), grade="E", behind=0.6, value=5_000)
    too_far = account("beyond A", at(0, 150), grade="A", value=2_000_000)
    plan = _week([valuable, cheap, too_far])
    assert [s.name for s in plan.visits] == ["far A"]
    reasons = {s.name: s for s in plan.skipped}
    assert "below the value threshold" in reasons["far E"].reason
    assert reasons["far E"].suggestion is Channel.EMAIL
    assert "beyond your daily drive limit" in reasons["beyond A"].reason
    assert "2 h 30 drive each way" in reasons["beyond A"].reason
    assert reasons["beyond A"].suggestion is Channel.CALL
    assert "A account, 1 visit behind plan" in plan.visits[0].reason


def test_a_blocked_morning_and_a_fixed_meeting_are_respected() -> None:
    places = [account(f"A{i}", at(20 * math.cos(i), 20 * math.sin(i))) for i in range(12)]
    client = at(40, 40)
    booked = [
        Booked("online", "Team call", 8 * 60, 12 * 60),  # Monday morning, nowhere
        Booked("meet", "Fixed meeting", DAY + 9 * 60, DAY + 10 * 60, "X", client),
    ]
    plan = _week(places, booked, days=2)
    _check_feasible(plan, booked, rules(days=2))
    tuesday = plan.days[1].stops
    fixed = [s for s in tuesday if s.fixed]
    assert [(s.event_id, s.starts) for s in fixed] == [("meet", DAY + 9 * 60)]
    assert all(s.starts >= 12 * 60 for s in plan.days[0].stops)


def test_every_account_more_than_one_visit_behind_is_included_when_it_fits() -> None:
    rng = random.Random(7)
    behind = [
        account(f"late{i}", at(rng.uniform(-80, 80), rng.uniform(-80, 80)), "D", 1.5)
        for i in range(6)
    ]
    others = [
        account(f"ok{i}", at(rng.uniform(-60, 60), rng.uniform(-60, 60)), "A", 0.9)
        for i in range(40)
    ]
    plan = _week(behind + others)
    picked = {s.name for s in plan.visits}
    assert {p.state.name for p in behind} <= picked


@pytest.mark.parametrize("seed", range(4))
def test_random_weeks_never_break_the_rules(seed: int) -> None:
    rng = random.Random(seed)
    places = [
        account(
            f"acc{i}",
            at(rng.uniform(-150, 150), rng.uniform(-150, 150)),
            rng.choice("ABCDE"),
            rng.uniform(0, 3),
            rng.randrange(1000, 900_000),
        )
        for i in range(60)
    ]
    booked = []
    for n in range(6):
        day, hour = rng.randrange(5), rng.randrange(8, 17)
        where = at(rng.uniform(-50, 50), rng.uniform(-50, 50)) if n % 2 else None
        start = day * DAY + hour * 60
        booked.append(Booked(f"e{n}", f"event {n}", start, start + 60, None, where))
    plan = _week(places, booked)
    _check_feasible(plan, booked, rules())


def _free_minutes(begin: int, end: int, blocks: list[tuple[int, int]]) -> int:
    busy = {minute for a, b in blocks for minute in range(max(a, begin), min(b, end))}
    return end - begin - len(busy)


def _check_feasible(plan: WeekPlan, booked, settings) -> None:  # type: ignore[no-untyped-def]
    """Within hours, no overlap with events, drives fit between, drive limit kept."""
    unlocated = [(b.starts, b.ends) for b in booked if b.point is None]
    for day in plan.days:
        if not day.stops:
            continue
        opens, closes = day.day * DAY + settings.day_start, day.day * DAY + settings.day_end
        assert opens <= day.leaves
        assert day.returns <= closes
        points = [BASE, *(s.point for s in day.stops), BASE]
        times = [
            (day.leaves, day.leaves),
            *((s.starts, s.ends) for s in day.stops),
            (day.returns, day.returns),
        ]
        drive = 0
        for (a, b), ((_, left), (arrive, _)) in zip(pairwise(points), pairwise(times), strict=True):
            minutes = math.ceil(km_between(a, b) - 1e-6)  # 60 km/h: a km a minute
            drive += minutes
            assert _free_minutes(left, arrive, unlocated) >= minutes - 1
        assert drive <= settings.max_drive + len(points)  # a minute of rounding a leg
        for stop in (s for s in day.stops if not s.fixed):
            for other in booked:
                if other.event_id != stop.event_id:
                    assert stop.ends <= other.starts or other.ends <= stop.starts
        for first, second in pairwise(day.stops):
            assert first.ends <= second.starts
