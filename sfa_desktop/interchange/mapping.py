"""Which column goes to which field: found automatically, changed by the user.

`auto_map` starts from the preset that fits the header (if any) and maps the columns it
does not know by comparing the folded header with each field's label and synonyms:
an exact match first, then a close one (rapidfuzz ratio ≥ 85), never taking a field an
earlier column already has. A `ColumnMapping` is immutable: `assign` returns a new one.

Several columns may feed one field: text fields that join (names, street lines, notes)
join them, the others take the first non-empty value. `phone_labels` pairs a phone
column with the column naming its type (Google's "Phone 1 - Label": "Mobile" sends the
number to the mobile field).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.normalize import fold
from sfa_desktop.interchange.fields import TargetField, fields_of, target
from sfa_desktop.interchange.presets import PRESETS, Preset, detect_preset

SIMILAR_HEADER = 85.0  # rapidfuzz ratio, 0..100
_TYPED_VALUE = re.compile(r"^(?P<stem>.*?\d+)\s*-\s*value$", re.IGNORECASE)


@dataclass(frozen=True)
class ColumnMapping:
    """Per column of `headers`, the key of the field it fills (None: left out).

    `joins` overrides how a field fed by several columns combines them (key, separator):
    `combine("name", " ")` makes "First Name" + "Last Name" one account name."""

    kind: EntityKind
    headers: tuple[str, ...]
    targets: tuple[str | None, ...]
    phone_labels: tuple[tuple[int, int], ...] = ()  # (phone column, its label column)
    preset: str | None = None
    joins: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if len(self.targets) != len(self.headers):
            raise ValueError("one target per column")
        for key in self.targets:
            if key is not None and target(self.kind, key) is None:
                raise ValueError(f"{key!r} is not a {self.kind.value} field")

    # -- editing ------------------------------------------------------------------------------

    def assign(self, column: int, key: str | None) -> ColumnMapping:
        """This mapping with `column` sent to field `key` (None: left out)."""
        if not 0 <= column < len(self.headers):
            raise IndexError(f"no column {column}")
        targets = list(self.targets)
        targets[column] = key
        return replace(self, targets=tuple(targets))

    def ignore(self, column: int) -> ColumnMapping:
        return self.assign(column, None)

    def combine(self, key: str, separator: str | None = " ") -> ColumnMapping:
        """Join the columns of field `key` with `separator` (None: the first non-empty
        value, the others only count for duplicates); the field's default otherwise."""
        if target(self.kind, key) is None:
            raise ValueError(f"{key!r} is not a {self.kind.value} field")
        joins = tuple((k, s) for k, s in self.joins if k != key)
        return replace(self, joins=(*joins, (key, separator if separator is not None else "")))

    @classmethod
    def restore(
        cls, headers: Sequence[str], kind: EntityKind, saved: dict[str, str | None]
    ) -> ColumnMapping:
        """A mapping saved with `as_dict` applied to `headers` (the columns it does not
        know are mapped automatically; fields `kind` lacks are left out)."""
        mapping = auto_map(headers, kind)
        for column, header in enumerate(headers):
            if header in saved:
                key = saved[header]
                mapping = mapping.assign(column, key if key and target(kind, key) else None)
        return mapping

    def for_kind(self, kind: EntityKind) -> ColumnMapping:
        """The same columns mapped for another kind of record (fields it lacks dropped)."""
        targets = tuple(k if k is not None and target(kind, k) else None for k in self.targets)
        return replace(self, kind=kind, targets=targets)

    # -- reading ------------------------------------------------------------------------------

    def field(self, column: int) -> TargetField | None:
        key = self.targets[column]
        return target(self.kind, key) if key is not None else None

    def mapped_keys(self) -> set[str]:
        return {k for k in self.targets if k is not None}

    def join_for(self, key: str) -> str | None:
        """How the columns of `key` combine: a separator, or None for the first value."""
        for joined, separator in self.joins:
            if joined == key:
                return separator or None
        spec = target(self.kind, key)
        return spec.join if spec is not None else None

    def label_column(self, column: int) -> int | None:
        return next((label for value, label in self.phone_labels if value == column), None)

    def as_dict(self) -> dict[str, str | None]:
        """Header → field key (what a saved mapping keeps)."""
        return dict(zip(self.headers, self.targets, strict=True))

    def problems(self) -> list[str]:
        """What keeps this mapping from importing anything, in words."""
        keys = self.mapped_keys()
        if self.kind is EntityKind.ACCOUNT and "name" not in keys:
            return ["Choose the column with the account name."]
        if self.kind is EntityKind.CONTACT and not keys & {"last_name", "full_name"}:
            return ["Choose the column with the last name (or the full name)."]
        if self.kind is EntityKind.LEAD and not keys & {"last_name", "full_name", "company"}:
            return ["Choose the column with the last name, the full name or the company."]
        return []


def _fuzzy_choices(kind: EntityKind) -> dict[str, str]:
    """Folded name → field key (the first field claiming a name keeps it)."""
    choices: dict[str, str] = {}
    for candidate in fields_of(kind):
        for name in candidate.names():
            choices.setdefault(name, candidate.key)
    return choices


def _single(kind: EntityKind, key: str) -> bool:
    found = target(kind, key)
    return found is not None and found.join is None


def _pair_phone_labels(
    headers: Sequence[str], targets: Sequence[str | None]
) -> tuple[tuple[int, int], ...]:
    """Google's "Phone 1 - Value" with its "Phone 1 - Label" (or "- Type") column."""
    by_name = {h.strip().casefold(): i for i, h in enumerate(headers)}
    pairs = []
    for index, header in enumerate(headers):
        match = _TYPED_VALUE.match(header.strip())
        if match is None or targets[index] not in ("phone", "mobile"):
            continue
        stem = match.group("stem").casefold()
        for suffix in (" - label", " - type"):
            label = by_name.get(stem + suffix)
            if label is not None:
                pairs.append((index, label))
                break
    return tuple(pairs)


def auto_map(
    headers: Sequence[str],
    kind: EntityKind,
    preset: Preset | str | None = None,
    *,
    detect: bool = True,
) -> ColumnMapping:
    """A mapping for `headers`: from `preset` (or the detected one), then by similarity."""
    if isinstance(preset, str):
        preset = PRESETS[preset]
    if preset is None and detect:
        preset = detect_preset(headers, kind)
    targets: list[str | None] = [None] * len(headers)
    decided = [False] * len(headers)
    if preset is not None:
        for index, header in enumerate(headers):
            known, key = preset.target_for(header, kind)
            decided[index] = known
            targets[index] = key
    choices = _fuzzy_choices(kind)
    names = list(choices)
    for index, header in enumerate(headers):
        if decided[index]:
            continue
        folded = fold(header)
        if not folded:
            continue
        key = choices.get(folded)
        if key is None:
            best = process.extractOne(folded, names, scorer=fuzz.ratio, score_cutoff=SIMILAR_HEADER)
            key = choices[best[0]] if best else None
        if key is not None and _single(kind, key) and key in targets:
            continue
        targets[index] = key
    return ColumnMapping(
        kind=kind,
        headers=tuple(headers),
        targets=tuple(targets),
        phone_labels=_pair_phone_labels(headers, targets),
        preset=preset.key if preset is not None else None,
    )
