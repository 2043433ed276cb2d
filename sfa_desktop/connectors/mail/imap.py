"""The rep's mailbox over IMAP, through the `imapclient` library: signing in (TLS,
STARTTLS, or plain to this computer only), the folders to watch (SPECIAL-USE), and what is
new in a folder since its last check (UIDVALIDITY, UID, and HIGHESTMODSEQ when the
server offers CONDSTORE)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from sfa_desktop.core.errors import DomainError
from sfa_desktop.store.store_mail import FolderPlace

SECURITIES = ("tls", "starttls", "none")
DEFAULT_PORTS = {"tls": 993, "starttls": 143, "none": 143}
TIMEOUT_SECONDS = 20
HEADER_CHUNK = 1_000  # messages per FETCH of header fields
BODY_CHUNK = 25  # messages per FETCH of whole messages
LARGEST_BODY = 10 * 1024 * 1024  # larger messages are logged without excerpt and attachments
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


class MailError(DomainError):
    """The mailbox could not be reached or refused us (one line for the rep)."""


# What talking to a mailbox can raise: the library's errors (imaplib's too), the network's.
FAILURES: tuple[type[Exception], ...] = (IMAPClientError, OSError, ssl.SSLError, MailError)


def check_security(host: str, security: str) -> None:
    """A password goes in clear only to this computer."""
    if security not in SECURITIES:
        raise MailError(f"security must be one of {', '.join(SECURITIES)}, not {security!r}")
    if security == "none" and host.lower() not in _LOOPBACK and not host.startswith("127."):
        raise MailError(f"{host} needs TLS or STARTTLS: a password never goes in clear")


def open_mailbox(
    host: str,
    port: int,
    security: str,
    username: str,
    password: str,
    context: ssl.SSLContext | None = None,
) -> IMAPClient:
    """A signed-in IMAP client; MailError (one line) when that fails."""
    check_security(host, security)
    if context is None and security != "none":
        from sfa_desktop.sync.tls import site_context

        context = site_context()
    try:
        client = IMAPClient(
            host, port, ssl=security == "tls", ssl_context=context, timeout=TIMEOUT_SECONDS
        )
        if security == "starttls":
            client.starttls(context)
        client.login(username, password)
    except FAILURES as exc:
        raise failure(exc, host) from None
    return client


def failure(exc: BaseException, host: str) -> MailError:
    """`exc`, raised while talking to `host`, as one sentence."""
    if isinstance(exc, MailError):
        return exc
    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    if isinstance(exc, IMAPClientError) and "auth" in reason.lower():
        return MailError(f"{host} refused the user name or password ({reason})")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailError(f"{host}'s certificate is not trusted ({reason})")
    if isinstance(exc, socket.timeout | ConnectionError | socket.gaierror):
        return MailError(f"no answer from {host} ({reason})")
    return MailError(f"{host}: {reason}")


def watched_by_default(client: IMAPClient) -> list[str]:
    """The Inbox and the folder marked \\Sent (SPECIAL-USE), else one called Sent."""
    folders = client.list_folders()
    names = [name for _flags, _delimiter, name in folders]
    chosen = ["INBOX"]
    sent = [name for flags, _delimiter, name in folders if b"\\Sent" in flags]
    if not sent:
        sent = [n for n in names if n.rsplit("/", 1)[-1].rsplit(".", 1)[-1].lower() == "sent"]
    return chosen + sent[:1]


@dataclass
class FolderScan:
    """What is new in one folder: (UID, header bytes, INTERNALDATE) of each message, and
    where the next check starts."""

    name: str
    place: FolderPlace
    new: list[tuple[int, bytes, datetime | None]] = field(default_factory=list)
    rescanned: bool = False  # the server renumbered the folder (UIDVALIDITY changed)
    unchanged: bool = False  # HIGHESTMODSEQ had not moved: not even searched


def scan_folder(
    client: IMAPClient, name: str, place: FolderPlace, since: datetime, fields: Sequence[str]
) -> FolderScan:
    """Select `name` (read-only) and fetch the header `fields` of the messages after
    `place` (all since `since` when the folder was renumbered or never checked). A folder
    whose HIGHESTMODSEQ has not moved is not searched at all."""
    info = client.select_folder(name, readonly=True)
    validity = int(info[b"UIDVALIDITY"])
    modseq = info.get(b"HIGHESTMODSEQ")
    modseq = int(modseq) if modseq is not None else None
    same = place.uidvalidity == validity
    if same and modseq is not None and modseq == place.highest_modseq:
        return FolderScan(name, place, unchanged=True)
    start = place.last_uid + 1 if same else 1
    criteria: list[Any] = ["UID", f"{start}:*"]
    criteria += ["SINCE", since.date()]
    uids = sorted(uid for uid in client.search(criteria) if uid >= start)
    last = max([place.last_uid if same else 0, *uids])
    scan = FolderScan(
        name, FolderPlace(validity, last, modseq), rescanned=not same and bool(place.uidvalidity)
    )
    wanted = f"BODY.PEEK[HEADER.FIELDS ({' '.join(fields)})]"
    for chunk in _chunks(uids, HEADER_CHUNK):
        answer = client.fetch(chunk, [wanted, "INTERNALDATE"])
        for uid in chunk:
            data = answer.get(uid)
            if data is None:  # expunged meanwhile
                continue
            header = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
            internal = data.get(b"INTERNALDATE")
            scan.new.append((uid, bytes(header or b""), internal))
    return scan


def fetch_messages(client: IMAPClient, uids: Sequence[int]) -> dict[int, bytes | None]:
    """The whole messages of `uids` in the selected folder (read, never marked seen);
    None for a message over LARGEST_BODY."""
    found: dict[int, bytes | None] = {}
    sizes: dict[int, int] = {}
    for chunk in _chunks(list(uids), HEADER_CHUNK):
        for uid, data in client.fetch(chunk, ["RFC822.SIZE"]).items():
            sizes[uid] = int(data.get(b"RFC822.SIZE", 0))
    small = [uid for uid in uids if sizes.get(uid, 0) <= LARGEST_BODY]
    found.update(dict.fromkeys((uid for uid in uids if uid not in small), None))
    for chunk in _chunks(small, BODY_CHUNK):
        for uid, data in client.fetch(chunk, ["BODY.PEEK[]"]).items():
            found[uid] = bytes(data.get(b"BODY[]", b""))
    return found


def enable_condstore(client: IMAPClient) -> None:
    """Ask for HIGHESTMODSEQ in SELECT answers where the server offers CONDSTORE."""
    capabilities = client.capabilities()
    if b"CONDSTORE" in capabilities and b"ENABLE" in capabilities:
        client.enable("CONDSTORE")


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
