"""Where accounts are: a city looked up in the gazetteer, a pin typed by the rep, the
accounts still without coordinates, and the country outlines the map draws."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from sfa_desktop.core.entities import Account
from sfa_desktop.core.enums import LocationSource
from sfa_desktop.core.rules.geo import Point
from sfa_desktop.operations.plans import plan_summaries
from sfa_desktop.operations.result import OpResult, Undo
from sfa_desktop.planner import gazetteer, outlines
from sfa_desktop.store import Changes, Store
from sfa_desktop.store.batch import Update

Ring = outlines.Ring


@dataclass(frozen=True)
class CityMatch:
    """A gazetteer place: its name, country code, centre and population."""

    name: str
    country_code: str
    point: Point
    population: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.country_code}), {self.population:,} people"


def find_city(city: str, country: str = "") -> CityMatch | None:
    """The city's centre from GeoNames' cities of 1,000+ people (offline; the first call
    loads the data, a few seconds): in `country` when given, else the largest of the name."""
    place = gazetteer.find_city(city, country)
    if place is None:
        return None
    return CityMatch(place.name, place.country_code, place.point, place.population)


def not_located(store: Store, fiscal_year: int) -> list[Account]:
    """The rep's accounts the planner cannot place (no coordinates), by name."""
    rows = plan_summaries(store, fiscal_year)
    found = [r.account for r in rows if r.account.latitude is None]
    return sorted(found, key=lambda a: a.name.casefold())


def _location(point: Point | None, source: LocationSource | None) -> dict[str, Any]:
    return {
        "latitude": None if point is None else round(point.latitude, 6),
        "longitude": None if point is None else round(point.longitude, 6),
        "located_by": None if point is None else source,
    }


def pin_account(
    store: Store, account_id: str, point: Point | None, source: LocationSource
) -> OpResult[Account]:
    """Put the account at `point` (None: not located); the undo puts it back."""
    before = store.get(Account, account_id)
    old = {name: getattr(before, name) for name in ("latitude", "longitude", "located_by")}
    saved = store.update(Account, account_id, _location(point, source))
    undo = Undo("move account", (lambda s: s.update(Account, account_id, old).changes,))
    return OpResult(saved.value, saved.changes, undo)


@dataclass(frozen=True)
class Located:
    """What `locate_by_city` did: accounts placed, and those whose city was not found."""

    placed: int
    unknown: tuple[str, ...]  # account names


def locate_by_city(store: Store, account_ids: list[str]) -> OpResult[Located]:
    """Place each account without coordinates at its city's centre, in one change (one
    undo); accounts whose city the gazetteer does not know are named, not touched."""
    operations, placed, unknown = [], [], []
    for account in store.get_many(Account, account_ids):
        if account.latitude is not None:
            continue
        match = find_city(account.city, account.country) if account.city else None
        if match is None:
            unknown.append(account.name)
            continue
        operations.append(Update(Account, account.id, _location(match.point, LocationSource.CITY)))
        placed.append(account.id)
    changes = store.write_batch(operations).changes if operations else Changes()

    def undo(s: Store) -> Changes:
        cleared = Changes()
        for account_id in placed:
            cleared |= s.update(Account, account_id, _location(None, None)).changes
        return cleared

    result = Located(len(placed), tuple(unknown))
    return OpResult(result, changes, Undo(f"locate {len(placed)} accounts", (undo,)))


def country_outlines(box: tuple[float, float, float, float], tolerance: float) -> list[Ring]:
    """Country borders meeting `box` (west, south, east, north), for the map."""
    return outlines.outlines(box, tolerance)


def map_cities(box: tuple[float, float, float, float], count: int = 40) -> list[tuple[str, Point]]:
    """The `count` largest cities (100,000+ people) inside `box`, largest first."""
    west, south, east, north = box
    inside = (
        (place.name, place.point)
        for place in gazetteer.big_cities()
        if west <= place.point.longitude <= east and south <= place.point.latitude <= north
    )
    return list(itertools.islice(inside, count))
