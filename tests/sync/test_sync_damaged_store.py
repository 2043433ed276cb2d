"""A rescued store syncs without a new sign-in and gets its records back; a sync on a
damaged store fails instead of reporting success (issue 14, point 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from store_keys import TEST_KEY, raw
from sync_fixtures import Device

from sfa_desktop.core.entities import Account
from sfa_desktop.store import Store, integrity
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.errors import SyncError

PAGE = 4096


def flip_page(path: Path, table: str) -> None:
    """Damage the root page of `table` in the store file at `path`."""
    with raw(path) as connection:
        (page,) = connection.execute(
            "SELECT rootpage FROM sqlite_schema WHERE name = ?", (table,)
        ).fetchone()
    data = bytearray(path.read_bytes())
    for i in range((page - 1) * PAGE + 500, (page - 1) * PAGE + 516):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))


def test_a_rescued_store_pushes_its_edits_and_downloads_the_rest(
    device: Device, server: TestClient
) -> None:
    rob = device("rob")
    synced = [rob.store.create(Account, {"name": f"Synced {i}"}).value for i in range(40)]
    rob.engine().run_once()
    offline = [rob.store.create(Account, {"name": f"Offline {i}"}).value for i in range(6)]
    rob.store.update(Account, synced[0].id, {"city": "Oslo"})
    written = [m.mutation_id for m in rob.store.pending_mutations()]
    assert len(written) == 7
    path = rob.store.path
    rob.store.close()
    flip_page(path, "outbox")

    store = Store.open(path, key=TEST_KEY)
    assert store.rescued is not None
    assert store.rescued.signed_in
    assert [m.mutation_id for m in store.pending_mutations()] == written
    assert store.count(Account) == 0  # the records come with the next sync
    again = SyncAccount(store, rob.credentials, transport=server._transport)
    report = again.engine().run_once()  # no new sign-in

    assert report.pushed == 7
    assert report.rejected == 0
    assert store.outbox_count() == 0
    names = {a.name for a in store.records(Account)}
    assert names == {a.name for a in synced + offline}
    assert store.get(Account, synced[0].id).city == "Oslo"
    desktop = device("rob", "desktop")  # the server has every edit too
    desktop.engine().run_once()
    assert {a.name for a in desktop.store.records(Account)} == names
    again.close()
    store.close()


def test_a_sync_on_a_damaged_store_fails_instead_of_reporting_success(
    device: Device, server: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large store checks only the tables a rescue keeps at open: damage elsewhere is
    found by the check the sync runs before it reports success."""
    monkeypatch.setattr(integrity, "FULL_CHECK_AT_OPEN", 0)
    rob = device("rob")
    for i in range(40):
        rob.store.create(Account, {"name": f"Synced {i}", "notes": "n" * 200})
    rob.engine().run_once()
    path = rob.store.path
    rob.store.close()
    flip_page(path, "accounts")

    store = Store.open(path, key=TEST_KEY)
    assert store.rescued is None
    last_sync = store.state("last_sync")
    account = SyncAccount(store, rob.credentials, transport=server._transport)
    with pytest.raises(SyncError, match="it is rescued into a new one"):
        account.engine().run_once()
    assert store.state("last_sync") == last_sync  # not reported as synced
    account.close()
    store.close()

    rescued = Store.open(path, key=TEST_KEY)  # the failed check is remembered: rescued now
    assert rescued.rescued is not None
    assert rescued.rescued.signed_in
    SyncAccount(rescued, rob.credentials, transport=server._transport).engine().run_once()
    assert rescued.count(Account) == 40
    rescued.close()
