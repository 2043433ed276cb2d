"""Refresh tokens and device secrets in the operating system's keyring, never in a file."""

from __future__ import annotations

import contextlib
import json
import secrets
from dataclasses import dataclass, field

import keyring
from keyring.errors import KeyringError

from sfa_desktop.security import keyring_backend

SERVICE = "sfa-desktop"


def new_device_secret() -> str:
    """32 random bytes a device proves itself with on every refresh (the server keeps
    only their hash)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class SavedSession:
    """What a signed-in device needs to get new tokens: the refresh token and the device
    secret (None for a session saved before device secrets)."""

    refresh_token: str
    device_secret: str | None = None

    def encode(self) -> str:
        if self.device_secret is None:
            return self.refresh_token
        return json.dumps(
            {"refresh_token": self.refresh_token, "device_secret": self.device_secret}
        )

    @classmethod
    def decode(cls, value: str) -> SavedSession | None:
        """From a keyring entry: JSON, or a plain refresh token as older versions kept it;
        None if the entry is unreadable."""
        if not value.startswith("{"):
            return cls(value)
        try:
            saved = json.loads(value)
            token, secret = saved["refresh_token"], saved.get("device_secret")
        except (ValueError, KeyError, TypeError):
            return None
        if not isinstance(token, str) or not isinstance(secret, str | None):
            return None
        return cls(token, secret)


@dataclass
class Credentials:
    """Keeps one session per server account; falls back to memory for the session.

    With no keyring backend (a headless box, a locked-down desktop) the session lives only
    as long as the process and `message` says so, so the UI can tell the rep why they
    will be asked to sign in again next time.
    """

    persistent: bool = field(default_factory=keyring_backend.usable)
    _memory: dict[str, SavedSession] = field(default_factory=dict, repr=False)

    @property
    def message(self) -> str:
        if self.persistent:
            return ""
        return "No system keyring is available: you stay signed in only until the app closes."

    @staticmethod
    def _key(server_url: str, username: str) -> str:
        return f"{username}@{server_url}"

    def load(self, server_url: str, username: str) -> SavedSession | None:
        key = self._key(server_url, username)
        if self.persistent:
            try:
                value = keyring.get_password(SERVICE, key)
            except KeyringError:
                self.persistent = False
            else:
                return None if value is None else SavedSession.decode(value)
        return self._memory.get(key)

    def save(self, server_url: str, username: str, saved: SavedSession) -> None:
        key = self._key(server_url, username)
        if self.persistent:
            try:
                keyring.set_password(SERVICE, key, saved.encode())
                return
            except KeyringError:
                self.persistent = False
        self._memory[key] = saved

    def forget(self, server_url: str, username: str) -> None:
        key = self._key(server_url, username)
        self._memory.pop(key, None)
        if self.persistent:
            with contextlib.suppress(KeyringError):
                keyring.delete_password(SERVICE, key)
