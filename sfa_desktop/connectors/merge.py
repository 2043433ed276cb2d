"""Three-way merge of the fields a connector shares: what both sides agreed on at the
last sync (base), the CRM's values now and the server's values now."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sfa_desktop.core.protocol import DELETED_FIELD
from sfa_desktop.store.store_dav import NewConflict


@dataclass
class Merged:
    """The merged values, what the CRM takes from the server, and the fields changed on
    both sides to different values (the CRM's value kept, the server's filed as lost)."""

    values: dict[str, Any]
    take: dict[str, Any] = field(default_factory=dict)
    clashes: list[tuple[str, Any, Any]] = field(default_factory=list)


def three_way(base: dict[str, Any], local: dict[str, Any], remote: dict[str, Any]) -> Merged:
    merged = Merged({})
    for name in local:
        was, mine, theirs = base.get(name), local[name], remote.get(name, local[name])
        if mine == theirs or theirs == was:
            merged.values[name] = mine
        elif mine == was:
            merged.values[name] = theirs
            merged.take[name] = theirs
        else:
            merged.values[name] = mine
            merged.clashes.append((name, mine, theirs))
    return merged


def clash_conflicts(
    entity: str, record_id: str, where: str, clashes: list[tuple[str, Any, Any]]
) -> list[NewConflict]:
    """Review-inbox entries for fields changed on both sides: restoring one writes the
    server's value into the record (an edit that syncs back)."""
    reason = f"Changed in {where} and here since the last sync; the value here was kept"
    return [
        NewConflict(entity, record_id, name, reason, mine, theirs) for name, mine, theirs in clashes
    ]


def deleted_there(entity: str, record_id: str, where: str) -> NewConflict:
    """A record deleted on the server but changed here: it stays; restoring deletes it."""
    reason = f"Deleted in {where} but changed here since the last sync; the record was kept"
    return NewConflict(entity, record_id, DELETED_FIELD, reason, False, True)


def deleted_here(entity: str, record_id: str, where: str) -> NewConflict:
    """A record deleted here but changed on the server: it comes back as the server has
    it; restoring deletes it again."""
    reason = f"Deleted here but changed in {where} since the last sync; it was brought back"
    return NewConflict(entity, record_id, DELETED_FIELD, reason, False, True)
