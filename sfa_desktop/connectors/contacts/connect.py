"""Connect CardDAV address books and run one sync."""

from __future__ import annotations

from collections.abc import Callable

from caldav.davclient import DAVClient

from sfa_desktop.connectors.calendar.engine import Report
from sfa_desktop.connectors.contacts.engine import KIND, ContactsSync
from sfa_desktop.connectors.contacts.remote import (
    AddressBookRemote,
    find_address_books,
    vcard_version,
)
from sfa_desktop.connectors.dav.connection import run_connection
from sfa_desktop.connectors.dav.secrets import save_password
from sfa_desktop.connectors.dav.session import (
    FAILURES,
    ConnectorError,
    auth_type_of,
    failure,
    open_client,
    path_of,
)
from sfa_desktop.store import Store
from sfa_desktop.store.store_dav import DavAccount, DavBatch
from sfa_desktop.sync.credentials import Credentials


def connect_address_books(
    store: Store,
    credentials: Credentials,
    url: str,
    username: str,
    password: str,
    only: str | None = None,
    options: dict[str, object] | None = None,
) -> list[DavAccount]:
    """Connect the user's address books found from `url` (or only the one named `only`);
    `options` may choose contacts by "accounts" (ids) or "grades". Cards are written in
    the vCard version each address book says it prefers."""
    client = open_client(url, username, password)
    try:
        found = find_address_books(client)
    except FAILURES as exc:
        raise failure(exc, url) from None
    if only:
        found = [f for f in found if only in (f.name, f.url, path_of(f.url))]
    if not found:
        which = f" called {only!r}" if only else ""
        raise ConnectorError(f"{url} has no address book{which} for {username}")
    known = {account.collection_url for account in store.dav_accounts(KIND)}
    try:
        versions = {b.url: vcard_version(client, b.url) for b in found if b.url not in known}
    except FAILURES as exc:
        raise failure(exc, url) from None
    auth = {"auth": auth_type_of(client)} if auth_type_of(client) else {}
    added = [
        store.add_dav_account(
            KIND,
            url,
            username,
            book.url,
            book.name or "Contacts",
            {**(options or {}), "version": versions[book.url], **auth},
        )
        for book in found
        if book.url not in known
    ]
    if not added:
        raise ConnectorError(f"every address book of {username} at {url} is connected already")
    save_password(credentials, url, username, password)
    return added


def sync_contacts(store: Store, credentials: Credentials, account: DavAccount) -> Report:
    """One sync of a connected address book; ConnectorError (one line, also kept as the
    connection's last error) when it failed."""

    def work(client: DAVClient, more: Callable[[], DAVClient]) -> Report:
        book = account
        if "version" not in book.options:  # connected before versions were asked
            version = vcard_version(client, book.collection_url)
            options = {**book.options, "version": version}
            store.dav_apply(book.id, DavBatch(account={"options": options}))
            book = store.dav_account(book.id)
        remote = AddressBookRemote(client, book.collection_url, more)
        return ContactsSync(store, book, remote).run()

    return run_connection(store, credentials, account, work)
