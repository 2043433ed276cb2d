"""Email capture against a real Dovecot (started here on a free loopback port): a mailbox
of N messages of which M are with known contacts (1,000 contacts in 200 accounts), the
first capture (the whole review window: header fields of all, whole messages of the
matches), then incremental checks with 20 new messages and with none; prints medians
(targets: incremental < 1 s, first capture >= 500 messages/s of headers).

    python benchmarks/mail_bench.py [--messages 20000] [--matching 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from dovecot_kit import PASSWORD, USER, Dovecot, mail
from store_keys import open_store

from sfa_desktop.connectors.mail import capture
from sfa_desktop.core.entities import Account, Activity, Contact, User
from sfa_desktop.store import Store, batch
from sfa_desktop.sync.credentials import Credentials

CONTACTS, ACCOUNTS = 1_000, 200
APPEND_BATCH = 500


def _book(store: Store) -> None:
    accounts = [
        batch.Create(Account, {"id": f"a{i}", "name": f"Account {i}"}) for i in range(ACCOUNTS)
    ]
    contacts = [
        batch.Create(
            Contact,
            {
                "last_name": f"Person {i}",
                "email": f"p{i}@customer{i % ACCOUNTS}.test",
                "account_id": f"a{i % ACCOUNTS}",
            },
        )
        for i in range(CONTACTS)
    ]
    store.write_batch([*accounts, *contacts])


def _messages(count: int, matching: int, start: int, now: datetime) -> list[bytes]:
    """`count` messages over the last 25 days; every (count // matching)-th with a contact."""
    every = max(1, count // max(1, matching))
    found = []
    for n in range(start, start + count):
        known = n % every == 0
        sender = (
            f"p{n % CONTACTS}@customer{n % CONTACTS % ACCOUNTS}.test"
            if known
            else f"x{n}@else.test"
        )
        when = now - timedelta(minutes=(count - (n - start)) * 25 * 24 * 60 // max(1, count) + 1)
        body = f"Message {n}: about the order.\n" * 20
        message = mail(sender, [USER], f"Subject {n}", body, when, message_id=f"<m{n}@bench.test>")
        found.append(message.as_bytes())
    return found


def _append(server: Dovecot, messages: list[bytes]) -> None:
    with server.client() as client:
        for start in range(0, len(messages), APPEND_BATCH):
            client.multiappend("INBOX", messages[start : start + APPEND_BATCH])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--matching", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    server = Dovecot(folder / "dovecot")
    try:
        now = datetime.now(UTC)
        began = time.perf_counter()
        _append(server, _messages(args.messages, args.matching, 0, now))
        print(
            f"mailbox: {args.messages:,} messages appended in {time.perf_counter() - began:.1f} s"
        )
        store = open_store(folder / "store.db")
        store.sign_in_as(User(id="rep", name="Rep", email=USER))
        _book(store)
        credentials = Credentials(vault=store)
        account = capture.connect(
            store, credentials, "127.0.0.1", server.port, "none", USER, PASSWORD,
            folders=["INBOX"],
        )  # fmt: skip
        began = time.perf_counter()
        review = capture.scan(store, credentials, account)
        scanned = time.perf_counter() - began
        report = capture.write(store, review)
        first = time.perf_counter() - began
        print(
            f"first capture: {review.scanned:,} headers read, {report.created:,} activities "
            f"in {first:.2f} s (scan {scanned:.2f} s, write {first - scanned:.2f} s): "
            f"{review.scanned / first:,.0f} messages/s (target >= 500)"
        )
        assert store.count(Activity) == report.created
        quiet, new = [], []
        for round_ in range(args.rounds):
            _append(server, _messages(20, 20, args.messages + 100 * round_, datetime.now(UTC)))
            began = time.perf_counter()
            done = capture.check_mailbox(store, credentials, store.mail_account(account.id))
            new.append(time.perf_counter() - began)
            assert (done.scanned, done.created) == (20, 20), done
            began = time.perf_counter()
            capture.check_mailbox(store, credentials, store.mail_account(account.id))
            quiet.append(time.perf_counter() - began)
        print(
            f"incremental, 20 new messages: median {statistics.median(new) * 1000:.0f} ms "
            f"over {args.rounds} rounds (target < 1000 ms)"
        )
        print(f"incremental, nothing new: median {statistics.median(quiet) * 1000:.0f} ms")
        store.close()
    finally:
        server.close()


if __name__ == "__main__":
    main()
