"""What capture reads from a message, with the standard library's `email` package: the
header fields (addresses, date, subject decoded from RFC 2047, Message-ID and thread),
and from the whole message only a short plain-text excerpt and the attachments' names
and sizes. Nothing else of a body is kept."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from sfa_desktop.core.entities import Attachment
from sfa_desktop.core.rules.mail_keys import message_key, normal_message_id

# The header fields a check fetches for every new message.
HEADER_FIELDS = (
    "FROM",
    "TO",
    "CC",
    "BCC",
    "DATE",
    "SUBJECT",
    "MESSAGE-ID",
    "IN-REPLY-TO",
    "REFERENCES",
)
EXCERPT_CHARS = 300
_MESSAGE_IDS = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class Header:
    """A message as its header fields tell it."""

    key: str  # message_key of its Message-ID (or of the fields, with none)
    message_id: str  # as normalised (no angle brackets)
    thread_id: str  # the root of its References chain, else its In-Reply-To, else itself
    sender: str  # the From address, lower case
    recipients: tuple[str, ...]  # To, Cc and Bcc addresses, lower case
    subject: str
    sent_at: datetime


def read_header(raw: bytes, internal_date: datetime | None = None) -> Header:
    """The header of a message from its header bytes. A message without a Date takes the
    server's INTERNALDATE; one without a Message-ID is named by a hash of its fields, so
    every device names it alike."""
    parsed = BytesHeaderParser().parsebytes(raw)  # compat32: raw values, 5x faster
    sender = _addresses(parsed, "from")
    recipients = tuple(
        dict.fromkeys(a for name in ("to", "cc", "bcc") for a in _addresses(parsed, name))
    )
    subject = " ".join(_decoded(_text(parsed, "subject")).split())
    sent_at = _date(_text(parsed, "date")) or internal_date or datetime.now(UTC)
    found = _MESSAGE_IDS.findall(_text(parsed, "message-id"))
    if found:
        message_id = normal_message_id(found[0])
    else:  # rare (some drafts and old systems): the same fields name it on every device
        fields = "\n".join([sender[0] if sender else "", *recipients, subject, sent_at.isoformat()])
        message_id = f"{hashlib.sha256(fields.encode()).hexdigest()[:32]}@no-message-id"
    references = _MESSAGE_IDS.findall(_text(parsed, "references"))
    replied = _MESSAGE_IDS.findall(_text(parsed, "in-reply-to"))
    root = references[0] if references else replied[0] if replied else message_id
    return Header(
        key=message_key(message_id),
        message_id=message_id,
        thread_id=normal_message_id(root),
        sender=sender[0] if sender else "",
        recipients=recipients,
        subject=subject,
        sent_at=sent_at.astimezone(UTC),
    )


@dataclass(frozen=True)
class Content:
    """What capture keeps of a message's body: an excerpt and the attachments."""

    excerpt: str
    attachments: tuple[Attachment, ...]


def read_content(raw: bytes) -> Content:
    """The excerpt (the first plain text, or the HTML's text, without quoted lines and the
    signature, at most EXCERPT_CHARS) and each attachment's name and decoded size."""
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    attachments = []
    for part in parsed.iter_attachments() if parsed.is_multipart() else ():
        if part.is_multipart():
            continue
        name = part.get_filename() or part.get_content_type()
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
        attachments.append(Attachment(name=_shorten(" ".join(name.split()), 200), size=size))
    return Content(_excerpt(parsed), tuple(attachments))


def _excerpt(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        text = body.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken encoding
        payload = body.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if body.get_content_subtype() == "html":
        text = _html_text(text)
    kept: list[str] = []
    for line in text.splitlines():
        if line.rstrip() == "--":  # the signature follows
            break
        if line.lstrip().startswith(">"):
            if kept and kept[-1].rstrip().endswith(":"):  # "On Monday Alice wrote:"
                kept.pop()
            continue
        kept.append(line)
    return _shorten(" ".join(" ".join(kept).split()), EXCERPT_CHARS)


def _html_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(message: object, name: str) -> str:
    get = getattr(message, "get", None)
    try:
        value = get(name) if get is not None else None
    except (ValueError, IndexError, TypeError):  # a header the policy cannot parse
        value = None
    return str(value) if value is not None else ""


def _decoded(text: str) -> str:
    """A header value with its RFC 2047 encoded words decoded (as it was, if it cannot be)."""
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (LookupError, ValueError, UnicodeError):  # an unknown charset, a broken word
        return text


def _addresses(message: object, name: str) -> list[str]:
    values = getattr(message, "get_all", lambda _name: None)(name) or []
    try:
        texts = [str(value) for value in values]
    except (ValueError, IndexError, TypeError):
        return []
    return [address.lower() for _, address in getaddresses(texts) if "@" in address]


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
