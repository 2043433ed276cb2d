"""The sync engine against the real server app: push, pull, conflicts, removal, wipe."""

from __future__ import annotations

import gc
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from index_check import index_problems
from store_keys import TEST_KEY
from store_seeding import seed_records
from sync_fixtures import PASSWORD, SERVER_URL, Device

from sfa_desktop.core.entities import Account, Contact, Opportunity, User
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store import Changes, Store, pull_writer, remote
from sfa_desktop.sync import engine as sync_engine
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.engine import SyncEngine
from sfa_desktop.sync.errors import AuthenticationRequired, DeviceWiped
from sync_server.services import admin


def test_offline_edits_reach_a_second_device(device: Device) -> None:
    laptop, desktop = device("rob", "laptop"), device("rob", "desktop")
    account = laptop.store.create(Account, {"name": "Nordwind"}).value
    laptop.store.create(Contact, {"last_name": "Berg", "account_id": account.id})
    report = laptop.engine().run_once()
    assert report.pushed == 2
    assert laptop.store.outbox_count() == 0
    assert laptop.store.get(Account, account.id).version is not None

    pulled = desktop.engine().run_once()
    assert pulled.pulled >= 2
    assert desktop.store.get(Account, account.id).name == "Nordwind"
    assert "account" in pulled.changes
    assert desktop.store.outbox_count() == 0


def test_users_of_the_org_arrive_read_only(device: Device) -> None:
    rob = device("rob")
    rob.engine().run_once()
    assert {u.name for u in rob.store.users()} >= {"Rob", "Ria", "Mia"}


def test_concurrent_edit_of_one_field_files_a_conflict_with_a_restore(device: Device) -> None:
    laptop, desktop = device("rob", "laptop"), device("rob", "desktop")
    account = laptop.store.create(Account, {"name": "Acme", "city": "Oslo"}).value
    laptop.engine().run_once()
    desktop.engine().run_once()

    laptop.store.update(Account, account.id, {"city": "Bergen", "industry": "Food"})
    desktop.store.update(Account, account.id, {"city": "Tromsø"})
    laptop.engine().run_once()
    report = desktop.engine().run_once()  # arrives later: its value wins
    assert report.conflicts == 1
    laptop.engine().run_once()

    for side in (laptop, desktop):
        merged = side.store.get(Account, account.id)
        assert (merged.city, merged.industry) == ("Tromsø", "Food")
    # The laptop's value lost: the laptop is told, the desktop (whose value won) is not.
    assert desktop.store.conflicts() == []
    (conflict,) = laptop.store.conflicts()
    assert (conflict.field, conflict.kept_value, conflict.lost_value) == (
        "city",
        "Tromsø",
        "Bergen",
    )
    assert conflict.reason == "replaced by a later change from another of your devices"

    laptop.store.restore_conflict(conflict.id)
    laptop.engine().run_once()
    desktop.engine().run_once()
    assert desktop.store.get(Account, account.id).city == "Bergen"


def test_pending_local_field_is_not_overwritten_by_the_pull(device: Device) -> None:
    laptop, desktop = device("rob", "laptop"), device("rob", "desktop")
    account = laptop.store.create(Account, {"name": "Acme"}).value
    laptop.engine().run_once()
    desktop.engine().run_once()
    laptop.store.update(Account, account.id, {"name": "Acme Renamed"})
    laptop.engine().run_once()
    desktop.store.update(Account, account.id, {"city": "Riga"})
    desktop.engine().run_once()
    final = desktop.store.get(Account, account.id)
    assert (final.name, final.city) == ("Acme Renamed", "Riga")


def test_reassigned_account_leaves_the_old_reps_device(device: Device, server: TestClient) -> None:
    rob, ria = device("rob"), device("ria")
    account = rob.store.create(Account, {"name": "Moving Co"}).value
    rob.store.create(
        Opportunity, {"account_id": account.id, "name": "Deal", "close_date": date(2026, 12, 1)}
    )
    rob.engine().run_once()
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        admin.reassign_account(session, account.id, "ria", datetime.now(UTC))
    rob.engine().run_once()
    ria.engine().run_once()
    assert rob.store.count(Account) == 0
    assert rob.store.count(Opportunity) == 0
    assert ria.store.get(Account, account.id).owner_id == ria.store.current_user_id()
    assert ria.store.count(Opportunity) == 1


