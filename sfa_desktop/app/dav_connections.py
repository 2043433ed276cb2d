"""The rep's calendars and address books for Settings ▸ Connections: what is connected and
how its last sync went, connecting (discovery from the server's root), removing, and the
cards made on the phone offered for import. Plain calls the dialog runs on the task
manager's pools (the network ones on the network pool)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sfa_desktop.connectors.calendar.connect import connect_calendars
from sfa_desktop.connectors.contacts.connect import connect_address_books
from sfa_desktop.connectors.contacts.offered import Imported, Offered, import_offered
from sfa_desktop.connectors.contacts.offered import offered_contacts as _offered
from sfa_desktop.connectors.dav.secrets import forget_password
from sfa_desktop.connectors.dav.session import ConnectorError
from sfa_desktop.store import Store
from sfa_desktop.store.store_dav import DavAccount
from sfa_desktop.sync.credentials import Credentials

__all__ = [
    "CALENDAR",
    "CONTACTS",
    "Connection",
    "ConnectorError",
    "Imported",
    "Offered",
    "connect",
    "connections",
    "import_cards",
    "offered",
    "remove",
]

CALENDAR, CONTACTS = "calendar", "contacts"


@dataclass(frozen=True)
class Connection:
    """One connected calendar or address book as the dialog shows it."""

    id: str
    kind: str
    name: str
    where: str  # user at host
    last_sync_at: datetime | None
    summary: str  # the last run's line
    error: str  # the last run's failure, "" when it went well
    offered: int  # cards made on the phone, waiting to be imported


def connections(store: Store) -> list[Connection]:
    """Every connection, calendars first, with its last sync."""
    found = []
    for account in sorted(store.dav_accounts(), key=lambda a: (a.kind != CALENDAR, a.name)):
        host = urlsplit(account.url).hostname or account.url
        waiting = len(_offered(store, account.id)) if account.kind == CONTACTS else 0
        found.append(
            Connection(
                account.id,
                account.kind,
                account.name,
                f"{account.username} at {host}",
                account.last_sync_at,
                account.last_summary,
                account.last_error,
                waiting,
            )
        )
    return found


def connect(
    store: Store, kind: str, url: str, username: str, password: str, grades: Sequence[str] = ()
) -> list[DavAccount]:
    """Connect the calendars (or address books) found from `url`; ConnectorError in one
    line. An address book may keep only the contacts of accounts of some `grades`."""
    credentials = Credentials(vault=store)
    if kind == CALENDAR:
        return connect_calendars(store, credentials, url.strip(), username.strip(), password)
    options: dict[str, object] = {"grades": sorted(set(grades))} if grades else {}
    return connect_address_books(
        store, credentials, url.strip(), username.strip(), password, options=options
    )


def remove(store: Store, connection_id: str) -> None:
    """Forget a connection (the records stay), and its password when no other connection
    to that server and user is left."""
    account = store.dav_account(connection_id)
    store.remove_dav_account(connection_id)
    others = [
        a for a in store.dav_accounts() if (a.url, a.username) == (account.url, account.username)
    ]
    if not others:
        forget_password(Credentials(vault=store), account.url, account.username)


def offered(store: Store, connection_id: str) -> list[Offered]:
    """The cards made on the phone that the CRM has no contact for."""
    return _offered(store, connection_id)


def import_cards(store: Store, connection_id: str, hrefs: Collection[str]) -> Imported:
    """Make CRM contacts of the chosen cards (linked, so later syncs keep them in step)."""
    return import_offered(store, connection_id, hrefs)
