"""Contacts: the people at each account, with roles, channels and do-not-contact flags."""

from __future__ import annotations

import random
from collections.abc import Iterator

from sfa_desktop.core.entities import Contact
from sfa_desktop.core.enums import BuyingRole, Channel
from sfa_desktop.demo.catalog import CONTACT_NOTES, TITLES, UNSPECIFIED_TITLES
from sfa_desktop.demo.context import Context
from sfa_desktop.demo.geography import COUNTRIES, landline, mobile
from sfa_desktop.demo.naming import email_local
from sfa_desktop.demo.pools import name_pools
from sfa_desktop.demo.randomness import Weighted, between, new_uuid
from sfa_desktop.demo.state import AccountRef, ContactRef, World
from sfa_desktop.demo.weights import CONTACTS_BY_GRADE, per_account

# Buying roles in BuyingRole order, then none.
_ROLES = Weighted[BuyingRole | None]((*BuyingRole, None), (15, 25, 25, 10, 10, 15))
_CHANNELS = (Channel.VISIT, Channel.CALL, Channel.EMAIL, Channel.MAIL, Channel.EVENT)
_CHANNEL_WEIGHTS = (25, 30, 35, 5, 5)
_DO_NOT_CALL, _DO_NOT_EMAIL, _DO_NOT_MAIL = 0.06, 0.08, 0.05


def _reachable(
    has_phone: bool, has_email: bool, do_not_call: bool, do_not_email: bool, do_not_mail: bool
) -> frozenset[Channel]:
    """Channels a contact can be reached by and has not opted out of."""
    reachable = {Channel.VISIT, Channel.EVENT}
    if has_phone and not do_not_call:
        reachable.add(Channel.CALL)
    if has_email and not do_not_email:
        reachable.add(Channel.EMAIL)
    if not do_not_mail:
        reachable.add(Channel.MAIL)
    return frozenset(reachable)


class _ContactFactory:
    def __init__(self, context: Context) -> None:
        self._context = context
        self._rng = context.rng("contacts")
        self._pools = name_pools(context.seed)

    def _preferred(self, reachable: frozenset[Channel]) -> Channel | None:
        rng = self._rng
        if rng.random() < 0.25:
            return None
        options = [
            (c, w) for c, w in zip(_CHANNELS, _CHANNEL_WEIGHTS, strict=True) if c in reachable
        ]
        return Weighted([c for c, _ in options], [w for _, w in options]).pick(rng)

    def make(self, account: AccountRef, first_role: bool, used_emails: set[str]) -> Contact:
        rng: random.Random = self._rng
        country = account.country if rng.random() < 0.9 else rng.choice(COUNTRIES)
        pool = self._pools[country.locale]
        first, last = rng.choice(pool.first_names), rng.choice(pool.last_names)
        role = BuyingRole.DECISION_MAKER if first_role else _ROLES.pick(rng)
        title = rng.choice(TITLES[role]) if role else rng.choice(UNSPECIFIED_TITLES)
        email = None
        if rng.random() < 0.95:
            local, number = email_local(first, last, rng), 2
            email = f"{local}@{account.domain}"
            while email in used_emails:
                email, number = f"{local}{number}@{account.domain}", number + 1
            used_emails.add(email)
        phone = landline(account.country, account.city, rng) if rng.random() < 0.8 else None
        cell = mobile(account.country, account.city, rng) if rng.random() < 0.5 else None
        flags = (
            rng.random() < _DO_NOT_CALL,
            rng.random() < _DO_NOT_EMAIL,
            rng.random() < _DO_NOT_MAIL,
        )
        reachable = _reachable(bool(phone or cell), email is not None, *flags)
        created = between(rng, account.created_at, self._context.now)
        contact = Contact(
            id=new_uuid(rng),
            owner_id=account.owner_id,
            created_at=created,
            updated_at=between(rng, created, self._context.now),
            account_id=account.id,
            first_name=first,
            last_name=last,
            title=title,
            buying_role=role,
            email=email,
            phone=phone,
            mobile=cell,
            preferred_channel=self._preferred(reachable),
            do_not_call=flags[0],
            do_not_email=flags[1],
            do_not_mail=flags[2],
            notes=rng.choice(CONTACT_NOTES) if rng.random() < 0.1 else "",
        )
        unreachable = frozenset(_CHANNELS) - reachable
        account.contacts.append(ContactRef(contact.id, first, last, title, role, unreachable))
        return contact


def make_contacts(count: int, context: Context, world: World) -> Iterator[Contact]:
    """`count` contacts over the accounts, more for better grades; each account's first
    contact is a decision maker."""
    factory = _ContactFactory(context)
    counts = per_account(count, world.accounts, CONTACTS_BY_GRADE, context.rng("contact-counts"), 1)
    for account, number in zip(world.accounts, counts, strict=True):
        used_emails: set[str] = set()
        for index in range(number):
            yield factory.make(account, index == 0, used_emails)