def test_write_outside_scope_is_refused_and_kept_for_review(device: Device) -> None:
    rob, ria = device("rob"), device("ria")
    theirs = ria.store.create(Account, {"name": "Ria's"}).value
    ria.engine().run_once()
    # Rob forges an edit of a record he cannot see (as if his store were tampered with).
    seed_records(rob.store, [Account(id=theirs.id, name="Ria's", version=1)])
    rob.store.update(Account, theirs.id, {"name": "Mine now"})
    report = rob.engine().run_once()
    assert report.rejected == 1
    assert rob.store.outbox_count() == 0
    (refusal,) = rob.store.conflicts()
    assert refusal.refused
    assert "scope" in refusal.reason or "not" in refusal.reason
    ria.engine().run_once()
    assert ria.store.get(Account, theirs.id).name == "Ria's"


def test_revoked_device_wipes_its_data_and_credentials(device: Device, server: TestClient) -> None:
    laptop = device("rob", "laptop")
    laptop.store.create(Account, {"name": "Secret Co"})
    laptop.engine().run_once()
    device_id = laptop.store.state("device_id")
    path = laptop.store.path
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        admin.revoke_device(session, device_id or "", datetime.now(UTC))
    engine = laptop.engine()
    with pytest.raises(DeviceWiped):
        engine.run_once()
    assert not path.exists()
    assert laptop.credentials.load(SERVER_URL, "rob") is None


def test_a_device_of_another_user_cannot_sign_in_over_local_data(device: Device) -> None:
    rob = device("rob")
    rob.engine().run_once()
    with pytest.raises(AuthenticationRequired, match="another user"):
        rob.sign_in(SERVER_URL, "ria", "correct horse battery", "laptop")
    assert isinstance(rob.store, Store)
    assert rob.store.get(User, rob.store.current_user_id() or "").name == "Rob"


def test_sync_without_saved_session_asks_to_sign_in(device: Device) -> None:
    rob = device("rob")
    rob.credentials.forget(SERVER_URL, "rob")
    with pytest.raises(AuthenticationRequired):
        rob.engine()


def test_signing_in_again_keeps_and_pushes_pending_edits(device: Device) -> None:
    rob = device("rob")
    rob.store.create(Account, {"name": "Before"})
    rob.engine().run_once()
    pending = rob.store.create(Account, {"name": "Written offline"}).value
    rob.sign_in(SERVER_URL, "rob", "correct horse battery", "laptop again")
    report = rob.engine().run_once()
    assert report.pushed == 1
    assert rob.store.get(Account, pending.id).version is not None


def test_reset_required_downloads_the_scope_again_keeping_pending_edits(
    device: Device, server: TestClient
) -> None:
    rob = device("rob")
    kept = rob.store.create(Account, {"name": "Synced"}).value
    rob.engine().run_once()
    pending = rob.store.create(Account, {"name": "Not yet pushed"}).value
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        admin.create_team(session, "acme", "North")
        admin.add_team_member(session, "North", "rob")  # scope grew: the log cannot replay it
    report = rob.engine().run_once()
    assert report.resets == 1
    assert {a.name for a in rob.store.get_many(Account, [kept.id, pending.id])} == {
        "Synced",
        "Not yet pushed",
    }
    assert rob.store.outbox_count() == 0


