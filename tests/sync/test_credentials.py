"""The saved session: refresh token and device secret in one keyring entry, or in memory."""

from __future__ import annotations

import keyring
import pytest

from sfa_desktop.sync.credentials import (
    SERVICE,
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
def test_without_a_keyring_the_session_stays_in_memory() -> None:
    credentials = Credentials()
    assert not credentials.persistent
    credentials.save(URL, "rob", SAVED)
    assert credentials.load(URL, "rob") == SAVED


def test_device_secrets_are_random_and_32_bytes() -> None:
    secrets = {new_device_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(secret) == 43 for secret in secrets)  # 32 bytes, URL-safe base64
