"""Email capture on several devices of one rep, through a real `sfa-server` process and a
real Dovecot: the same mail captured offline on two devices is one activity, and a third
device that captures mail another one already re-assigned or said not to log changes
nothing on the server. Oracle: the hand-written activities of tests/mail_scenario.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dovecot_kit import PASSWORD as MAIL_PASSWORD
from dovecot_kit import USER as MAIL_USER
from dovecot_kit import Dovecot, running
from mail_scenario import DELIVERY, EXPECTED, FIRST, Book, seed
from store_keys import TEST_KEY

from sfa_desktop.connectors.mail import capture
from sfa_desktop.core.entities import Activity, Opportunity
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.local_server import ServerProcess

PASSWORD = "correct horse battery"


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    environment = os.environ | {
        "SFA_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "SFA_SECRET_KEY": "e2e-secret-key-0123456789abcdef0123456789",
    }
    server = ServerProcess(environment)
    server.run("migrate")
    server.run("admin", "create-org", "acme")
    server.run(
        "admin", "create-user", "rob", "--org", "acme", "--name", "Rob Rep",
        "--email", "rob@acme.test", "--password", PASSWORD,
    )  # fmt: skip
    with server:
        yield server.url


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[Dovecot]:
    with running(tmp_path / "dovecot") as server:
        seed(server)
        yield server


def device(path: Path, url: str, name: str) -> SyncAccount:
    account = SyncAccount(Store.open(path, key=TEST_KEY), Credentials(persistent=False))
    account.sign_in(url, "rob", PASSWORD, name)
    return account


def capture_all(account: SyncAccount, server: Dovecot) -> int:
    """Connect the mailbox on `account`'s device and accept its first-run review."""
    store = account.store
    credentials = Credentials(vault=store)
    mailbox = capture.connect(
        store, credentials, "127.0.0.1", server.port, "none", MAIL_USER, MAIL_PASSWORD,
        never_capture=["acme.test", "lawfirm.test"],
    )  # fmt: skip
    return capture.write(store, capture.scan(store, credentials, mailbox)).created


def test_two_devices_capture_one_activity_per_mail(
    server_url: str, dovecot: Dovecot, tmp_path: Path
) -> None:
    laptop = device(tmp_path / "laptop.db", server_url, "laptop")
    desktop = device(tmp_path / "desktop.db", server_url, "desktop")
    book = Book(laptop.store)
    laptop.engine().run_once()
    desktop.engine().run_once()

    # Both capture the same mail while offline, then sync in turn.
    assert capture_all(laptop, dovecot) == 4
    assert capture_all(desktop, dovecot) == 4
    laptop.engine().run_once()
    desktop.engine().run_once()
    laptop.engine().run_once()
    for account in (laptop, desktop):
        assert book.logged(account.store) == EXPECTED
        assert account.store.outbox_count() == 0
        assert account.store.conflicts() == []
    assert {a.id for a in laptop.store.records(Activity)} == {
        a.id for a in desktop.store.records(Activity)
    }

    # The laptop re-assigns the Globex copy of the reply and says not to log Delivery.
    globex_reply, delivery = _reply_for_globex(laptop.store), _delivery(laptop.store)
    deal = next(o for o in laptop.store.records(Opportunity) if o.name == "Globex one")
    laptop.store.update(Activity, globex_reply.id, {"opportunity_id": deal.id})
    laptop.store.drop_captured_mail(delivery.id)
    laptop.engine().run_once()

    # A third device downloads, then captures the same mailbox: Delivery is new to it.
    tablet = device(tmp_path / "tablet.db", server_url, "tablet")
    tablet.engine().run_once()
    assert capture_all(tablet, dovecot) == 1  # only Delivery, made here again
    tablet.engine().run_once()
    desktop.engine().run_once()
    laptop.engine().run_once()
    reassigned = _reassigned(EXPECTED[2])
    for account in (laptop, desktop, tablet):
        assert book.logged(account.store) == [FIRST, EXPECTED[1], reassigned]
        assert account.store.outbox_count() == 0
        assert account.store.conflicts() == []
    assert DELIVERY not in book.logged(tablet.store)
    for account in (laptop, desktop, tablet):
        account.close()
        account.store.close()


def _reply_for_globex(store: Store) -> Activity:
    return next(
        a
        for a in store.records(Activity)
        if a.message_id == "reply-1@acme.test" and a.opportunity_id is None
    )


def _delivery(store: Store) -> Activity:
    return next(a for a in store.records(Activity) if a.message_id == "delivery@customer.test")


def _reassigned(row: tuple[object, ...]) -> tuple[object, ...]:
    return (*row[:4], "Globex one", *row[5:])
