"""Nights away on hand-made geographies whose km are computed by hand.

Roads are straight at 60 km/h (a km is a minute), the mileage rate is 0.30 a km and a
hotel night 110.00, so a night away must save more than 110.00 / 0.30 = 367 km of
driving home and back to be worth it.
"""

from __future__ import annotations

import math
import random
from itertools import pairwise

import pytest
from planner_geographies import BASE, MONDAY, account, at, km_between, rules

from sfa_desktop.core.rules.geo import Point
from sfa_desktop.planner.week import (
    DAY,
    BookedNight,
    DayRoute,
    WeekInput,
    WeekPlan,
    plan_week,
)

HOTEL = {"hotel_cents": 11_000, "cents_per_km": 30}


def _week(places, **changes) -> WeekPlan:  # type: ignore[no-untyped-def]
    return plan_week(
        WeekInput(MONDAY, tuple(places), (), rules(**HOTEL, **changes), time_limit_s=0.5)
    )


def _places_of(plan: WeekPlan, day: DayRoute) -> list[Point]:
    """Where the day starts, its stops, where it ends, by the plan's nights."""
    before = plan.days[day.day - 1].night if day.day else None
    start = before.point if before else BASE
    end = day.night.point if day.night else BASE
    return [start, *(s.point for s in day.stops), end]


def _km(points: list[Point]) -> float:
    return float(sum(km_between(a, b) for a, b in pairwise(points)))


def _far_cluster() -> list:  # type: ignore[type-arg]
    # Ten A accounts, each 1.5 visits behind plan, 1 km apart on a line 200 km north.
    return [account(f"F{i}", at(200, i), grade="A", behind=1.5, value=500_000) for i in range(10)]


def test_a_far_cluster_is_two_days_with_one_night_away() -> None:
    # From home, a day holds 3 of them (400 km of driving + 3 h of visits in 10 h), so
    # the ten take four days and 4 x 400 = 1,600 km. With a night away: out 200 km, the
    # ten in two days, back 200 km: 200 + 9 + sqrt(200^2 + 9^2) = 409.2 km at best, and
    # the night saves the drive home and back (about 2 x 200 km = 6 h 40) for 110.00.
    plan = _week(_far_cluster(), max_drive=420, hotel_nights=True)
    assert len(plan.nights) == 1
    night = plan.nights[0]
    day, after = plan.days[night.day], plan.days[night.day + 1]
    assert sorted(s.name for s in (*day.stops, *after.stops)) == [f"F{i}" for i in range(10)]
    assert night.point == day.stops[-1].point  # the hotel is at the day's last stop
    assert plan.total_km == pytest.approx(200 + 9 + math.hypot(200, 9), rel=0.01)
    for route in plan.days:
        assert route.km == pytest.approx(_km(_places_of(plan, route)), rel=1e-3)
    home = [day.stops[-1].point, BASE, after.stops[0].point]
    away = [day.stops[-1].point, after.stops[0].point]
    assert night.saves_km == pytest.approx(_km(home) - _km(away), rel=1e-3)
    assert 390 < night.saves_km < 401
    assert night.cost == 11_000
    hours, minutes = divmod(night.saves_minutes, 60)
    assert (hours, minutes) in ((6, 30 + m) for m in range(11))
    assert night.reason == (
        f"overnight near {night.near}: saves {hours} h {minutes:02d} of driving, hotel 110.00"
    )
    assert plan.hotel_cost == 11_000
    assert not plan.days[-1].night  # the week ends at home
    _check_days(plan, max_drive=420)


def test_a_near_cluster_is_visited_from_home() -> None:
    # Ten accounts 40 km north: two days from home, about 2 x 80 km. A night there would
    # save at most 2 x 40 = 80 km (24.00), less than the hotel's 110.00.
    near = [account(f"N{i}", at(40, i), grade="A", behind=1.5) for i in range(10)]
    plan = _week(near, max_drive=420, hotel_nights=True)
    assert plan.nights == ()
    assert sorted(s.name for s in plan.visits) == [f"N{i}" for i in range(10)]
    for day in plan.days:
        assert day.start is None
        assert day.night is None
        assert day.km == pytest.approx(_km([BASE, *(s.point for s in day.stops), BASE]), 1e-3)
    assert 2 * 80 < plan.total_km < 2 * (40 + 9 + math.hypot(40, 9)) + 1
    _check_days(plan, max_drive=420)


