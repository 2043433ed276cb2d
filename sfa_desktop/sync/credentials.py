"""Refresh tokens and device secrets: in the operating system's keyring, or in the
encrypted local store when there is none; never in a plain file."""

from __future__ import annotations

import contextlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Protocol

from keyring.errors import KeyringError, NoKeyringError

from sfa_desktop.security import keyring_backend
from sfa_desktop.store.outbox_copy import SESSIONS_KEY

SERVICE = "sfa-desktop"
VAULT_KEY = SESSIONS_KEY  # the store's sync_state key of the sessions kept there
KEPT_KEY = "credentials_kept"  # which entries this store's secrets are under (no secrets)


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


class Vault(Protocol):
    """Where sessions are kept without a keyring: the encrypted local store."""

    encrypted: bool

    def state(self, key: str) -> str | None: ...

    def set_state(self, **values: str | None) -> None: ...


@dataclass
class Credentials:
    """Keeps one session per server account: in a trusted keyring (keyring_backend), else
    in `vault` (the local store, when it is encrypted: its passphrase protects the session
    as it protects the data), else in memory for the session only.

    `where` says which, for the commands and the UI; `message` is non-empty only when the
    session lasts no longer than the process.
    """

    persistent: bool = field(default_factory=keyring_backend.usable)
    vault: Vault | None = None
    _memory: dict[str, SavedSession] = field(default_factory=dict, repr=False)

    @property
    def where(self) -> str:
        if self.persistent:
            return "the system keyring"
        if self._vault() is not None:
            return "the encrypted local database (there is no system keyring)"
        return "memory only, until the app closes (there is no system keyring)"

    @property
    def message(self) -> str:
        if self.persistent or self._vault() is not None:
            return ""
        return "No system keyring is available: you stay signed in only until the app closes."

    @staticmethod
    def _key(server_url: str, username: str) -> str:
        return f"{username}@{server_url}"

    def load(self, server_url: str, username: str) -> SavedSession | None:
        key = self._key(server_url, username)
        if self.persistent:
            try:
                value = _keyring().get_password(SERVICE, key)
            except KeyringError:
                self.persistent = False
            else:
                if value is not None:
                    return SavedSession.decode(value)
        vault = self._vault()
        if vault is not None:  # also a session kept before a keyring came
            kept = _sessions(vault).get(key)
            if kept is not None:
                return SavedSession.decode(kept)
        return self._memory.get(key)

    def save(self, server_url: str, username: str, saved: SavedSession) -> None:
        key = self._key(server_url, username)
        self._note(server_url, username, kept=True)
        if self.persistent:
            try:
                _keyring().set_password(SERVICE, key, saved.encode())
            except KeyringError:
                self.persistent = False
            else:
                self._drop_from_vault(key)  # one place, no stale copy
                return
        vault = self._vault()
        if vault is not None:
            sessions = _sessions(vault)
            sessions[key] = saved.encode()
            vault.set_state(**{VAULT_KEY: json.dumps(sessions)})
            return
        self._memory[key] = saved

    def forget(self, server_url: str, username: str) -> None:
        key = self._key(server_url, username)
        self._note(server_url, username, kept=False)
        self._memory.pop(key, None)
        self._drop_from_vault(key)
        if self.persistent:
            with contextlib.suppress(KeyringError):
                _keyring().delete_password(SERVICE, key)

    def forget_all(self) -> None:
        """Forget every secret saved for this store (sign-in, calendar and mailbox
        passwords): erasing a laptop's data leaves nothing behind in the keyring."""
        for server_url, username in _kept(self.vault):
            self.forget(server_url, username)

    def _note(self, server_url: str, username: str, kept: bool) -> None:
        """Keep the list of entries saved for the store (names only, so `forget_all` finds
        keyring entries, which cannot be listed)."""
        if self.vault is None:
            return
        entries = [e for e in _kept(self.vault) if e != (server_url, username)]
        entries += [(server_url, username)] if kept else []
        if entries != _kept(self.vault):
            self.vault.set_state(**{KEPT_KEY: json.dumps(entries) if entries else None})

    def _vault(self) -> Vault | None:
        """The vault, if it is encrypted (a plain store is a plain file)."""
        vault = self.vault
        return vault if vault is not None and vault.encrypted else None

    def _drop_from_vault(self, key: str) -> None:
        vault = self._vault()
        if vault is None:
            return
        sessions = _sessions(vault)
        if sessions.pop(key, None) is not None:
            vault.set_state(**{VAULT_KEY: json.dumps(sessions) if sessions else None})


def _keyring() -> Any:
    """The trusted keyring backend; NoKeyringError (a KeyringError) when there is none."""
    backend = keyring_backend.secure()
    if backend is None:
        raise NoKeyringError("no trusted keyring backend")
    return backend


def _kept(vault: Vault | None) -> list[tuple[str, str]]:
    """The (server, user) entries noted as saved for the store `vault`."""
    try:
        kept = json.loads((vault.state(KEPT_KEY) if vault is not None else None) or "[]")
    except ValueError:
        return []
    if not isinstance(kept, list):
        return []
    return [
        (str(entry[0]), str(entry[1]))
        for entry in kept
        if isinstance(entry, list) and len(entry) == 2
    ]


def _sessions(vault: Vault) -> dict[str, str]:
    """The sessions kept in `vault`: account -> encoded SavedSession."""
    try:
        kept = json.loads(vault.state(VAULT_KEY) or "{}")
    except ValueError:
        return {}
    if not isinstance(kept, dict):
        return {}
    return {k: v for k, v in kept.items() if isinstance(k, str) and isinstance(v, str)}
