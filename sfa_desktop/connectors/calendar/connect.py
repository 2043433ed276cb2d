"""Connect CalDAV calendars (found from the server's root or given directly) and run one
sync of a connected calendar."""

from __future__ import annotations

from collections.abc import Callable

from caldav.davclient import DAVClient

from sfa_desktop.connectors.calendar.engine import KIND, CalendarSync, Report
from sfa_desktop.connectors.calendar.remote import CalendarRemote, find_calendars
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
from sfa_desktop.store.store_dav import DavAccount
from sfa_desktop.sync.credentials import Credentials


def connect_calendars(
    store: Store,
    credentials: Credentials,
    url: str,
    username: str,
    password: str,
    only: str | None = None,
) -> list[DavAccount]:
    """Find the user's event calendars from `url` (the server's root, a principal or a
    calendar) and connect them, or only the one whose name or address is `only`. The
    first calendar ever connected also receives the CRM's events. ConnectorError (one
    line) when the server cannot be reached, refuses the password or has no calendar."""
    client = open_client(url, username, password)
    try:
        found = find_calendars(client)
    except FAILURES as exc:
        raise failure(exc, url) from None
    if only:
        found = [f for f in found if only in (f.name, f.url, path_of(f.url))]
    if not found:
        which = f" called {only!r}" if only else ""
        raise ConnectorError(f"{url} has no calendar{which} for {username}")
    known = {account.collection_url for account in store.dav_accounts(KIND)}
    pushing = any(a.options.get("push_crm") for a in store.dav_accounts(KIND))
    added = []
    options: dict[str, object] = {"auth": auth_type_of(client)} if auth_type_of(client) else {}
    for calendar in found:
        if calendar.url in known:
            continue
        options["push_crm"] = not pushing
        pushing = True
        name = calendar.name or path_of(calendar.url).rstrip("/").rsplit("/", 1)[-1]
        added.append(store.add_dav_account(KIND, url, username, calendar.url, name, dict(options)))
    if not added:
        raise ConnectorError(f"every calendar of {username} at {url} is connected already")
    save_password(credentials, url, username, password)
    return added


def sync_calendar(store: Store, credentials: Credentials, account: DavAccount) -> Report:
    """One sync of a connected calendar; ConnectorError (one line, also kept as the
    connection's last error) when it failed."""

    def work(client: DAVClient, more: Callable[[], DAVClient]) -> Report:
        remote = CalendarRemote(client, account.collection_url, more)
        return CalendarSync(store, account, remote).run()

    return run_connection(store, credentials, account, work)
