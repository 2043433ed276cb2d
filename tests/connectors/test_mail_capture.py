"""Email capture against a real Dovecot (tests/dovecot_kit.py): the other side APPENDs
messages built with the stdlib `email` package; the oracle is the activities written out
by hand below (subjects, directions, accounts, contacts, deals, excerpts, attachments,
threads)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dovecot_kit import PASSWORD, USER, Dovecot, mail, running

from sfa_desktop.connectors.mail import capture
from sfa_desktop.connectors.mail.imap import MailError
from sfa_desktop.core.entities import Account, Activity, Contact, Opportunity
from sfa_desktop.store import Store
from sfa_desktop.store.store_mail import MailAccount
from sfa_desktop.sync.credentials import Credentials

NOW = datetime.now(UTC).replace(microsecond=0)
DAY1 = NOW - timedelta(days=3)
DAY2 = NOW - timedelta(days=2)
DAY3 = NOW - timedelta(days=1)
REP = USER  # rep@acme.test: the company's domain is acme.test
ALICE, BOB, GINA = "alice@customer.test", "bob@customer.test", "gina@globex.test"
CARL, LARRY = "carl@acme.test", "larry@lawfirm.test"
PDF = bytes(range(256)) * 4 + b"tail"  # 1,028 bytes


class Book:
    """The CRM side: two accounts and their contacts and deals; names by id."""

    def __init__(self, store: Store) -> None:
        self.store = store
        acme = store.create(Account, {"name": "Customer Inc"}).value
        globex = store.create(Account, {"name": "Globex"}).value
        self.names: dict[str | None, str] = {
            None: "-",
            acme.id: "Customer Inc",
            globex.id: "Globex",
        }
        people = [
            ("Alice", ALICE, acme.id),
            ("Bob", BOB, acme.id),
            ("Carl", CARL, acme.id),  # a colleague filed as a contact by mistake
            ("Gina", GINA, globex.id),
            ("Larry", LARRY, globex.id),  # the customer's lawyer: never captured
        ]
        for first, email, account_id in people:
            contact = store.create(
                Contact,
                {"first_name": first, "last_name": "X", "email": email, "account_id": account_id},
            ).value
            self.names[contact.id] = first
        alice = next(i for i, n in self.names.items() if n == "Alice")
        deals = [
            ("Renewal", acme.id, alice),
            ("Globex one", globex.id, None),
            ("Globex two", globex.id, None),
        ]
        for name, account_id, primary in deals:
            deal = store.create(
                Opportunity,
                {
                    "name": name,
                    "account_id": account_id,
                    "primary_contact_id": primary,
                    "close_date": date.today() + timedelta(days=30),
                },
            ).value
            self.names[deal.id] = name

    def logged(self) -> list[tuple[Any, ...]]:
        """Every activity in words, in a fixed order."""
        rows = []
        for a in self.store.records(Activity):
            rows.append(
                (
                    a.subject,
                    a.direction,
                    self.names[a.account_id],
                    tuple(sorted(self.names[c] for c in a.contact_ids)),
                    self.names[a.opportunity_id],
                    a.notes,
                    tuple((f.name, f.size) for f in a.attachments),
                    a.message_id,
                    a.thread_id,
                    a.occurred_at,
                    a.channel.value,
                )
            )
        return sorted(rows, key=lambda row: (row[9], row[2]))


def seed(server: Dovecot) -> None:
    """The mailbox: a thread across Inbox and Sent, two accounts, an excluded lawyer, a
    colleague, a stranger, an HTML-only message and one older than the review window."""
    first = mail(
        ALICE,
        [REP],
        "Angebot für Müller – Q3",  # non-ASCII: sent RFC 2047-encoded
        "Hello Rita,\nthe signed quote is attached.\n\n> your question\n-- \nAlice, Customer Inc\n",
        DAY1,
        message_id="<q3-offer@customer.test>",
        attachments=[("quote.pdf", PDF)],
    )
    reply = mail(
        REP,
        [ALICE],
        "Re: Angebot für Müller – Q3",
        "Thanks Alice, Gina from Globex joins us.\n\nOn Monday Alice wrote:\n> the quote\n",
        DAY2,
        message_id="<reply-1@acme.test>",
        cc=[GINA, CARL],
        in_reply_to="<q3-offer@customer.test>",
        references=["<q3-offer@customer.test>"],
    )
    lawyer = mail(LARRY, [REP], "Contract terms", "Privileged.", DAY2, message_id="<l@law.test>")
    colleague = mail(CARL, [REP], "Lunch?", "At noon.", DAY2, message_id="<lunch@acme.test>")
    stranger = mail("x@else.test", [REP], "Offer", "Buy now.", DAY2, message_id="<spam@x.test>")
    html_only = mail(
        BOB,
        [REP, CARL],
        "Delivery",
        "",
        DAY3,
        message_id="<delivery@customer.test>",
        in_reply_to="<q3-offer@customer.test>",
        references=["<q3-offer@customer.test>", "<reply-1@acme.test>"],
    )
    html_only.set_content("<p>Delivery is <b>Friday</b> &amp; on time.</p>", subtype="html")
    old = mail(
        ALICE, [REP], "Last quarter", "Old.", NOW - timedelta(days=40), message_id="<old@c.test>"
    )
    server.append("INBOX", first, DAY1)
    server.append("Sent", reply, DAY2)
    server.append("INBOX", reply, DAY2)  # the rep copied themselves: the same mail twice
    for message in (lawyer, colleague, stranger):
        server.append("INBOX", message, DAY2)
    server.append("INBOX", html_only, DAY3)
    server.append("INBOX", old, NOW - timedelta(days=40))


SUBJECT = "Angebot für Müller – Q3"
FIRST = (
    SUBJECT,
    "in",
    "Customer Inc",
    ("Alice",),
    "Renewal",  # Alice is its primary contact
    "Hello Rita, the signed quote is attached.",  # no quoted line, no signature
    (("quote.pdf", 1028),),
    "q3-offer@customer.test",
    "q3-offer@customer.test",
    DAY1,
    "email",
)
REPLY_TEXT = "Thanks Alice, Gina from Globex joins us. On Monday Alice wrote:"
REPLY_ACME = ("Re: " + SUBJECT, "out", "Customer Inc", ("Alice",), "Renewal", REPLY_TEXT, ())
REPLY_GLOBEX = ("Re: " + SUBJECT, "out", "Globex", ("Gina",), "-", REPLY_TEXT, ())
REPLY_TAIL = ("reply-1@acme.test", "q3-offer@customer.test", DAY2, "email")
DELIVERY = (
    "Delivery",
    "in",
    "Customer Inc",
    ("Bob",),
    "Renewal",  # the account's only open deal
    "Delivery is Friday & on time.",
    (),
    "delivery@customer.test",
    "q3-offer@customer.test",  # the root of its References
    DAY3,
    "email",
)
EXPECTED = [FIRST, (*REPLY_ACME, *REPLY_TAIL), (*REPLY_GLOBEX, *REPLY_TAIL), DELIVERY]


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
    assert check(store, account.id).scanned == 0  # nothing new: HIGHESTMODSEQ unchanged
    later = mail(
        GINA, [REP], "Café order", "Two more, please.", NOW, message_id="<more@globex.test>"
    )
    dovecot.append("INBOX", later, NOW)
    report = check(store, account.id)
    assert (report.scanned, report.created) == (1, 1)  # only the new message was read
    gina = ("Café order", "in", "Globex", ("Gina",), "-", "Two more, please.", ())
    tail = ("more@globex.test", "more@globex.test", NOW, "email")
    assert book.logged() == [*EXPECTED, (*gina, *tail)]
    dovecot.renumber("INBOX", 777)
    dovecot.renumber("Sent", 778)
    report = check(store, account.id)
    assert report.scanned == 8  # every message since the window began, read again
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