def test_with_the_option_off_every_day_ends_at_home() -> None:
    plan = _week(_far_cluster(), max_drive=420)
    assert plan.nights == ()
    for day in plan.days:
        assert day.start is None
        assert day.night is None
        assert day.km == pytest.approx(_km([BASE, *(s.point for s in day.stops), BASE]), 1e-3)
    busy = [day for day in plan.days if day.stops]
    assert [len(day.stops) for day in busy] == [3, 3, 3, 1]
    assert plan.total_km == pytest.approx(4 * 400, abs=10)
    rng = random.Random(3)
    scattered = [
        account(f"R{i}", at(rng.uniform(-260, 260), rng.uniform(-260, 260)), "A", 1.5)
        for i in range(30)
    ]
    assert _week(scattered, max_drive=420).nights == ()


def test_days_away_keep_the_drive_limit_and_the_working_hours() -> None:
    # Twelve accounts on a ring of 30 km round a point 280 km north, half-hour visits,
    # 330 minutes of driving a day: 250 km out leave 80 km for the ring, so the ring
    # (173 km round) is shared among the days away; one day would drive over 400 km.
    angles = [k * math.pi / 6 for k in range(12)]
    ring = [
        account(f"R{k}", at(280 + 30 * math.cos(a), 30 * math.sin(a)), "A", 1.5)
        for k, a in enumerate(angles)
    ]
    hours = {"day_start": 5 * 60, "day_end": 21 * 60}
    half_hours = dict.fromkeys("ABCDE", 30)
    plan = _week(ring, max_drive=330, hotel_nights=True, visit_minutes=half_hours, **hours)
    assert plan.nights
    assert len(plan.visits) == 12
    _check_days(plan, max_drive=330, **hours)


def _check_days(
    plan: WeekPlan, max_drive: int, day_start: int = 8 * 60, day_end: int = 18 * 60
) -> None:
    """Each day within its hours, its drives (from last night's place to tonight's,
    computed here) within the limit and between the visits; the week ends at home."""
    assert plan.days[-1].night is None
    for day in plan.days:
        opens, closes = day.day * DAY + day_start, day.day * DAY + day_end
        points = _places_of(plan, day)
        km = [km_between(a, b) for a, b in pairwise(points)]
        assert sum(km) <= max_drive + len(km) / 2  # legs are rounded to the minute
        legs = [math.ceil(leg - 1e-6) for leg in km]
        if not day.stops:
            continue
        assert opens <= day.leaves
        assert day.returns <= closes
        times = [(day.leaves, day.leaves), *((s.starts, s.ends) for s in day.stops)]
        times.append((day.returns, day.returns))
        for leg, ((_, left), (arrive, _)) in zip(legs, pairwise(times), strict=True):
            assert arrive - left >= leg - 1


def test_a_re_plan_during_a_trip_starts_the_next_day_at_the_hotel() -> None:
    # Monday is over and the rep sleeps near F9 (a night accepted before): Tuesday starts
    # there, 200 km from home, and the week keeps that night.
    hotel = at(200, 9)
    week = WeekInput(
        MONDAY,
        tuple(_far_cluster()),
        (),
        rules(**HOTEL, max_drive=420, hotel_nights=True),
        not_before=20 * 60,
        time_limit_s=0.3,
        nights=(BookedNight("note", 0, hotel, "F9"),),
    )
    plan = plan_week(week)
    assert [(n.day, n.event_id, n.point) for n in plan.nights] == [(0, "note", hotel)]
    assert plan.days[0].stops == ()
    tuesday = plan.days[1]
    assert tuesday.start == hotel
    assert tuesday.stops
    assert tuesday.km == pytest.approx(_km(_places_of(plan, tuesday)), rel=1e-3)
    _check_days(plan, max_drive=420)
