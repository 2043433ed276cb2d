"""Leads from the web, trade shows, referrals, cold calls and campaigns, in every status."""

from __future__ import annotations

import random
from collections.abc import Iterator

from sfa_desktop.core.entities import Lead
from sfa_desktop.core.enums import BuyingRole, LeadStatus
from sfa_desktop.demo.catalog import (
    CAMPAIGNS,
    DISQUALIFY_REASONS,
    INDUSTRIES,
    LEAD_NOTES,
    LEAD_SOURCE_WEIGHTS,
    LEAD_SOURCES,
    TITLES,
    TRADE_FAIRS,
)
from sfa_desktop.demo.context import Context
from sfa_desktop.demo.geography import COUNTRIES, COUNTRY_WEIGHTS, landline
from sfa_desktop.demo.naming import company_base, company_name, domain_for, email_local
from sfa_desktop.demo.pools import name_pools
from sfa_desktop.demo.randomness import Weighted, between, new_uuid
from sfa_desktop.demo.state import World

CONVERTED_SHARE = 0.1
_FRESH_DAYS = 21  # leads younger than this are still new or being worked
_STATUSES = Weighted(
    (LeadStatus.WORKING, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED, LeadStatus.NEW),
    (40, 20, 30, 10),
)
_SOURCES = Weighted(LEAD_SOURCES, LEAD_SOURCE_WEIGHTS)
_COUNTRIES = Weighted(COUNTRIES, COUNTRY_WEIGHTS)
_ROLES = tuple(BuyingRole)


class _LeadFactory:
    def __init__(self, context: Context, world: World) -> None:
        self._context = context
        self._world = world
        self._rng = context.rng("leads")
        self._pools = name_pools(context.seed)
        self._domains: set[str] = set()

    def _source(self, country_code: str, year: int) -> tuple[str, str]:
        """Where the lead came from and the campaign or fair behind it."""
        rng = self._rng
        source = _SOURCES.pick(rng)
        if source == "campaign" or (source == "web" and rng.random() < 0.4):
            return source, rng.choice(CAMPAIGNS)
        if source == "trade show":
            return source, f"{rng.choice(TRADE_FAIRS[country_code])[0]} {year}"
        return source, ""

    def converted(self) -> Lead:
        """A lead that became one of the accounts, with its contact and maybe a deal."""
        rng: random.Random = self._rng
        account = rng.choice(self._world.accounts)
        contact = rng.choice(account.contacts) if account.contacts else None
        deal = rng.choice(account.opportunities) if account.opportunities else None
        first, last = (contact.first_name, contact.last_name) if contact else ("", "")
        created = between(
            rng,
            account.created_at - (self._context.now - account.created_at) / 10,
            account.created_at,
        )
        source, campaign = self._source(account.country.code, created.year)
        return Lead(
            id=new_uuid(rng),
            owner_id=account.owner_id,
            created_at=created,
            updated_at=account.created_at,
            first_name=first,
            last_name=last,
            company=account.name,
            title=contact.title if contact else "",
            email=f"{email_local(first, last, rng)}@{account.domain}" if contact else None,
            source=source,
            campaign=campaign,
            status=LeadStatus.CONVERTED,
            converted_account_id=account.id,
            converted_contact_id=contact.id if contact else None,
            converted_opportunity_id=deal.id if deal and rng.random() < 0.7 else None,
        )

    def open(self) -> Lead:
        """A lead that is not (yet) an account: new, worked, qualified or disqualified."""
        rng: random.Random = self._rng
        context = self._context
        team = self._world.team
        country = _COUNTRIES.pick(rng)
        pool = self._pools[country.locale]
        first, last = rng.choice(pool.first_names), rng.choice(pool.last_names)
        base = company_base(country, rng.choice(INDUSTRIES), pool, rng)
        company = company_name(base, country, rng)
        domain = domain_for(company, country.tld, self._domains)
        created = context.days_ago(rng, 0, 365)
        age = (context.now - created).days
        if age < _FRESH_DAYS:
            status = LeadStatus.NEW if rng.random() < 0.7 else LeadStatus.WORKING
        else:
            status = _STATUSES.pick(rng)
        source, campaign = self._source(country.code, created.year)
        city = rng.choice(country.cities)
        return Lead(
            id=new_uuid(rng),
            owner_id=rng.choice(team.reps_in(country)).id,
            created_at=created,
            updated_at=between(rng, created, context.now),
            first_name=first,
            last_name=last,
            company=company,
            title=rng.choice(TITLES[rng.choice(_ROLES)]),
            email=f"{email_local(first, last, rng)}@{domain}" if rng.random() < 0.85 else None,
            phone=landline(country, city, rng) if rng.random() < 0.6 else None,
            source=source,
            campaign=campaign,
            status=status,
            notes=rng.choice(LEAD_NOTES),
            disqualify_reason=rng.choice(DISQUALIFY_REASONS)
            if status is LeadStatus.DISQUALIFIED
            else "",
        )


def make_leads(count: int, context: Context, world: World) -> Iterator[Lead]:
    """`count` leads; about a tenth converted into existing accounts."""
    factory = _LeadFactory(context, world)
    rng = context.rng("lead-kinds")
    for _ in range(count):
        if world.accounts and rng.random() < CONVERTED_SHARE:
            yield factory.converted()
        else:
            yield factory.open()
