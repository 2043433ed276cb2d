"""The local SQLite store: schema, migrations, search and the Store facade."""

from sfa_desktop.store.changes import Changes, Saved
from sfa_desktop.store.engine import WrongStoreKey
from sfa_desktop.store.rescue import Rescue, StoreDamaged
from sfa_desktop.store.search import SearchHit
from sfa_desktop.store.store import LeadConversion, Store

__all__ = [
    "Changes",
    "LeadConversion",
    "Rescue",
    "Saved",
    "SearchHit",
    "Store",
    "StoreDamaged",
    "WrongStoreKey",
]
