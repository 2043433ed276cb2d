"""The capture rule: whom a message is with, and the activities it makes.

A message is logged when one of its people (besides the rep) is the address of a known
contact. Addresses and domains on the never-capture list (the company's own domain by
default) are never matched, so they never reach a record. Each account whose contacts
are in the message gets one activity with all of them; contacts without an account share
one. The direction is "out" when the rep sent it. An account's open deal is linked when
exactly one of them has one of the message's contacts as its primary contact, or when
the account has exactly one open deal; else the rep picks one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sfa_desktop.connectors.mail.message import Content, Header
from sfa_desktop.core.enums import Channel
from sfa_desktop.core.rules.mail_keys import activity_id
from sfa_desktop.store.store_mail import Directory

NO_SUBJECT = "(no subject)"


@dataclass(frozen=True)
class Privacy:
    """The rep's own addresses and what is never captured (domains and addresses)."""

    own: frozenset[str]
    never: frozenset[str]

    @classmethod
    def of(cls, own: Iterable[str], never: Iterable[str]) -> Privacy:
        return cls(
            frozenset(a.strip().lower() for a in own if a.strip()),
            frozenset(n.strip().lower().lstrip("@") for n in never if n.strip()),
        )

    def excluded(self, address: str) -> bool:
        """Whether `address` is never captured: listed, or at a listed domain or below."""
        if address in self.never:
            return True
        domain = address.rpartition("@")[2]
        parts = domain.split(".")
        return any(".".join(parts[i:]) in self.never for i in range(len(parts) - 1))


@dataclass(frozen=True)
class Match:
    """Whom a message is with: its direction and its contacts by account."""

    direction: str
    contacts: dict[str | None, tuple[str, ...]]  # account id (None: none) -> contact ids


def match(header: Header, directory: Directory, privacy: Privacy) -> Match | None:
    """The contacts of a message by account, or None when it is not to be logged."""
    outgoing = header.sender in privacy.own
    people = [*header.recipients] if outgoing else [header.sender, *header.recipients]
    contacts: dict[str | None, set[str]] = {}
    for address in people:
        if not address or address in privacy.own or privacy.excluded(address):
            continue
        for contact_id, account_id in directory.contacts.get(address, ()):
            contacts.setdefault(account_id, set()).add(contact_id)
    if not contacts:
        return None
    return Match(
        "out" if outgoing else "in",
        {account: tuple(sorted(ids)) for account, ids in contacts.items()},
    )


def activities(
    header: Header, found: Match, content: Content, directory: Directory, user_id: str
) -> tuple[dict[str, Any], ...]:
    """The activities (fields with their deterministic ids) a matched message makes."""
    made = []
    for account_id in sorted(found.contacts, key=lambda a: a or ""):
        contact_ids = found.contacts[account_id]
        made.append(
            {
                "id": activity_id(user_id, header.key, account_id),
                "channel": Channel.EMAIL,
                "subject": (header.subject or NO_SUBJECT)[:200],
                "notes": content.excerpt,
                "occurred_at": header.sent_at,
                "account_id": account_id,
                "contact_ids": contact_ids,
                "opportunity_id": _deal(directory, account_id, contact_ids),
                "direction": found.direction,
                "message_id": header.message_id,
                "thread_id": header.thread_id,
                "attachments": content.attachments,
            }
        )
    return tuple(made)


def _deal(directory: Directory, account_id: str | None, contact_ids: tuple[str, ...]) -> str | None:
    if account_id is None:
        return None
    deals = directory.open_opportunities.get(account_id, [])
    theirs = [deal for deal, contact in deals if contact in contact_ids]
    if len(theirs) == 1:
        return theirs[0]
    if not theirs and len(deals) == 1:
        return deals[0][0]
    return None
