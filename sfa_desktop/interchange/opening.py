"""Opening an import file as the source its content calls for (CSV or vCard)."""

from __future__ import annotations

from pathlib import Path

from sfa_desktop.interchange.csv_source import CsvSource
from sfa_desktop.interchange.limits import DEFAULT_LIMITS, Limits
from sfa_desktop.interchange.source import Source
from sfa_desktop.interchange.vcard_source import VCardSource, looks_like_vcard


def open_source(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> Source:
    """A CSV or vCard source for `path`, its format detected (by content, then suffix)."""
    path = Path(path)
    if looks_like_vcard(path, limits):
        return VCardSource.open(path, limits)
    return CsvSource.open(path, limits)
