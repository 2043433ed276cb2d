"""The keyring backend found once is named at later starts instead of searched for."""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from sfa_desktop.security import keyring_backend
from sfa_desktop.security.keyring_backend import ENV


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)  # restored (removed) after the test


class DesktopKeyring(PlaintextKeyring):
    """Stands in for an OS keyring (none runs here): a working backend of keyring's own."""

    __module__ = "keyring.backends.Desktop"


@pytest.mark.usefixtures("no_env")
def test_a_working_os_keyring_is_remembered(tmp_path: Path) -> None:
    backend = DesktopKeyring()
    backend.file_path = str(tmp_path / "keys.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        keyring_backend.remember(tmp_path / "remembered")
    finally:
        keyring.set_keyring(previous)
    name = (tmp_path / "remembered").read_text(encoding="utf-8").strip()
    assert name == "keyring.backends.Desktop.DesktopKeyring"


@pytest.mark.usefixtures("no_env")
def test_a_remembered_backend_is_named_next_time(tmp_path: Path) -> None:
    remembered = tmp_path / "remembered"
    remembered.write_text("keyrings.alt.file.PlaintextKeyring\n", encoding="utf-8")
    assert keyring_backend.use_remembered(remembered) is True
    assert os.environ[ENV] == "keyrings.alt.file.PlaintextKeyring"


@pytest.mark.usefixtures("no_env")
def test_a_backend_that_no_longer_loads_is_forgotten(tmp_path: Path) -> None:
    remembered = tmp_path / "remembered"
    remembered.write_text("keyring.backends.NoSuchDesktop.Keyring\n", encoding="utf-8")
    assert keyring_backend.use_remembered(remembered) is False
    assert not remembered.exists()
    assert ENV not in os.environ


@pytest.mark.usefixtures("no_env")
def test_backends_that_are_not_keyrings_own_are_not_remembered(tmp_path: Path) -> None:
    """A file keyring (the tests' own, set by a fixture) is never written down."""
    keyring_backend.remember(tmp_path / "remembered")
    assert not (tmp_path / "remembered").exists()


def test_a_backend_named_in_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "keyring.backends.fail.Keyring")
    remembered = tmp_path / "remembered"
    remembered.write_text("keyrings.alt.file.PlaintextKeyring\n", encoding="utf-8")
    assert keyring_backend.use_remembered(remembered) is False
    assert os.environ[ENV] == "keyring.backends.fail.Keyring"
