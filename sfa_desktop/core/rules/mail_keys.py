"""What names a captured email: the key of a Message-ID, and the id of the activity a
message makes for one account of one user (the same on every device)."""

from __future__ import annotations

import hashlib

from sfa_desktop.core.shared_ids import name_based_id


def normal_message_id(message_id: str) -> str:
    """A Message-ID as compared: without spaces and angle brackets, its domain part in
    lower case (RFC 5322 keeps the left part case-sensitive)."""
    text = "".join(message_id.split()).strip("<>")
    left, at, right = text.rpartition("@")
    return f"{left}@{right.lower()}" if at else text


def message_key(message_id: str) -> str:
    """The key a message is known by in the store: SHA-256 of its normal Message-ID."""
    return hashlib.sha256(normal_message_id(message_id).encode("utf-8")).hexdigest()


def activity_id(user_id: str, key: str, account_id: str | None) -> str:
    """The id of the activity that the message `key` makes for `account_id` (None: the
    contacts without an account) of `user_id`."""
    return name_based_id("email", user_id, key, account_id or "-")
