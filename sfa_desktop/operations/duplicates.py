"""Duplicate accounts and contacts: find the groups, compare a group's records, merge them.

A merge has no undo here: the merged records are deleted and their history re-pointed
on this device and, once synced, on the server for everyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sfa_desktop.core.entities import (
    Account,
    Activity,
    CalendarEvent,
    Contact,
    FieldDefinition,
    Opportunity,
    Record,
    Task,
)
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.rules.matching import DEFAULT_REGION
from sfa_desktop.core.rules.merge import suggested_picks
from sfa_desktop.operations.result import OpResult
from sfa_desktop.store import Store
from sfa_desktop.store.duplicates import DuplicateSet

_MODELS: dict[EntityKind, type[Account] | type[Contact]] = {
    EntityKind.ACCOUNT: Account,
    EntityKind.CONTACT: Contact,
}
# Activities counted per contact at most (the count shows "1000+" beyond).
ACTIVITY_LIMIT = 1000


@dataclass(frozen=True)
class Candidate:
    """One record of a duplicate group, with what the comparison shows beside its fields."""

    record: Account | Contact
    label: str
    owner: str  # the owner's name
    related: tuple[tuple[str, int], ...]  # ("Activities", 3), ...

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def name(self) -> str:
        """The name alone ('Jane Doe', where the label may add the account)."""
        record = self.record
        return record.full_name if isinstance(record, Contact) else record.name

    def fields(self) -> dict[str, Any]:
        return self.record.data_fields()


@dataclass(frozen=True)
class Comparison:
    """The records of a group as they are now (ones deleted meanwhile are left out)."""

    group: DuplicateSet
    candidates: tuple[Candidate, ...]
    account_names: Mapping[str, str]  # accounts the records refer to (account, parent): name
    custom_fields: tuple[FieldDefinition, ...] = ()  # the kind's, retired ones too

    @property
    def kind(self) -> EntityKind:
        return self.group.kind

    @property
    def complete(self) -> bool:
        """Whether every record of the group still exists."""
        return len(self.candidates) == len(self.group.record_ids)

    def candidate(self, record_id: str) -> Candidate:
        return next(c for c in self.candidates if c.id == record_id)

    def suggested_picks(self, survivor_id: str) -> dict[str, str]:
        records = {c.id: c.fields() for c in self.candidates}
        return suggested_picks(self.kind, survivor_id, records)


def find(
    store: Store, kind: EntityKind, region: str = DEFAULT_REGION, min_score: float = 0.5
) -> list[DuplicateSet]:
    """Groups of look-alike accounts or contacts, most certain first."""
    return store.find_duplicates(kind, region=region, min_score=min_score)


def compare(store: Store, group: DuplicateSet) -> Comparison:
    """The group's records with owner, account and counts of their related records."""
    model = _MODELS[group.kind]
    records: Sequence[Account | Contact] = store.get_many(model, list(group.record_ids))
    users = {user.id: user.name for user in store.users()}
    labels = dict(zip(group.record_ids, group.labels, strict=True))
    referred = {r.account_id if isinstance(r, Contact) else r.parent_id for r in records} - {None}
    accounts = {a.id: a.name for a in store.get_many(Account, sorted(str(i) for i in referred))}
    candidates = tuple(
        Candidate(
            record=record,
            label=labels[record.id],
            owner=users.get(record.owner_id or "", ""),
            related=_related(store, record),
        )
        for record in records
    )
    definitions = tuple(store.field_definitions(group.kind, include_retired=True))
    return Comparison(group, candidates, accounts, definitions)


def _related(store: Store, record: Record) -> tuple[tuple[str, int], ...]:
    """How many records point at `record` (a few id queries, no rows loaded)."""
    if isinstance(record, Account):
        where = {"account_id": record.id}
        return (
            ("Contacts", len(store.ids(Contact, where=where))),
            ("Opportunities", len(store.ids(Opportunity, where=where))),
            ("Activities", len(store.ids(Activity, where=where))),
            ("Events", len(store.ids(CalendarEvent, where=where))),
        )
    return (
        ("Activities", len(store.activities_for_contact(record.id, limit=ACTIVITY_LIMIT))),
        ("Opportunities", len(store.ids(Opportunity, where={"primary_contact_id": record.id}))),
        ("Tasks", len(store.ids(Task, where={"contact_id": record.id}))),
    )


def merge(
    store: Store,
    kind: EntityKind,
    survivor_id: str,
    merged_ids: Sequence[str],
    picked: Mapping[str, str],
) -> OpResult[Account | Contact]:
    """Fold `merged_ids` into `survivor_id` in one transaction (see Store.merge).

    No undo: the merged records are gone and their history belongs to the survivor.
    """
    saved = store.merge(kind, survivor_id, merged_ids, picked)
    survivor = saved.value
    if not isinstance(survivor, (Account, Contact)):
        raise DomainError(f"{kind.value} records cannot be merged")
    return OpResult(survivor, saved.changes)
