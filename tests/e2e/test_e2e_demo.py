"""The demo path: a seeded loopback server and a rep's device that downloads their book."""

from __future__ import annotations

from pathlib import Path

from store_keys import TEST_KEY

from sfa_desktop.core.entities import Account, Contact, Opportunity
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.local_server import DEMO_PASSWORD, LocalServer, demo_rep_username


def test_demo_server_seeds_once_and_the_rep_downloads_their_book(tmp_path: Path) -> None:
    with LocalServer(tmp_path / "server", contacts=300) as server:
        store = Store.open(tmp_path / "client.db", key=TEST_KEY)
        device = SyncAccount(store, Credentials(persistent=False))
        user = device.sign_in(server.url, demo_rep_username(300), DEMO_PASSWORD, "demo laptop")
        report = device.engine().run_once()
        assert report.pulled > 50
        assert store.count(Account) > 0
        assert store.count(Contact) > store.count(Account)
        owners = {o.owner_id for o in store.get_many(Opportunity, store.ids(Opportunity))}
        assert owners == {user.id}  # only the rep's own pipeline arrives
        device.close()
        store.close()
    with LocalServer(tmp_path / "server", contacts=300) as again:  # already seeded: reused
        store = Store.open(tmp_path / "client.db", key=TEST_KEY)
        device = SyncAccount(store, Credentials(persistent=False))
        device.sign_in(again.url, demo_rep_username(300), DEMO_PASSWORD, "demo laptop")
        assert device.engine().run_once().pulled >= 0
        device.close()
        store.close()
