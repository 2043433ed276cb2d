"""Mailbox passwords kept like the sync sign-in (sync.credentials): in the system keyring,
else in the encrypted local store, else in memory for this run only."""

from __future__ import annotations

from sfa_desktop.sync.credentials import Credentials, SavedSession

_PREFIX = "imap:"  # keeps these apart from the sync server's sessions
_MARK = "imap-password"  # makes the entry JSON, so any password reads back whole


def save_password(credentials: Credentials, host: str, username: str, password: str) -> None:
    credentials.save(_PREFIX + host, username, SavedSession(password, _MARK))


def load_password(credentials: Credentials, host: str, username: str) -> str | None:
    saved = credentials.load(_PREFIX + host, username)
    return saved.refresh_token if saved is not None else None


def forget_password(credentials: Credentials, host: str, username: str) -> None:
    credentials.forget(_PREFIX + host, username)
