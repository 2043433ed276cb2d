"""One run of a connected calendar or address book: its password, its sessions (the
authentication the server asked for remembered, so later runs skip the 401), and its
failure kept as the connection's last error."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from caldav.davclient import DAVClient

from sfa_desktop.connectors.dav.secrets import load_password
from sfa_desktop.connectors.dav.session import (
    FAILURES,
    ConnectorError,
    auth_type_of,
    failure,
    open_client,
)
from sfa_desktop.store import Store
from sfa_desktop.store.store_dav import DavAccount, DavBatch
from sfa_desktop.sync.credentials import Credentials

T = TypeVar("T")
Work = Callable[[DAVClient, Callable[[], DAVClient]], T]


def run_connection(store: Store, credentials: Credentials, account: DavAccount, work: Work[T]) -> T:
    """`work(client, more_clients)` for `account`; ConnectorError (one line, also kept as
    the connection's last error) when the server failed or the password is not kept."""
    password = load_password(credentials, account.url, account.username)
    if password is None:
        raise ConnectorError(
            f"the password for {account.name} is not kept on this computer; connect it again"
        )
    known = account.options.get("auth")
    try:
        client = open_client(account.url, account.username, password, known)

        def more() -> DAVClient:
            return open_client(
                account.url, account.username, password, auth_type_of(client) or known
            )

        result = work(client, more)
    except FAILURES as exc:
        error = failure(exc, account.collection_url)
        store.dav_apply(account.id, DavBatch(account={"last_error": str(error)}))
        raise error from None
    asked = auth_type_of(client)
    if asked and asked != known:
        now = store.dav_account(account.id)
        store.dav_apply(account.id, DavBatch(account={"options": {**now.options, "auth": asked}}))
    return result
