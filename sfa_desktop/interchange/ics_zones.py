"""Time zones in .ics files: the IANA zone a TZID names, and the VTIMEZONE we write.

Reading: a TZID is an IANA name, a Windows name as Outlook and Exchange write them
("W. Europe Standard Time"; CLDR's windowsZones table as the `icalendar` library ships
it, generated from CLDR and updated with it), or a "globally unique" /vendor/Area/City.

Writing: each zone as one STANDARD and one DAYLIGHT block with a yearly RRULE, as
Google, Thunderbird and Outlook write it, from the zone's current rule: the POSIX TZ
string at the end of its tzdata file ("CET-1CEST,M3.5.0,M10.5.0/3"). A zone whose rule
cannot be said as a yearly RRULE gets icalendar's list of transitions instead.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

from dateutil.rrule import rrulestr
from icalendar import Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

_NAME = r"(<[^>]+>|[A-Za-z]{3,})"
_OFFSET = r"([+-]?\d{1,2}(?::\d{2}){0,2})"
_RULE = r"M(\d{1,2})\.(\d)\.(\d)(?:/([+-]?\d{1,3}(?::\d{2}){0,2}))?"
_POSIX = re.compile(rf"^{_NAME}{_OFFSET}(?:{_NAME}{_OFFSET}?,{_RULE},{_RULE})?$")
_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
_SHORTEST = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # days of each month
FIRST_YEAR = 1970  # where the rule-based blocks start, as vzic's Outlook-style zones do


def is_iana(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def iana_name(tzid: str) -> str | None:
    """The IANA zone a TZID names (IANA, Windows or /vendor/Area/City), else None."""
    name = tzid.strip().strip('"').strip()
    if not name:
        return None
    if is_iana(name):
        return name
    windows = WINDOWS_TO_OLSON.get(name)
    if windows is not None:
        return windows
    parts = name.strip("/").split("/")
    for start in range(1, len(parts)):
        candidate = "/".join(parts[start:])
        if is_iana(candidate):
            return candidate
    return None


def _tzif(name: str) -> bytes | None:
    for base in zoneinfo.TZPATH:
        path = Path(base, name)
        if path.is_file():
            return path.read_bytes()
    try:
        return resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None


def posix_rule(name: str) -> str:
    """The zone's current rule as its tzdata file ends with it ("" if none)."""
    data = _tzif(name)
    if not data or not data.startswith(b"TZif") or data[4:5] not in (b"2", b"3", b"4"):
        return ""
    return data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii", "replace").strip()


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _byday_rule(month: str, week: str, day: str, at: str | None) -> tuple[str, int] | None:
    """(RRULE, seconds after local midnight) of a POSIX Mm.w.d/time, or None when a
    yearly RRULE cannot say it (a time shifting the day across a month's edge)."""
    seconds = _seconds(at) if at else 7200
    shift, seconds = divmod(seconds, 86400)
    nth, weekday = int(week), _DAYS[(int(day) + shift) % 7]
    rule = f"FREQ=YEARLY;BYMONTH={int(month)}"
    if shift == 0:
        return f"{rule};BYDAY={-1 if nth == 5 else nth}{weekday}", seconds
    first, last = (-7 + shift, -1 + shift) if nth == 5 else (7 * nth - 6 + shift, 7 * nth + shift)
    if (nth == 5 and last > -1) or (nth < 5 and (first < 1 or last > _SHORTEST[int(month)])):
        return None
    days = ",".join(str(d) for d in range(first, last + 1))
    return f"{rule};BYDAY={weekday};BYMONTHDAY={days}", seconds


def _block(
    kind: type[TimezoneStandard] | type[TimezoneDaylight],
    name: str,
    offsets: tuple[int, int],
    rule: tuple[str, int] | None,
) -> TimezoneStandard | TimezoneDaylight:
    block = kind()
    start = datetime(FIRST_YEAR, 1, 1)
    if rule is not None:
        first = rrulestr(rule[0], dtstart=start).after(start - timedelta(days=1), inc=True)
        assert first is not None
        start = first + timedelta(seconds=rule[1])
        block.add("rrule", {k.lower(): v for k, v in _rule_parts(rule[0]).items()})
    block.add("dtstart", start)
    block.add("tzname", name.strip("<>"))
    block.add("tzoffsetfrom", timedelta(seconds=offsets[0]))
    block.add("tzoffsetto", timedelta(seconds=offsets[1]))
    return block


def _rule_parts(rule: str) -> dict[str, list[str]]:
    return {key: value.split(",") for key, value in (p.split("=") for p in rule.split(";"))}


def rule_based_vtimezone(name: str) -> Timezone | None:
    """A VTIMEZONE with yearly rules for IANA zone `name`, or None if its rule does not fit."""
    match = _POSIX.match(posix_rule(name))
    if match is None:
        return None
    std_name, std_offset, dst_name, dst_offset, *rules = match.groups()
    std = -_seconds(std_offset)
    zone = Timezone()
    zone.add("tzid", name)
    zone.add("x-lic-location", name)
    if not _follows_its_rule(name, 1 if dst_name is None else 2):
        return None
    if dst_name is None:
        zone.add_component(_block(TimezoneStandard, std_name, (std, std), None))
        return zone
    dst = -_seconds(dst_offset) if dst_offset else std + 3600
    to_dst, to_std = _byday_rule(*rules[:4]), _byday_rule(*rules[4:])
    if to_dst is None or to_std is None:
        return None
    # The larger offset is the summer one, whatever tzdata calls it (Dublin's winter
    # time is its "daylight saving"): readers expect DAYLIGHT to be ahead of STANDARD.
    summer, winter = (TimezoneDaylight, TimezoneStandard)[:: 1 if dst > std else -1]
    zone.add_component(_block(summer, dst_name, (std, dst), to_dst))
    zone.add_component(_block(winter, std_name, (dst, std), to_std))
    return zone


def _follows_its_rule(name: str, offsets: int) -> bool:
    """The zone has no more distinct offsets over the next years than its rule says (Morocco's
    Ramadan changes are listed one by one in tzdata, not in its rule)."""
    zone = zoneinfo.ZoneInfo(name)
    start = datetime.now(zone).replace(hour=12, minute=0, second=0, microsecond=0)
    seen = {(start + timedelta(days=day)).utcoffset() for day in range(0, 5 * 366, 3)}
    return len(seen) <= offsets


def vtimezone(name: str) -> Timezone:
    """The VTIMEZONE we write for IANA zone `name` (rule-based when the rule allows)."""
    zone = rule_based_vtimezone(name)
    if zone is not None:
        return zone
    return Timezone.from_tzinfo(
        zoneinfo.ZoneInfo(name), name, date(FIRST_YEAR, 1, 1), date(2100, 1, 1)
    )
