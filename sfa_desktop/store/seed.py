"""Fill a local store with one demo rep's share of the demo organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sfa_desktop.core.entities import User
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.demo import DemoSize, first_rep, generate
from sfa_desktop.store.store import Store


@dataclass(frozen=True)
class SeedResult:
    user: User
    records: int


def seed_demo_store(store: Store, size: DemoSize, *, seed: int = 7, today: date) -> SeedResult:
    """Import the records the first demo rep would download, and sign in as that rep."""
    rep = first_rep(size, seed=seed, today=today)
    mine = (
        record
        for record in generate(size, seed=seed, today=today)
        if record.entity is EntityKind.USER or record.owner_id == rep.id
    )
    count = store.import_records(mine)
    store.sign_in_as(rep)
    return SeedResult(rep, count)
