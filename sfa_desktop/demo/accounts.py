"""Accounts: companies with addresses, revenue history and grades; some are subsidiaries."""

from __future__ import annotations

import random
from collections.abc import Iterator

from sfa_desktop.core.entities import Account
from sfa_desktop.core.enums import LocationSource, Orientation
from sfa_desktop.demo.catalog import ACCOUNT_NOTES, INDUSTRIES, SEGMENTS, Industry
from sfa_desktop.demo.context import Context
from sfa_desktop.demo.geography import (
    COUNTRIES,
    COUNTRY_WEIGHTS,
    Country,
    landline,
    one_line_address,
    postal_code,
    scatter,
    street,
)
from sfa_desktop.demo.naming import company_base, company_name, domain_for
from sfa_desktop.demo.pools import name_pools
from sfa_desktop.demo.randomness import Weighted, between, new_uuid, some_days
from sfa_desktop.demo.revenue import draw_revenue
from sfa_desktop.demo.state import AccountRef, World

SUBSIDIARY_SHARE = 0.1
# Segment weights (Enterprise, Mid-market, SMB) by grade.
_SEGMENT_MIX: dict[str, Weighted[str]] = {
    "A": Weighted(SEGMENTS, (85, 15, 0)),
    "B": Weighted(SEGMENTS, (40, 55, 5)),
    "C": Weighted(SEGMENTS, (5, 60, 35)),
    "D": Weighted(SEGMENTS, (0, 25, 75)),
    "E": Weighted(SEGMENTS, (0, 10, 90)),
}
_COUNTRIES = Weighted(COUNTRIES, COUNTRY_WEIGHTS)
_TRANSACTIONAL_SHARE: dict[str, float] = {"A": 0.1, "B": 0.15, "C": 0.35, "D": 0.55, "E": 0.65}


class _AccountFactory:
    def __init__(self, context: Context, world: World) -> None:
        self._context = context
        self._world = world
        self._rng = context.rng("accounts")
        self._pools = name_pools(context.seed)
        self._domains: set[str] = set()
        self._groups: list[AccountRef] = []  # top-level A and B accounts: parents to be

    def _parent(self) -> AccountRef | None:
        rng, accounts = self._rng, self._world.accounts
        if not accounts or rng.random() >= SUBSIDIARY_SHARE:
            return None
        return rng.choice(self._groups or accounts)

    def _naming(
        self, parent: AccountRef | None, country: Country, city: str
    ) -> tuple[str, str, Industry]:
        """Name without legal form, what its domain is made from, and the industry.

        A subsidiary abroad is "<group> <country>" at the group's name under its own
        country's domain; one at home is "<group> <city>".
        """
        if parent is None:
            industry = self._rng.choice(INDUSTRIES)
            base = company_base(country, industry, self._pools[country.locale], self._rng)
            return base, base, industry
        if country is parent.country:
            base = f"{parent.base_name} {city}"
            return base, base, parent.industry
        return f"{parent.base_name} {country.name}", parent.base_name, parent.industry

    def make(self) -> Account:
        rng: random.Random = self._rng
        context = self._context
        parent = self._parent()
        if parent is not None and rng.random() < 0.5:
            country = parent.country
        else:
            country = _COUNTRIES.pick(rng)
        city = rng.choice(country.cities)
        base, domain_source, industry = self._naming(parent, country, city.name)
        name = company_name(base, country, rng)
        revenue = draw_revenue(rng, context.today.year)
        pool = self._pools[country.locale]
        address = street(country, rng, rng.choice(pool.first_names), rng.choice(pool.last_names))
        postal = postal_code(country, city, rng)
        owner = rng.choice(self._world.team.reps_in(country))
        created = context.now - some_days(rng, 800, 2200)
        grade = revenue.grade
        account_id = new_uuid(rng)
        latitude, longitude = scatter(city, account_id)
        account = Account(
            id=account_id,
            owner_id=owner.id,
            created_at=created,
            updated_at=between(rng, created, context.now),
            name=name,
            domain=domain_for(domain_source, country.tld, self._domains),
            industry=industry.name,
            segment=_SEGMENT_MIX[grade].pick(rng),
            grade=grade,
            parent_id=parent.id if parent else None,
            street=address,
            city=city.name,
            postal_code=postal,
            country=country.name,
            phone=landline(country, city, rng),
            potential_revenue=revenue.potential,
            orientation=Orientation.TRANSACTIONAL
            if rng.random() < _TRANSACTIONAL_SHARE[grade]
            else Orientation.RELATIONSHIP,
            is_partner=rng.random() < 0.05,
            revenue_history=revenue.history,
            notes=rng.choice(ACCOUNT_NOTES) if rng.random() < 0.2 else "",
            latitude=latitude,
            longitude=longitude,
            located_by=LocationSource.PIN,
        )
        ref = AccountRef(
            id=account.id,
            name=name,
            base_name=base,
            owner_id=owner.id,
            grade=grade,
            industry=industry,
            country=country,
            city=city,
            address=one_line_address(country, address, postal, city),
            domain=account.domain,
            created_at=created,
            historical_revenue=revenue.historical,
            potential_revenue=revenue.potential,
        )
        self._world.accounts.append(ref)
        if grade in ("A", "B") and parent is None:
            self._groups.append(ref)
        return account


def make_accounts(count: int, context: Context, world: World) -> Iterator[Account]:
    """`count` accounts; a parent is always made before its subsidiaries."""
    factory = _AccountFactory(context, world)
    for _ in range(count):
        yield factory.make()
