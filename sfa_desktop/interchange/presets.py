"""Column mappings for the exports of common CRMs and address books, found from the header:
the products' own (`crm_presets`), vCard files (Apple Contacts, iCloud: read by
`vcard_source` into its own columns) and this app's own CSV export (`record_columns`), so
exported lists import again.
"""

from __future__ import annotations

from collections.abc import Sequence

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange.crm_presets import crm_presets
from sfa_desktop.interchange.preset_model import Preset as Preset  # re-exported for callers


def _vcard() -> Preset:
    from sfa_desktop.interchange.vcard_source import VCARD_PRESET_COLUMNS

    return Preset(
        "vcard",
        "vCard (Apple Contacts, iCloud, Outlook, Google)",
        EntityKind.CONTACT,
        VCARD_PRESET_COLUMNS,
        distinctive=(),
        source="vCard 2.1/3.0/4.0 properties read by vcard_source",
    )


def _own(kind: EntityKind) -> Preset:
    from sfa_desktop.interchange.record_columns import RECORD_COLUMNS

    columns = {c.header: c.target for c in RECORD_COLUMNS[kind]}
    return Preset(
        f"sfa-{kind.value}s",
        f"This app's {kind.value} export",
        kind,
        columns,
        distinctive=tuple(c.header for c in RECORD_COLUMNS[kind] if c.distinctive),
        source="record_columns",
    )


def all_presets() -> tuple[Preset, ...]:
    return (
        *crm_presets(),
        _vcard(),
        *(_own(kind) for kind in (EntityKind.ACCOUNT, EntityKind.CONTACT, EntityKind.LEAD)),
    )


PRESETS: dict[str, Preset] = {preset.key: preset for preset in all_presets()}


def preset(key: str) -> Preset:
    try:
        return PRESETS[key]
    except KeyError:
        raise ValueError(f"no preset {key!r}") from None


def detect_preset(headers: Sequence[str], kind: EntityKind | None = None) -> Preset | None:
    """The preset whose headers the file has most of, weighting headers distinctive of
    one product; None unless a preset knows two columns, one of them distinctive of it.
    With `kind`, a preset of that kind wins a tie."""
    present = {h.strip().casefold() for h in headers}
    best: tuple[int, int] | None = None
    found: Preset | None = None
    for candidate in PRESETS.values():
        if candidate.key == "vcard":
            continue
        known = [h for h in candidate.columns if h.casefold() in present]
        distinctive = [h for h in candidate.distinctive if h.casefold() in present]
        if len(known) < 2 or not distinctive:
            continue
        score = (len(known) + 2 * len(distinctive), int(candidate.kind is kind))
        if best is None or score > best:
            best, found = score, candidate
    return found
