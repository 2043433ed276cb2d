"""Offline geocoding against coordinates and distances known from elsewhere."""

from __future__ import annotations

from datetime import date

import pytest
from planner_geographies import km_between

from sfa_desktop.core.entities import Account
from sfa_desktop.core.rules.geo import DriveModel, Point, haversine_km, parse_point
from sfa_desktop.demo.generator import generate
from sfa_desktop.demo.size import DemoSize
from sfa_desktop.planner.gazetteer import country_code, find_city


@pytest.mark.parametrize(
    ("city", "country", "latitude", "longitude"),
    [  # city centres as an atlas gives them
        ("München", "Germany", 48.137, 11.575),
        ("Munich", "DE", 48.137, 11.575),
        ("Cologne", "Deutschland", 50.938, 6.960),
        ("Lyon", "FRA", 45.764, 4.836),
        ("Cambridge", "United Kingdom", 52.205, 0.119),
        ("Cambridge", "USA", 42.373, -71.110),
    ],
)
def test_cities_are_found_by_name_and_country(
    city: str, country: str, latitude: float, longitude: float
) -> None:
    place = find_city(city, country)
    assert place is not None
    assert km_between(place.point, Point(latitude, longitude)) < 3


def test_unknown_places_and_countries_are_not_guessed() -> None:
    assert find_city("Atlantis", "Germany") is None
    assert find_city("Berlin", "Narnia") is None
    assert country_code("Narnia") is None
    assert find_city("", "Germany") is None


def test_distance_and_drive_time() -> None:
    berlin, munich = Point(52.5200, 13.4050), Point(48.1351, 11.5820)
    assert haversine_km(berlin, munich) == pytest.approx(504.4, abs=1.5)  # the known figure
    assert haversine_km(berlin, munich) == pytest.approx(km_between(berlin, munich), rel=1e-6)
    model = DriveModel(road_factor=1.5, speed_kmh=90)  # 10 km straight: 15 km, 10 minutes
    a, b = Point(50, 10), Point(50 + 9.99 / 111.195, 10)
    assert model.minutes(a, b) == 10
    assert parse_point(" 48.1, 11.5 ") == Point(48.1, 11.5)
    assert parse_point("91, 0") is None
    assert parse_point("Munich") is None


def test_demo_accounts_sit_near_their_city() -> None:
    size = DemoSize(accounts=80, contacts=10, opportunities=5, activities=5, events=5, tasks=5)
    records = generate(size, today=date(2026, 12, 4))
    accounts = [r for r in records if isinstance(r, Account)]
    assert accounts
    for account in accounts:
        assert account.latitude is not None
        assert account.longitude is not None
        place = find_city(account.city, account.country)
        assert place is not None, account.city
        assert km_between(place.point, Point(account.latitude, account.longitude)) < 16
