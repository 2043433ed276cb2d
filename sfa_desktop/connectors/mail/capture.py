"""Capture from a connected mailbox: connect one (waiting for its first-run review), look
at what a check would log, write it, and check every active mailbox after a sync.

A check reads only what is new in each watched folder (mail_imap.scan_folder), matches
header fields first and fetches whole messages only for matches this device has not
dealt with (each message once, however many folders hold it). The excerpt and the
attachments' names and sizes are taken from the message in memory; nothing else of it is
kept. Everything is written in one transaction through the outbox (Store.mail_apply)."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from imapclient import IMAPClient

from sfa_desktop.connectors.mail import imap, secrets
from sfa_desktop.connectors.mail.matching import Match, Privacy, activities, match
from sfa_desktop.connectors.mail.message import (
    HEADER_FIELDS,
    Content,
    Header,
    read_content,
    read_header,
)
from sfa_desktop.core.entities import utcnow
from sfa_desktop.core.rules.normalize import FREE_MAIL
from sfa_desktop.store import Changes, Store
from sfa_desktop.store.store_mail import (
    ACTIVE,
    REVIEW,
    Captured,
    FolderPlace,
    MailAccount,
    MailBatch,
)
from sfa_desktop.sync.credentials import Credentials

REVIEW_DAYS = 30  # the first check looks this far back


@dataclass(frozen=True)
class Proposal:
    """A message a check would log, with the activities it makes."""

    header: Header
    found: Match
    folder: str
    activities: tuple[dict[str, object], ...]


@dataclass
class Check:
    """What a check of one mailbox found; nothing is written until `write`."""

    account: MailAccount
    proposals: list[Proposal] = field(default_factory=list)
    places: dict[str, FolderPlace] = field(default_factory=dict)
    scanned: int = 0  # new messages whose header fields were read
    rescanned: list[str] = field(default_factory=list)  # folders the server renumbered
    unchanged: list[str] = field(default_factory=list)  # folders not searched (MODSEQ)


@dataclass(frozen=True)
class MailReport:
    account: MailAccount
    scanned: int
    created: int
    already: int
    changes: Changes

    def summary(self) -> str:
        return (
            f"{self.account.username}: {self.scanned} new messages read, "
            f"{self.created} emails logged"
        )


def connect(
    store: Store,
    credentials: Credentials,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str,
    *,
    address: str = "",
    folders: Sequence[str] = (),
    never_capture: Sequence[str] | None = None,
    context: ssl.SSLContext | None = None,
) -> MailAccount:
    """Sign in to the mailbox to prove the settings, find the folders to watch (Inbox and
    Sent unless given) and keep the connection, waiting for its first-run review. The
    never-capture list defaults to the company's own domain (the address's, unless it is
    a free mail domain). MailError (one line) when the server refuses or cannot be reached."""
    client = imap.open_mailbox(host, port, security, username, password, context)
    try:
        chosen = list(folders) or imap.watched_by_default(client)
        known = {name for _flags, _delimiter, name in client.list_folders()}
    except imap.FAILURES as exc:
        raise imap.failure(exc, host) from None
    finally:
        _logout(client)
    missing = [name for name in chosen if name not in known]
    if missing:
        raise imap.MailError(f"{host} has no folder {missing[0]!r} for {username}")
    address = (address or (username if "@" in username else "")).strip().lower()
    if never_capture is None:
        domain = address.rpartition("@")[2]
        never_capture = [domain] if domain and domain not in FREE_MAIL else []
    since = utcnow() - timedelta(days=REVIEW_DAYS)
    account = store.add_mail_account(
        host, port, security, username, address, chosen, never_capture, since
    )
    secrets.save_password(credentials, host, username, password)
    return account


def scan(
    store: Store,
    credentials: Credentials,
    account: MailAccount,
    context: ssl.SSLContext | None = None,
) -> Check:
    """What a check of `account` would log now (nothing is written)."""
    password = secrets.load_password(credentials, account.host, account.username)
    if password is None:
        raise imap.MailError(
            f"the password for {account.username} is not kept on this computer; connect again"
        )
    client = imap.open_mailbox(
        account.host, account.port, account.security, account.username, password, context
    )
    try:
        return _scan(store, client, account)
    except imap.FAILURES as exc:
        raise imap.failure(exc, account.host) from None
    finally:
        _logout(client)


def write(store: Store, check: Check, dropped: Collection[str] = ()) -> MailReport:
    """Log the proposals of `check` except those whose key is in `dropped` (the rep said
    not to log them: remembered, never logged later), keep where each folder stopped and
    make the mailbox active (its review is done)."""
    batch = MailBatch(
        captured=[
            Captured(p.header.key, p.header.message_id, p.activities)
            for p in check.proposals
            if p.header.key not in dropped
        ],
        dropped=[
            (p.header.key, p.header.message_id) for p in check.proposals if p.header.key in dropped
        ],
        places=check.places,
        account={"state": ACTIVE, "last_check_at": utcnow(), "last_error": ""},
    )
    written = store.mail_apply(check.account.id, batch)
    return MailReport(
        check.account, check.scanned, written.created, written.already, written.changes
    )


def check_mailbox(
    store: Store,
    credentials: Credentials,
    account: MailAccount,
    context: ssl.SSLContext | None = None,
) -> MailReport:
    """One check of an active mailbox: scan and write. MailError when the mailbox is
    still waiting for its review or cannot be read (kept as its last error)."""
    if account.state == REVIEW:
        raise imap.MailError(
            f"{account.username}: waiting for the first-run review of the last "
            f"{REVIEW_DAYS} days (Mail settings, or sfa-desktop mail-review)"
        )
    try:
        return write(store, scan(store, credentials, account, context))
    except imap.MailError as error:
        store.mail_apply(account.id, MailBatch(account={"last_error": str(error)}))
        raise


def _scan(store: Store, client: IMAPClient, account: MailAccount) -> Check:
    imap.enable_condstore(client)
    directory = store.mail_directory()
    privacy = Privacy.of(_own_addresses(store, account), account.never_capture)
    user_id = store.current_user_id() or "local"
    places = store.mail_places(account.id)
    check = Check(account)
    taken: set[str] = set()  # keys proposed from an earlier folder of this check
    for name in account.folders:
        folder = imap.scan_folder(
            client, name, places.get(name, FolderPlace()), account.since, HEADER_FIELDS
        )
        check.places[name] = folder.place
        check.scanned += len(folder.new)
        if folder.rescanned:
            check.rescanned.append(name)
        if folder.unchanged:
            check.unchanged.append(name)
        matched: dict[int, tuple[Header, Match]] = {}
        for uid, raw, internal in folder.new:
            header = read_header(raw, internal)
            found = match(header, directory, privacy)
            if found is not None and header.key not in taken:
                matched[uid] = (header, found)
                taken.add(header.key)
        seen = store.mail_seen(header.key for header, _ in matched.values())
        wanted = {uid: hf for uid, hf in matched.items() if hf[0].key not in seen}
        bodies = imap.fetch_messages(client, sorted(wanted)) if wanted else {}
        for uid, (header, found) in wanted.items():
            raw_body = bodies.get(uid)
            content = read_content(raw_body) if raw_body else Content("", ())
            made = activities(header, found, content, directory, user_id)
            check.proposals.append(Proposal(header, found, name, made))
    check.proposals.sort(key=lambda p: p.header.sent_at)
    return check


def _own_addresses(store: Store, account: MailAccount) -> list[str]:
    own = [account.address, account.username]
    user_id = store.current_user_id()
    if user_id is not None:
        own += [user.email for user in store.users() if user.id == user_id]
    return [a for a in own if "@" in a]


def _logout(client: IMAPClient) -> None:
    with contextlib.suppress(*imap.FAILURES):
        client.logout()