def test_first_download_resumes_after_a_crash_and_ends_fully_searchable(
    device: Device, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = device("rob", "laptop")
    names = [f"Harbour {n}" for n in range(12)]
    for name in names:
        account = laptop.store.create(Account, {"name": name}).value
        laptop.store.create(Contact, {"last_name": f"Quayle {name}", "account_id": account.id})
    laptop.engine().run_once()

    desktop = device("rob", "desktop")
    engine = SyncEngine(desktop.store, desktop.client(), on_wipe=desktop.wipe, download_limit=5)
    applied = 0
    original = remote.apply_page

    def crash_on_the_fourth_page(*args: Any, **options: Any) -> Changes:
        nonlocal applied
        applied += 1
        if applied == 4:
            raise RuntimeError("the app was killed")
        return original(*args, **options)

    monkeypatch.setattr(pull_writer, "DOWNLOAD_COMMIT_RECORDS", 10)  # two pages a commit
    monkeypatch.setattr(remote, "apply_page", crash_on_the_fourth_page)
    with pytest.raises(RuntimeError):
        engine.run_once()
    desktop.store.close()
    store = Store.open(desktop.store.path, key=TEST_KEY)
    assert store.download_unfinished()
    assert 0 < store.count(Account) < len(names)

    resumed = SyncEngine(store, desktop.client(), on_wipe=desktop.wipe, download_limit=5)
    resumed.run_once()
    assert not store.download_unfinished()
    accounts = [EntityKind.ACCOUNT]
    assert {hit.title for hit in store.search("harbour", accounts, 100)} == set(names)
    assert len(store.search("quayle", limit=100)) == len(names)
    assert index_problems(store.path) == []

    renamed = laptop.store.ids(Account, limit=1)[0]
    laptop.store.update(Account, renamed, {"name": "Lighthouse"})
    laptop.engine().run_once()
    resumed.run_once()  # an incremental pull: the triggers index it
    assert [hit.id for hit in store.search("lighthouse")] == [renamed]
    assert len(store.search("harbour", accounts, 100)) == len(names) - 1
    store.close()


def test_a_download_lets_go_of_the_store_while_a_page_is_slow_to_come(
    device: Device, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refreshing the session mid-download writes to the store when there is no keyring:
    the download, holding uncommitted pages, must not keep that write waiting."""
    laptop = device("rob", "laptop")
    for n in range(6):
        laptop.store.create(Account, {"name": f"Harbour {n}"})
    laptop.engine().run_once()
    desktop = device("rob", "desktop")
    client = desktop.client()
    fetch = client.pull_page
    fetched = 0

    def fetch_and_keep_a_session(*args: Any) -> Any:
        nonlocal fetched
        fetched += 1
        if fetched == 3:  # pages 1 and 2 wait uncommitted in the writer meanwhile
            desktop.store.set_state(session_vault="kept while downloading")
        return fetch(*args)

    client.pull_page = fetch_and_keep_a_session  # type: ignore[method-assign]
    monkeypatch.setattr(sync_engine, "FETCH_WAIT_HOLDING_LOCK", 0.05)
    engine = SyncEngine(desktop.store, client, on_wipe=desktop.wipe, download_limit=2)
    started = time.monotonic()
    report = engine.run_once()
    assert time.monotonic() - started < 5  # not the store's 10 s busy timeout
    assert desktop.store.state("session_vault") == "kept while downloading"
    assert report.pulled > 4
    assert desktop.store.count(Account) == 6


def test_a_pull_tunes_the_interpreter_only_while_it_runs(
    device: Device, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The switch interval and the collector's threshold are process-wide: a pull sets
    them for itself and puts back what it found, even when it fails."""
    before = sys.getswitchinterval(), gc.get_threshold()
    laptop = device("rob", "laptop")
    laptop.store.create(Account, {"name": "Harbour"})
    laptop.engine().run_once()
    desktop = device("rob", "desktop")
    seen: list[tuple[float, int]] = []
    prepare = sync_engine.prepare_page

    def noting(*args: Any) -> Any:
        seen.append((sys.getswitchinterval(), gc.get_threshold()[0]))
        return prepare(*args)

    monkeypatch.setattr(sync_engine, "prepare_page", noting)
    desktop.engine().run_once()
    assert seen
    assert set(seen) == {(sync_engine.PULL_SWITCH_INTERVAL, sync_engine.PULL_GC_THRESHOLD)}
    assert (sys.getswitchinterval(), gc.get_threshold()) == before

    def failing(*args: Any) -> Any:
        raise RuntimeError("a page went wrong")

    laptop.store.create(Account, {"name": "Quay"})
    laptop.engine().run_once()
    monkeypatch.setattr(sync_engine, "prepare_page", failing)
    with pytest.raises(RuntimeError):
        desktop.engine().run_once()
    assert (sys.getswitchinterval(), gc.get_threshold()) == before


def test_the_convergence_harness_crash_fires_inside_a_pull(
    device: Device, server: TestClient, tmp_path: Path
) -> None:
    """The harness's crash hook sits on the one path pulled pages are written by (it sat
    on `apply_pull`, which the engine stopped using, and never fired)."""
    from convergence_kit import Crash, CrashingStore

    laptop = device("rob", "laptop")
    laptop.store.create(Account, {"name": "Harbour"})
    laptop.engine().run_once()
    store = CrashingStore.open(tmp_path / "crashing.db", key=TEST_KEY)
    tablet = SyncAccount(store, Credentials(persistent=False), transport=server._transport)
    tablet.sign_in(SERVER_URL, "rob", PASSWORD, "tablet")
    store.crash_next = True
    with pytest.raises(Crash):
        tablet.engine().run_once()
    assert store.pull_cursor() == 0  # the page written when it crashed did not land
    tablet.engine().run_once()
    assert store.count(Account) == 1
    store.close()
