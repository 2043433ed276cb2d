"""The sales organisation: director, managers, admin and field reps."""

from __future__ import annotations

import random
from datetime import timedelta

from sfa_desktop.core.entities import User
from sfa_desktop.core.enums import Role
from sfa_desktop.demo.context import Context
from sfa_desktop.demo.geography import COUNTRIES, Country
from sfa_desktop.demo.naming import dotted_local
from sfa_desktop.demo.pools import name_pools
from sfa_desktop.demo.randomness import new_uuid
from sfa_desktop.demo.size import DemoSize
from sfa_desktop.demo.state import Team

EMAIL_DOMAIN = "example.com"


class _UserFactory:
    def __init__(self, context: Context) -> None:
        self._context = context
        self._rng = context.rng("users")
        self._pools = name_pools(context.seed)
        self._emails: set[str] = set()

    def make(self, country: Country, role: Role, manager: User | None = None) -> User:
        rng: random.Random = self._rng
        pool = self._pools[country.locale]
        first, last = rng.choice(pool.first_names), rng.choice(pool.last_names)
        local = dotted_local(first, last)
        email, number = f"{local}@{EMAIL_DOMAIN}", 2
        while email in self._emails:
            email, number = f"{local}{number}@{EMAIL_DOMAIN}", number + 1
        self._emails.add(email)
        created = self._context.now - timedelta(days=rng.randint(400, 1500))
        return User(
            id=new_uuid(rng),
            name=f"{first} {last}",
            email=email,
            role=role,
            manager_id=manager.id if manager else None,
            created_at=created,
            updated_at=created,
        )


def make_team(size: DemoSize, context: Context) -> Team:
    """The same team for the same seed and day; rep i covers COUNTRIES[i % 4]."""
    factory = _UserFactory(context)
    director = factory.make(COUNTRIES[0], Role.MANAGER)
    managers = tuple(factory.make(COUNTRIES[i], Role.MANAGER, director) for i in range(2))
    admin = factory.make(COUNTRIES[0], Role.ADMIN)
    territories: dict[str, Country] = {}
    reps = []
    for index in range(size.reps):
        country = COUNTRIES[index % len(COUNTRIES)]
        rep = factory.make(country, Role.REP, managers[index % len(managers)])
        territories[rep.id] = country
        reps.append(rep)
    return Team(director, managers, admin, tuple(reps), territories)
