"""Countries and cities the demo companies sit in, with matching addresses and phones."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    postal_prefixes: tuple[str, ...]
    area_code: str
    timezone: str
    latitude: float  # the centre (GeoNames), where the demo scatters its companies
    longitude: float


@dataclass(frozen=True)
class Country:
    """A sales territory: its language, legal forms, number formats and cities."""

    code: str
    name: str
    locale: str  # the Faker locale its people's names come from
    language: str  # en, de or fr: picks the industry words in company names
    tld: str
    dial_code: str
    legal_forms: tuple[str, ...]
    mobile_prefixes: tuple[str, ...]
    street_patterns: tuple[str, ...]
    cities: tuple[City, ...]
    weight: int  # share of accounts in this country


def _cities(zone: str, *rows: tuple[str, str, str, float, float]) -> tuple[City, ...]:
    return tuple(
        City(name, tuple(prefixes.split()), area, zone, lat, lon)
        for name, prefixes, area, lat, lon in rows
    )


GERMANY = Country(
    code="DE",
    name="Germany",
    locale="de_DE",
    language="de",
    tld="de",
    dial_code="+49",
    legal_forms=("GmbH", "GmbH", "GmbH", "AG", "GmbH & Co. KG", "SE", "KG"),
    mobile_prefixes=("151", "152", "160", "170", "171", "175", "176", "179"),
    street_patterns=(
        "{last}straße {n}",
        "{last}weg {n}",
        "Industriestraße {n}",
        "Hauptstraße {n}",
        "Am {last}park {n}",
        "Gewerbering {n}",
    ),
    cities=_cities(
        "Europe/Berlin",
        ("Berlin", "10 12 13", "30", 52.5244, 13.4105),
        ("Hamburg", "20 21 22", "40", 53.5507, 9.9930),
        ("München", "80 81", "89", 48.1374, 11.5755),
        ("Köln", "50 51", "221", 50.9333, 6.9500),
        ("Frankfurt am Main", "60 65", "69", 50.1155, 8.6842),
        ("Stuttgart", "70", "711", 48.7823, 9.1770),
        ("Düsseldorf", "40", "211", 51.2232, 6.7793),
        ("Leipzig", "04", "341", 51.3396, 12.3713),
        ("Dortmund", "44", "231", 51.5149, 7.4660),
        ("Essen", "45", "201", 51.4566, 7.0123),
        ("Bremen", "28", "421", 53.0758, 8.8072),
        ("Dresden", "01", "351", 51.0509, 13.7383),
        ("Hannover", "30", "511", 52.3705, 9.7332),
        ("Nürnberg", "90", "911", 49.4542, 11.0775),
        ("Mannheim", "68", "621", 49.4891, 8.4669),
        ("Karlsruhe", "76", "721", 49.0094, 8.4044),
    ),
    weight=35,
)

FRANCE = Country(
    code="FR",
    name="France",
    locale="fr_FR",
    language="fr",
    tld="fr",
    dial_code="+33",
    legal_forms=("SAS", "SAS", "SA", "SARL"),
    mobile_prefixes=("6", "7"),
    street_patterns=(
        "{n} rue {last}",
        "{n} avenue {first} {last}",
        "{n} boulevard {last}",
        "{n} rue de la République",
        "{n} quai {last}",
    ),
    cities=_cities(
        "Europe/Paris",
        ("Paris", "75 92", "1", 48.8534, 2.3488),
        ("Lyon", "69", "4", 45.7491, 4.8479),
        ("Marseille", "13", "4", 43.2970, 5.3811),
        ("Toulouse", "31", "5", 43.6043, 1.4437),
        ("Nice", "06", "4", 43.7031, 7.2661),
        ("Nantes", "44", "2", 47.2172, -1.5534),
        ("Strasbourg", "67", "3", 48.5839, 7.7455),
        ("Montpellier", "34", "4", 43.6109, 3.8763),
        ("Bordeaux", "33", "5", 44.8412, -0.5805),
        ("Lille", "59", "3", 50.6339, 3.0551),
        ("Rennes", "35", "2", 48.1111, -1.6743),
        ("Grenoble", "38", "4", 45.1787, 5.7148),
    ),
    weight=20,
)

UNITED_KINGDOM = Country(
    code="GB",
    name="United Kingdom",
    locale="en_GB",
    language="en",
    tld="co.uk",
    dial_code="+44",
    legal_forms=("Ltd", "Ltd", "Ltd", "plc", "LLP"),
    mobile_prefixes=("7700", "7712", "7801", "7912", "7958"),
    street_patterns=(
        "{n} {last} Road",
        "{n} {last} Street",
        "{n} {last} Lane",
        "Unit {n}, {last} Business Park",
        "{n} High Street",
    ),
    cities=_cities(
        "Europe/London",
        ("London", "EC1A EC2M W1D WC2N SE1 E14 N1", "20", 51.5085, -0.1257),
        ("Manchester", "M1 M2 M3 M15", "161", 53.4809, -2.2374),
        ("Birmingham", "B1 B2 B3 B15", "121", 52.4814, -1.8998),
        ("Leeds", "LS1 LS2 LS11", "113", 53.7965, -1.5478),
        ("Glasgow", "G1 G2 G3", "141", 55.8651, -4.2576),
        ("Edinburgh", "EH1 EH2 EH3", "131", 55.9521, -3.1965),
        ("Bristol", "BS1 BS2 BS8", "117", 51.4552, -2.5966),
        ("Liverpool", "L1 L2 L3", "151", 53.4106, -2.9779),
        ("Sheffield", "S1 S2 S3", "114", 53.3830, -1.4659),
        ("Cardiff", "CF10 CF11", "29", 51.4800, -3.1800),
        ("Nottingham", "NG1 NG2 NG7", "115", 52.9536, -1.1505),
        ("Cambridge", "CB1 CB2 CB4", "1223", 52.2000, 0.1167),
    ),
    weight=20,
)

UNITED_STATES = Country(
    code="US",
    name="United States",
    locale="en_US",
    language="en",
    tld="com",
    dial_code="+1",
    legal_forms=("Inc.", "Inc.", "LLC", "Corp."),
    mobile_prefixes=(),
    street_patterns=(
        "{n} {last} Street",
        "{n} {last} Avenue",
        "{n} {last} Boulevard",
        "{n} {last} Drive, Suite {suite}",
        "{n} Main Street",
    ),
    cities=(
        *_cities(
            "America/New_York",
            ("New York", "100 101", "212", 40.7143, -74.0060),
            ("Boston", "021", "617", 42.3584, -71.0598),
        ),
        *_cities(
            "America/New_York",
            ("Atlanta", "303", "404", 33.7490, -84.3880),
            ("Philadelphia", "191", "215", 39.9524, -75.1636),
        ),
        *_cities(
            "America/Chicago",
            ("Chicago", "606", "312", 41.8500, -87.6500),
            ("Dallas", "752", "214", 32.7831, -96.8067),
        ),
        *_cities(
            "America/Chicago",
            ("Houston", "770", "713", 29.7633, -95.3633),
            ("Austin", "787", "512", 30.2672, -97.7431),
        ),
        *_cities("America/Denver", ("Denver", "802", "303", 39.7392, -104.9847)),
        *_cities("America/Phoenix", ("Phoenix", "850", "602", 33.4484, -112.0740)),
        *_cities("America/Los_Angeles", ("Seattle", "981", "206", 47.6062, -122.3321)),
        *_cities("America/Los_Angeles", ("San Francisco", "941", "415", 37.7749, -122.4194)),
        *_cities("America/Los_Angeles", ("Los Angeles", "900", "213", 34.0522, -118.2437)),
    ),
    weight=25,
)

COUNTRIES: tuple[Country, ...] = (GERMANY, FRANCE, UNITED_KINGDOM, UNITED_STATES)
COUNTRY_WEIGHTS: tuple[int, ...] = tuple(country.weight for country in COUNTRIES)
_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward part of UK postcodes


def _digits(rng: random.Random, count: int) -> str:
    return f"{rng.randrange(10**count):0{count}d}"


def postal_code(country: Country, city: City, rng: random.Random) -> str:
    """A postcode in the city: its prefix filled up to five digits, or a UK outward code
    with a random inward code."""
    prefix = rng.choice(city.postal_prefixes)
    if country is UNITED_KINGDOM:
        return f"{prefix} {rng.randint(1, 9)}{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}"
    return prefix + _digits(rng, 5 - len(prefix))


def street(country: Country, rng: random.Random, first: str, last: str) -> str:
    """A street line in the country's style, named after a person where the pattern asks."""
    pattern = rng.choice(country.street_patterns)
    number = rng.randint(1, 250) if country is not UNITED_STATES else rng.randint(10, 9800)
    return pattern.format(first=first, last=last, n=number, suite=rng.randint(100, 900))


