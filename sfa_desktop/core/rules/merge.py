"""Merging duplicate accounts or contacts, the same on the client and on the server.

A merge keeps one record (the survivor) and folds others into it: the survivor takes the
values the user picked from the merged records, every record that pointed at a merged
record points at the survivor instead, and the merged records are deleted. Nothing of
their history is lost: activities, opportunities (with their stage history), events,
tasks, plans and converted leads move to the survivor.

Pure functions over JSON field dicts (what `Record.data_fields()` returns and the server
stores), so the local store and the sync server re-point the same fields the same way.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sfa_desktop.core.entities import MODELS, REFERENCES, Record
from sfa_desktop.core.entities.base import CUSTOM_KEY
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.protocol import MAX_MERGED_IDS

# Kinds that can be merged, and how many records one merge may fold into its survivor.
MERGEABLE: frozenset[EntityKind] = frozenset({EntityKind.ACCOUNT, EntityKind.CONTACT})
MAX_MERGED = MAX_MERGED_IDS
# A pick of BOTH for a text field keeps every record's text (survivor's first).
BOTH = "both"
TEXT_FIELDS = frozenset({"notes"})
NOTES_SEPARATOR = "\n\n"
# Fields a merge never takes from a merged record: ids and stamps, and the owner (it
# changes only by an admin's reassignment).
UNPICKABLE = Record.META_FIELDS | {"owner_id"}


class Shape(StrEnum):
    ONE = "one"  # a single id (or None)
    MANY = "many"  # a list of ids
    KEY_CONTACTS = "key_contacts"  # a list of objects with a `contact_id`


@dataclass(frozen=True)
class Reference:
    """A field of `entity` that holds the id(s) of `target` records."""

    entity: EntityKind
    field: str
    target: EntityKind
    shape: Shape


def _shape(kind: EntityKind, name: str) -> Shape:
    annotation = MODELS[kind].model_fields[name].annotation
    if typing.get_origin(annotation) is tuple:
        return Shape.MANY
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if any(typing.get_origin(arg) is tuple for arg in args):
            return Shape.MANY
    return Shape.ONE


def _references() -> tuple[Reference, ...]:
    found = [
        Reference(kind, name, target, _shape(kind, name))
        for kind, fields in REFERENCES.items()
        for name, target in fields.items()
        if target in MERGEABLE
    ]
    # Nested ids the flat REFERENCES table does not list: an account plan's key contacts.
    found.append(
        Reference(EntityKind.ACCOUNT_PLAN, "key_contacts", EntityKind.CONTACT, Shape.KEY_CONTACTS)
    )
    return tuple(found)


REFERENCES_TO_MERGEABLE: tuple[Reference, ...] = _references()


def references_to(kind: EntityKind) -> tuple[Reference, ...]:
    """Every field of every entity that refers to records of `kind`."""
    return tuple(ref for ref in REFERENCES_TO_MERGEABLE if ref.target is kind)


def check_merge(kind: EntityKind, survivor_id: str, merged_ids: Sequence[str]) -> None:
    """Raise DomainError unless `merged_ids` can be folded into `survivor_id`."""
    if kind not in MERGEABLE:
        raise DomainError(f"{kind.value} records cannot be merged (only accounts and contacts)")
    if not merged_ids:
        raise DomainError("a merge needs at least one record to fold into the survivor")
    if len(merged_ids) > MAX_MERGED:
        raise DomainError(f"a merge folds at most {MAX_MERGED} records at once")
    if len(set(merged_ids)) != len(merged_ids):
        raise DomainError("a record is listed twice in the merge")
    if survivor_id in merged_ids:
        raise DomainError("a record cannot be merged into itself")


def repoint(
    entity: EntityKind,
    fields: Mapping[str, Any],
    moves: Mapping[str, str],
    target: EntityKind | None = None,
    record_id: str | None = None,
) -> dict[str, Any]:
    """The fields of a record of `entity` that change when ids move as `moves` says
    ({merged id: survivor id}); only references to `target` (any mergeable kind if None).

    Lists stay in order without duplicates (the first mention stays); a key contact
    listed for both a merged contact and its survivor keeps the survivor's entry. A record
    that would come to point at itself (an account whose parent is merged into it) points
    at nothing instead.
    """
    changed: dict[str, Any] = {}
    for ref in REFERENCES_TO_MERGEABLE:
        if ref.entity is not entity or (target is not None and ref.target is not target):
            continue
        value = fields.get(ref.field)
        if not value:
            continue
        if ref.shape is Shape.ONE:
            new = moves.get(value, value)
            if new == record_id and ref.target is entity:
                new = None
            if new != value:
                changed[ref.field] = new
        elif ref.shape is Shape.MANY:
            ids = list(dict.fromkeys(moves.get(i, i) for i in value))
            if ids != list(value):
                changed[ref.field] = ids
        else:
            entries = _repoint_key_contacts(value, moves)
            if entries != list(value):
                changed[ref.field] = entries
    return changed


def _repoint_key_contacts(
    entries: Iterable[Mapping[str, Any]], moves: Mapping[str, str]
) -> list[dict[str, Any]]:
    kept: dict[str, dict[str, Any]] = {}
    for entry in entries:
        old = entry["contact_id"]
        new = moves.get(old, old)
        if new not in kept or old == new:  # the survivor's own entry replaces a moved one
            kept[new] = {**entry, "contact_id": new}
    return list(kept.values())


def refers_to(entity: EntityKind, fields: Mapping[str, Any], ids: Iterable[str]) -> bool:
    """Whether a record of `entity` points at any of `ids`."""
    return bool(repoint(entity, fields, dict.fromkeys(ids, "\0")))


def merged_values(
    kind: EntityKind,
    survivor_id: str,
    records: Mapping[str, Mapping[str, Any]],
    picked: Mapping[str, str],
) -> dict[str, Any]:
    """The survivor's fields that change in a merge.

    `records` holds the fields of the survivor and of every merged record by id;
    `picked` maps a field to the record whose value the user chose (the survivor's value
    stays for fields not picked), or to BOTH for notes (each record's notes, survivor's
    first, without repeats). Revenue history is always merged by year: the picked
    record's (the survivor's unless picked) amount wins a year, the others fill the years
    it lacks.
    """
    model = MODELS[kind]
    if survivor_id not in records:
        raise DomainError(f"the survivor {survivor_id} is not among the merged records")
    survivor = records[survivor_id]
    values: dict[str, Any] = {}
    for name, source in picked.items():
        known = name in model.model_fields or CUSTOM_KEY.match(name)  # an admin's field
        if not known or name in UNPICKABLE:
            raise DomainError(f"{name} of a {kind.value} cannot be picked in a merge")
        if source == BOTH:
            if name not in TEXT_FIELDS:
                raise DomainError(f"only {', '.join(sorted(TEXT_FIELDS))} can keep both values")
            texts = [survivor.get(name), *(r.get(name) for _, r in _others(records, survivor_id))]
            values[name] = _joined_text(str(text or "") for text in texts)
        elif source not in records:
            raise DomainError(f"{name} is picked from {source}, which is not in the merge")
        else:
            values[name] = records[source].get(name)
    if kind is EntityKind.ACCOUNT:
        first = picked.get("revenue_history", survivor_id)
        order = [first, *(i for i in records if i != first)]
        values["revenue_history"] = merged_revenue(
            [records[i].get("revenue_history") or () for i in order]
        )
    return {name: value for name, value in values.items() if survivor.get(name) != value}


def _others(
    records: Mapping[str, Mapping[str, Any]], survivor_id: str
) -> list[tuple[str, Mapping[str, Any]]]:
    return [(i, r) for i, r in records.items() if i != survivor_id]


def _joined_text(texts: Iterable[str]) -> str:
    kept = dict.fromkeys(text.strip() for text in texts if text.strip())
    return NOTES_SEPARATOR.join(kept)


def merged_revenue(histories: Iterable[Iterable[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """Revenue histories merged by year: the first history naming a year wins it."""
    years: dict[int, dict[str, Any]] = {}
    for history in histories:
        for entry in history:
            years.setdefault(int(entry["year"]), dict(entry))
    return [years[year] for year in sorted(years)]


def suggested_picks(
    kind: EntityKind, survivor_id: str, records: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """A starting point for the user's choice: each field the survivor leaves empty is
    taken from the first merged record that has it; notes keep BOTH when several differ."""
    model = MODELS[kind]
    survivor = records[survivor_id]
    picks: dict[str, str] = {}
    custom = sorted({name for r in records.values() for name in r if CUSTOM_KEY.match(name)})
    for name in [*model.model_fields, *custom]:
        if name in UNPICKABLE or name == "revenue_history":
            continue
        if name in TEXT_FIELDS:
            texts = {str(r.get(name) or "").strip() for r in records.values()} - {""}
            if len(texts) > 1:
                picks[name] = BOTH
            elif texts and not str(survivor.get(name) or "").strip():
                picks[name] = next(i for i, r in records.items() if str(r.get(name) or "").strip())
            continue
        if _empty(survivor.get(name)):
            for record_id, record in _others(records, survivor_id):
                if not _empty(record.get(name)):
                    picks[name] = record_id
                    break
    return picks


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


# -- account plans: one per account and fiscal year -----------------------------------------


def fold_plan(into: Mapping[str, Any], plan: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of plan `into` that change when `plan` (same account after the merge,
    same fiscal year) is folded into it: objectives, actions and key contacts appended
    (without repeats; `into`'s entry wins), coverage cells `into` lacks filled in. Its
    grade, targets and status stay."""
    changed: dict[str, Any] = {}
    objectives = list(dict.fromkeys([*into.get("objectives", ()), *plan.get("objectives", ())]))
    actions = _union_by(into.get("actions", ()), plan.get("actions", ()), "id")
    contacts = _union_by(into.get("key_contacts", ()), plan.get("key_contacts", ()), "contact_id")
    cells = {(c["channel"], c["quarter"]) for c in into.get("coverage", ())}
    coverage = [
        *into.get("coverage", ()),
        *(c for c in plan.get("coverage", ()) if (c["channel"], c["quarter"]) not in cells),
    ]
    for name, value in (
        ("objectives", objectives),
        ("actions", actions),
        ("key_contacts", contacts),
        ("coverage", coverage),
    ):
        if value != list(into.get(name, ())):
            changed[name] = value
    return changed


