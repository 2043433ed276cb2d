"""Email capture against a real Dovecot (tests/dovecot_kit.py): the other side APPENDs
messages built with the stdlib `email` package; the oracle is the activities written out
by hand below (subjects, directions, accounts, contacts, deals, excerpts, attachments,
threads)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dovecot_kit import PASSWORD, USER, Dovecot, mail, running
from mail_scenario import (
    DELIVERY,
    EXPECTED,
    FIRST,
    GINA,
    LARRY,
    NOW,
    REP,
    SUBJECT,
    Book,
    seed,
)

from sfa_desktop.connectors.mail import capture
from sfa_desktop.connectors.mail.imap import MailError
from sfa_desktop.connectors.mail.runner import capture_mail
from sfa_desktop.core.entities import Activity
from sfa_desktop.store import Store
from sfa_desktop.store.store_mail import MailAccount
from sfa_desktop.sync.credentials import Credentials

NEVER = ["acme.test", "lawfirm.test"]


def connect(store: Store, server: Dovecot, **options: Any) -> MailAccount:
    options.setdefault("never_capture", NEVER)
    return capture.connect(
        store, Credentials(vault=store), "127.0.0.1", server.port, "none", USER, PASSWORD, **options
    )


def check(store: Store, account_id: str) -> capture.MailReport:
    return capture.check_mailbox(store, Credentials(vault=store), store.mail_account(account_id))


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[Dovecot]:
    with running(tmp_path / "dovecot") as server:
        yield server


@pytest.fixture
def book(signed_in: Store) -> Book:
    return Book(signed_in)


def test_first_run_review_then_exact_activities(book: Book, dovecot: Dovecot) -> None:
    seed(dovecot)
    store = book.store
    account = connect(store, dovecot, never_capture=None)
    assert account.folders == ("INBOX", "Sent")  # found by SPECIAL-USE
    assert account.never_capture == ("acme.test",)  # the company's own domain
    assert account.state == "review"
    account = store.update_mail_account(account.id, never_capture=NEVER)  # and the law firm
    outbox_before = store.outbox_count()
    with pytest.raises(MailError, match="waiting for the first-run review"):
        check(store, account.id)
    review = capture.scan(store, Credentials(vault=store), account)
    subjects = [(p.header.subject, len(p.activities)) for p in review.proposals]
    assert subjects == [(SUBJECT, 1), ("Re: " + SUBJECT, 2), ("Delivery", 1)]
    assert store.count(Activity) == 0  # the review writes nothing
    assert store.outbox_count() == outbox_before
    report = capture.write(store, review)
    assert report.created == 4
    assert book.logged() == EXPECTED
    assert store.outbox_count() == outbox_before + 4  # each through the outbox
    assert store.mail_account(account.id).state == "active"


def test_dropped_in_review_is_never_logged(book: Book, dovecot: Dovecot) -> None:
    seed(dovecot)
    store = book.store
    account = connect(store, dovecot)
    review = capture.scan(store, Credentials(vault=store), account)
    delivery = next(p.header.key for p in review.proposals if p.header.subject == "Delivery")
    capture.write(store, review, dropped={delivery})
    assert book.logged() == EXPECTED[:3]
    dovecot.renumber("INBOX", 4242)  # a full re-scan finds it again: still not logged
    assert check(store, account.id).created == 0
    assert book.logged() == EXPECTED[:3]


def test_incremental_checks_and_renumbered_folders(book: Book, dovecot: Dovecot) -> None:
    seed(dovecot)
    store = book.store
    account = connect(store, dovecot)
    capture.write(store, capture.scan(store, Credentials(vault=store), account))
    assert capture_mail(store, Credentials(vault=store)).status() == "Mail: nothing new"
    quiet = capture.scan(store, Credentials(vault=store), store.mail_account(account.id))
    assert (quiet.scanned, quiet.unchanged) == (0, ["INBOX", "Sent"])  # MODSEQ: not searched
    later = mail(
        GINA, [REP], "Café order", "Two more, please.", NOW, message_id="<more@globex.test>"
    )
    dovecot.append("INBOX", later, NOW)
    report = check(store, account.id)
    assert (report.scanned, report.created) == (1, 1)  # only the new message was read
    gina = ("Café order", "in", "Globex", ("Gina",), "-", "Two more, please.", ())
    tail = ("more@globex.test", "more@globex.test", NOW, "email")
    assert book.logged() == [*EXPECTED, (*gina, *tail)]
    dovecot.append("INBOX", later, NOW)  # the same mail again (a redirect): not logged twice
    assert capture_mail(store, Credentials(vault=store)).status() == "Mail: nothing new"
    dovecot.renumber("INBOX", 777)
    dovecot.renumber("Sent", 778)
    renumbered = capture.scan(store, Credentials(vault=store), store.mail_account(account.id))
    assert renumbered.rescanned == ["INBOX", "Sent"]
    report = check(store, account.id)
    assert report.scanned == 9  # every message since the window began, read again
    assert report.created == 0  # and not one logged twice
    assert book.logged() == [*EXPECTED, (*gina, *tail)]
    places = store.mail_places(account.id)
    assert (places["INBOX"].uidvalidity, places["Sent"].uidvalidity) == (777, 778)


def test_dont_log_this_removes_the_email_for_every_account(book: Book, dovecot: Dovecot) -> None:
    seed(dovecot)
    store = book.store
    account = connect(store, dovecot)
    capture.write(store, capture.scan(store, Credentials(vault=store), account))
    reply = next(a for a in store.records(Activity) if a.message_id == "reply-1@acme.test")
    outbox = store.outbox_count()
    store.drop_captured_mail(reply.id)
    assert book.logged() == [FIRST, DELIVERY]  # both accounts' copies are gone
    assert store.outbox_count() == outbox + 2  # two deletes to sync
    dovecot.renumber("INBOX", 99)
    dovecot.renumber("Sent", 98)
    assert check(store, account.id).created == 0
    assert book.logged() == [FIRST, DELIVERY]


def test_never_capture_list_and_wrong_password(book: Book, dovecot: Dovecot) -> None:
    seed(dovecot)
    store = book.store
    account = connect(store, dovecot, never_capture=["acme.test", "globex.test", LARRY])
    capture.write(store, capture.scan(store, Credentials(vault=store), account))
    assert [row[2] for row in book.logged()] == ["Customer Inc", "Customer Inc", "Customer Inc"]
    assert [row[3] for row in book.logged()] == [("Alice",), ("Alice",), ("Bob",)]
    assert "globex.test" not in str(book.logged())
    with pytest.raises(MailError) as refused:
        capture.connect(
            store, Credentials(vault=store), "127.0.0.1", dovecot.port, "none", "x@acme.test", "no"
        )
    assert "refused the user name or password" in str(refused.value)
    assert "\n" not in str(refused.value)
    with pytest.raises(MailError, match="needs TLS or STARTTLS"):
        capture.connect(store, Credentials(vault=store), "mail.example.com", 143, "none", USER, "p")
