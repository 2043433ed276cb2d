"""The conflict inbox as a view shows it, and its two actions."""

from __future__ import annotations

from dataclasses import dataclass

from sfa_desktop.core.entities import MODELS
from sfa_desktop.operations.result import OpResult
from sfa_desktop.store import Store
from sfa_desktop.store.conflicts import Conflict

_TITLE_FIELDS = ("name", "title", "subject", "company", "last_name", "period")


@dataclass(frozen=True)
class ConflictItem:
    conflict: Conflict
    record_title: str  # "(deleted)" when the record is gone


def conflict_items(store: Store) -> list[ConflictItem]:
    """Open conflicts, newest first, each with the title of the record it is about."""
    items = []
    for conflict in store.conflicts():
        found = store.get_many(MODELS[conflict.entity], [conflict.entity_id])
        title = "(deleted)"
        if found:
            record = found[0]
            title = next(
                (str(getattr(record, f)) for f in _TITLE_FIELDS if getattr(record, f, "")), ""
            )
        items.append(ConflictItem(conflict, title))
    return items


def restore(store: Store, conflict_id: str) -> OpResult[None]:
    """Put the losing value back: a normal edit that syncs like any other."""
    return OpResult(None, store.restore_conflict(conflict_id))


def dismiss(store: Store, conflict_id: str) -> OpResult[None]:
    return OpResult(None, store.dismiss_conflict(conflict_id))
