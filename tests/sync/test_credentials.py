"""The saved session: refresh token and device secret in one keyring entry, or without a
keyring in the encrypted store (else in memory)."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from store_keys import open_store

from sfa_desktop.store import Store
from sfa_desktop.sync.credentials import (
    SERVICE,
    VAULT_KEY,
    Credentials,
    SavedSession,
    new_device_secret,
)

URL = "https://sync.example.com"
SAVED = SavedSession("refresh-token-" + "r" * 30, new_device_secret())


def test_the_session_is_one_keyring_entry() -> None:
    credentials = Credentials(persistent=True)
    credentials.save(URL, "rob", SAVED)
    assert credentials.load(URL, "rob") == SAVED
    assert Credentials(persistent=True).load(URL, "rob") == SAVED  # a later start
    entry = keyring.get_password(SERVICE, f"rob@{URL}")
    assert entry is not None
    assert SAVED.device_secret is not None
    assert SAVED.device_secret in entry
    assert SAVED.refresh_token in entry
    credentials.forget(URL, "rob")
    assert credentials.load(URL, "rob") is None


def test_a_plain_token_saved_by_an_older_version_is_read_without_a_secret() -> None:
    keyring.set_password(SERVICE, f"rob@{URL}", "plain-old-refresh-token")
    assert Credentials(persistent=True).load(URL, "rob") == SavedSession("plain-old-refresh-token")


@pytest.mark.parametrize("entry", ["{", '{"device_secret": "s"}', '{"refresh_token": 7}', "{}"])
def test_an_unreadable_entry_is_no_session(entry: str) -> None:
    keyring.set_password(SERVICE, f"rob@{URL}", entry)
    assert Credentials(persistent=True).load(URL, "rob") is None


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_or_a_store_the_session_stays_in_memory() -> None:
    credentials = Credentials()
    assert not credentials.persistent
    credentials.save(URL, "rob", SAVED)
    assert credentials.load(URL, "rob") == SAVED
    assert credentials.message.startswith("No system keyring")


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_the_session_is_kept_in_the_encrypted_store(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.db")
    credentials = Credentials(vault=store)
    assert credentials.where.startswith("the encrypted local database")
    assert credentials.message == ""
    credentials.save(URL, "rob", SAVED)
    credentials.save(URL, "ria", SavedSession("ria-token"))
    store.close()

    reopened = open_store(tmp_path / "store.db")  # a later start
    assert Credentials(vault=reopened).load(URL, "rob") == SAVED
    Credentials(vault=reopened).forget(URL, "rob")
    assert Credentials(vault=reopened).load(URL, "rob") is None
    assert Credentials(vault=reopened).load(URL, "ria") == SavedSession("ria-token")
    reopened.close()
    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"ria-token" not in on_disk  # the store and its outbox copy are encrypted


@pytest.mark.usefixtures("no_keyring")
def test_a_plain_store_keeps_no_session(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "plain.db", key=None)
    credentials = Credentials(vault=store)
    credentials.save(URL, "rob", SAVED)
    assert store.state(VAULT_KEY) is None
    assert credentials.load(URL, "rob") == SAVED  # in memory only
    assert credentials.message.startswith("No system keyring")
    store.close()


def test_with_a_keyring_the_store_keeps_no_session(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.db")
    kept = json.dumps({f"rob@{URL}": "older-token"})
    store.set_state(**{VAULT_KEY: kept})  # kept while there was no keyring
    credentials = Credentials(vault=store)
    assert credentials.persistent
    assert credentials.load(URL, "rob") == SavedSession("older-token")  # still found
    credentials.save(URL, "rob", SAVED)
    assert store.state(VAULT_KEY) is None  # moved to the keyring: one place
    assert credentials.load(URL, "rob") == SAVED
    store.close()


def test_device_secrets_are_random_and_32_bytes() -> None:
    secrets = {new_device_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(secret) == 43 for secret in secrets)  # 32 bytes, URL-safe base64
