"""What a write changed, so each view refreshes only what it shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sfa_desktop.core.enums import EntityKind

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """The entity kinds a write touched, and whether the conflict inbox changed."""

    kinds: frozenset[EntityKind] = frozenset()
    conflicts: bool = False

    @classmethod
    def of(cls, *kinds: EntityKind) -> Changes:
        return cls(frozenset(kinds))

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.kinds | other.kinds, self.conflicts or other.conflicts)

    def __contains__(self, kind: object) -> bool:
        return kind in self.kinds

    def __bool__(self) -> bool:
        return bool(self.kinds) or self.conflicts


@dataclass(frozen=True)
class Saved(Generic[T]):
    """The result of a write: the value written and what changed."""

    value: T
    changes: Changes