def one_line_address(country: Country, street_line: str, postal: str, city: City) -> str:
    """The address the way it is written in the country, on one line."""
    if country.language == "en":
        return f"{street_line}, {city.name} {postal}"
    return f"{street_line}, {postal} {city.name}"


def landline(country: Country, city: City, rng: random.Random) -> str:
    """An office number in the city's area, in the country's usual notation."""
    code, area = country.dial_code, city.area_code
    if country is FRANCE:
        return f"{code} {area} " + " ".join(_digits(rng, 2) for _ in range(4))
    if country is UNITED_STATES:
        return f"{code} {area}-{rng.randint(200, 989)}-{_digits(rng, 4)}"
    if country is UNITED_KINGDOM:  # ten digits after the trunk 0, area code included
        length = 10 - len(area)
        local = _digits(rng, length)
        return f"{code} {area} {local[: length - 4]} {local[length - 4 :]}"
    return f"{code} {area} {rng.randint(1, 9)}{_digits(rng, 9 - len(area))}"


def mobile(country: Country, city: City, rng: random.Random) -> str:
    """A mobile number (in the US mobiles share the city's area codes)."""
    code = country.dial_code
    if country is UNITED_STATES:
        return f"{code} {city.area_code}-{rng.randint(200, 989)}-{_digits(rng, 4)}"
    prefix = rng.choice(country.mobile_prefixes)
    if country is FRANCE:
        return f"{code} {prefix} " + " ".join(_digits(rng, 2) for _ in range(4))
    if country is UNITED_KINGDOM:
        return f"{code} {prefix} {_digits(rng, 6)}"
    return f"{code} {prefix} {_digits(rng, 7)}"


def scatter(city: City, key: str, radius_km: float = 15.0) -> tuple[float, float]:
    """A point within `radius_km` of the city centre, evenly over the disc, the same for the
    same `key` (an account's id), drawn apart from the generator's streams so they stay put."""
    rng = random.Random(f"scatter:{key}")
    distance = radius_km * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    north, east = distance * math.cos(bearing), distance * math.sin(bearing)
    latitude = city.latitude + north / 111.2
    longitude = city.longitude + east / (111.2 * math.cos(math.radians(city.latitude)))
    return round(latitude, 5), round(longitude, 5)
