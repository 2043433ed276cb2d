"""Keyring backends for tests only: no operating-system keyring runs here.

- `MemoryKeyring`: stands in for an OS keyring inside one process (the autouse fixture).
- `FileStandIn`: stands in for an OS keyring shared by the processes of one test (login,
  then sync): its entries are in the JSON file named by $SFA_TEST_KEYRING_FILE, as an OS
  keyring keeps them in its own database. Set with
  PYTHON_KEYRING_BACKEND=stand_in_keyrings.FileStandIn and tests/ on PYTHONPATH.
- `PlainFileImpostor`: a working plain-text file keyring that says it is keyrings.alt's
  (its module name), so tests show the app refuses one without keyrings.alt installed.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

FILE_ENV = "SFA_TEST_KEYRING_FILE"


class MemoryKeyring(KeyringBackend):
    """Entries in a dict of this instance."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class FileStandIn(MemoryKeyring):
    """Entries in the JSON file named by $SFA_TEST_KEYRING_FILE, read at every call."""

    @property
    def _file(self) -> Path:
        return Path(os.environ[FILE_ENV])

    def _load(self) -> dict[str, str]:
        try:
            loaded: dict[str, str] = json.loads(self._file.read_text())
        except FileNotFoundError:
            return {}
        return loaded

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._load() | {f"{service}\n{username}": password}
        self._file.parent.mkdir(parents=True, exist_ok=True)
        self._file.write_text(json.dumps(entries))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._load()
        if entries.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self._file.write_text(json.dumps(entries))


class PlainFileImpostor(FileStandIn):
    """keyrings.alt's plain file keyring, as far as the app can tell (base64, as it)."""

    __module__ = "keyrings.alt.file"
    priority = 0.5  # type: ignore[assignment]

    def set_password(self, service: str, username: str, password: str) -> None:
        super().set_password(service, username, base64.b64encode(password.encode()).decode())

    def get_password(self, service: str, username: str) -> str | None:
        value = super().get_password(service, username)
        return None if value is None else base64.b64decode(value).decode()
