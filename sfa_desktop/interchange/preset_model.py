"""A preset: how one product's export names its columns, and what each column is here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange.fields import target


@dataclass(frozen=True)
class Preset:
    """Header → target field key (None: the column is known and left out on purpose)."""

    key: str
    name: str
    kind: EntityKind
    columns: Mapping[str, str | None]
    distinctive: tuple[str, ...]  # headers that point at this product in particular
    source: str = ""

    def lookup(self) -> dict[str, str | None]:
        return {header.casefold(): key for header, key in self.columns.items()}

    def target_for(self, header: str, kind: EntityKind) -> tuple[bool, str | None]:
        """(known, target key usable for `kind`) for a header of this preset."""
        table = self.lookup()
        folded = header.strip().casefold()
        if folded not in table:
            return False, None
        key = table[folded]
        return True, key if key is not None and target(kind, key) is not None else None
