"""What an operation returns: its value, what changed, and how to undo it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sfa_desktop.store import Changes, Store

T = TypeVar("T")
Step = Callable[[Store], Changes]


@dataclass(frozen=True)
class Undo:
    """The inverse of one change, as store writes (so the undo also reaches the outbox)."""

    label: str
    steps: tuple[Step, ...]

    def apply(self, store: Store) -> Changes:
        changes = Changes()
        for step in self.steps:
            changes |= step(store)
        return changes


@dataclass(frozen=True)
class OpResult(Generic[T]):
    value: T
    changes: Changes
    undo: Undo | None = field(default=None)
