"""How much demo data to make."""

from __future__ import annotations

from dataclasses import dataclass, fields

# The benchmark mix, per 100,000 contacts.
_PER_100K_CONTACTS = {
    "accounts": 20_000,
    "opportunities": 50_000,
    "activities": 200_000,
    "events": 15_000,
    "tasks": 15_000,
    "leads": 7_500,
}
_MAX_REPS = 200


@dataclass(frozen=True)
class DemoSize:
    """Record counts per kind.

    Besides `reps` field reps the generator always makes one sales director, two
    first-line managers and one admin. Stage changes, account plans, quotas and
    forecast submissions follow from the other counts.
    """

    reps: int = 6
    accounts: int = 200
    contacts: int = 1000
    opportunities: int = 500
    activities: int = 2000
    events: int = 300
    tasks: int = 300
    leads: int = 150

    def __post_init__(self) -> None:
        for field in fields(self):
            if getattr(self, field.name) < 0:
                raise ValueError(f"{field.name} cannot be negative")
        if self.reps < 1:
            raise ValueError("the demo needs at least one rep")
        needs_accounts = self.contacts or self.opportunities or self.activities or self.events
        if needs_accounts and self.accounts < 1:
            raise ValueError("contacts, opportunities, activities and events need accounts")

    @classmethod
    def scaled(cls, contacts: int) -> DemoSize:
        """The benchmark mix for `contacts` contacts (100k contacts -> 20k accounts, ...)."""
        if contacts < 0:
            raise ValueError("contacts cannot be negative")
        counts = {name: contacts * per // 100_000 for name, per in _PER_100K_CONTACTS.items()}
        if contacts:
            counts["accounts"] = max(1, counts["accounts"])
        reps = min(_MAX_REPS, max(6, contacts // 2000))
        return cls(reps=reps, contacts=contacts, **counts)