def _union_by(
    first: Iterable[Mapping[str, Any]], second: Iterable[Mapping[str, Any]], key: str
) -> list[dict[str, Any]]:
    kept: dict[Any, dict[str, Any]] = {}
    for entry in [*first, *second]:
        kept.setdefault(entry[key], dict(entry))
    return list(kept.values())


@dataclass
class PlanMerge:
    """What an account merge does to the accounts' plans."""

    updates: dict[str, dict[str, Any]] = field(default_factory=dict)  # plan id: changed fields
    deleted: list[str] = field(default_factory=list)  # plans folded into another


def merge_plans(
    survivor_id: str,
    merged_ids: Sequence[str],
    plans: Iterable[tuple[str, Mapping[str, Any]]],
) -> PlanMerge:
    """Move the merged accounts' plans to the survivor; a plan for a fiscal year the
    survivor already has a plan for (its own, or one moved before it) is folded into that
    one and deleted. Plans are taken survivor's first, then in `merged_ids` order."""
    rank = {account_id: index for index, account_id in enumerate([survivor_id, *merged_ids])}
    ordered = sorted(
        ((plan_id, fields) for plan_id, fields in plans if fields.get("account_id") in rank),
        key=lambda item: (rank[item[1]["account_id"]], item[0]),
    )
    outcome = PlanMerge()
    by_year: dict[int, tuple[str, dict[str, Any]]] = {}  # fiscal year: (plan id, fields now)
    for plan_id, fields in ordered:
        year = int(fields["fiscal_year"])
        if year in by_year:
            into_id, into = by_year[year]
            changes = fold_plan(into, fields)
            if changes:
                into.update(changes)
                outcome.updates.setdefault(into_id, {}).update(changes)
            outcome.deleted.append(plan_id)
            outcome.updates.pop(plan_id, None)
            continue
        current = dict(fields)
        if fields["account_id"] != survivor_id:
            current["account_id"] = survivor_id
            outcome.updates[plan_id] = {"account_id": survivor_id}
        by_year[year] = (plan_id, current)
    return outcome
