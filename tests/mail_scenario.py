"""The mailbox and CRM of the email-capture tests: two accounts with their contacts and
deals, messages the other side puts into a real Dovecot (a thread across Inbox and Sent,
two accounts, an excluded law firm, a colleague, a stranger, an HTML-only message, one
too old), and the activities they must make, written out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from dovecot_kit import USER, Dovecot, mail

from sfa_desktop.core.entities import Account, Activity, Contact, Opportunity
from sfa_desktop.store import Store

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

    def logged(self, store: Store | None = None) -> list[tuple[Any, ...]]:
        """Every activity of `store` (default: the one the book was made in) in words, in
        a fixed order."""
        rows = []
        for a in (store or self.store).records(Activity):
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
REPLY_TEXT = "Thanks Alice, Gina from Globex joins us."  # without "On Monday Alice wrote:"
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
