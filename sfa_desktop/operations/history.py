"""The history a record shows: its trail, with the names of the records its changes name."""

from __future__ import annotations

from dataclasses import dataclass, field

from sfa_desktop.core.entities import MODELS, REFERENCES, Record
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store import Store
from sfa_desktop.store.history import HistoryEntry
from sfa_desktop.sync.rates import corporate_currency

# Fields of every record that point at a user.
_USER_FIELDS = {"owner_id": EntityKind.USER}
_TITLE_ATTRIBUTES = ("full_name", "display_name", "name", "title", "subject")


@dataclass(frozen=True)
class RecordHistory:
    """A record's history (newest first) and what its values need to read well."""

    entity: EntityKind
    record_id: str
    entries: list[HistoryEntry]
    # The currency of its money fields: the record's own, else the corporate currency.
    currency: str
    # Names of the records (and users) the changes point at, by id; missing: not here.
    titles: dict[str, str] = field(default_factory=dict)


def title_of(record: Record) -> str:
    """A readable name for any record (a contact's full name, a lead's display name…)."""
    for attribute in _TITLE_ATTRIBUTES:
        value = getattr(record, attribute, None)
        if isinstance(value, str) and value:
            return value
    return record.id


def load_history(store: Store, entity: EntityKind, record_id: str) -> RecordHistory:
    entries = store.history(entity, record_id)
    targets = {**REFERENCES[entity], **_USER_FIELDS}
    wanted: dict[EntityKind, set[str]] = {}
    for entry in entries:
        for change in entry.changes:
            kind = targets.get(change.field)
            if kind is None:
                continue
            for value in (change.old, change.new):
                values = value if isinstance(value, list) else [value]
                wanted.setdefault(kind, set()).update(v for v in values if isinstance(v, str))
    titles = {
        record.id: title_of(record)
        for kind, ids in wanted.items()
        for record in store.get_many(MODELS[kind], sorted(ids))
    }
    found = store.get_many(MODELS[entity], [record_id])
    currency = getattr(found[0], "currency", None) if found else None
    return RecordHistory(entity, record_id, entries, currency or corporate_currency(store), titles)
