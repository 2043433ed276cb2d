"""Refresh tokens in the operating system's keyring, never in a file."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import keyring
from keyring.errors import KeyringError

from sfa_desktop.security import keyring_backend

SERVICE = "sfa-desktop"


@dataclass
class Credentials:
    """Keeps one refresh token per server account; falls back to memory for the session.

    With no keyring backend (a headless box, a locked-down desktop) the token lives only
    as long as the process and `message` says so, so the UI can tell the rep why they
    will be asked to sign in again next time.
    """

    persistent: bool = field(default_factory=keyring_backend.usable)
    _memory: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def message(self) -> str:
        if self.persistent:
            return ""
        return "No system keyring is available: you stay signed in only until the app closes."

    @staticmethod
    def _key(server_url: str, username: str) -> str:
        return f"{username}@{server_url}"

    def load(self, server_url: str, username: str) -> str | None:
        key = self._key(server_url, username)
        if self.persistent:
            try:
                return keyring.get_password(SERVICE, key)
            except KeyringError:
                self.persistent = False
        return self._memory.get(key)

    def save(self, server_url: str, username: str, refresh_token: str) -> None:
        key = self._key(server_url, username)
        if self.persistent:
            try:
                keyring.set_password(SERVICE, key, refresh_token)
                return
            except KeyringError:
                self.persistent = False
        self._memory[key] = refresh_token

    def forget(self, server_url: str, username: str) -> None:
        key = self._key(server_url, username)
        self._memory.pop(key, None)
        if self.persistent:
            with contextlib.suppress(KeyringError):
                keyring.delete_password(SERVICE, key)
