"""Which keyring backends keep secrets, and the one found once is named at later starts
instead of searched for."""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import pytest
from keyring.backends.chainer import ChainerBackend
from keyring.backends.fail import Keyring as FailKeyring
from keyring.backends.null import Keyring as NullKeyring
from stand_in_keyrings import MemoryKeyring, PlainFileImpostor

from sfa_desktop.security import keyring_backend
from sfa_desktop.security.keyring_backend import ENV


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)  # restored (removed) after the test


class DesktopKeyring(MemoryKeyring):
    """Stands in for an OS keyring (none runs here): a working backend of keyring's own."""

    __module__ = "keyring.backends.Desktop"


@pytest.mark.usefixtures("no_env")
def test_a_working_os_keyring_is_remembered(tmp_path: Path) -> None:
    backend = DesktopKeyring()
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
    remembered.write_text("stand_in_keyrings.MemoryKeyring\n", encoding="utf-8")
    assert keyring_backend.use_remembered(remembered) is True
    assert os.environ[ENV] == "stand_in_keyrings.MemoryKeyring"


@pytest.mark.usefixtures("no_env")
def test_a_remembered_plain_file_keyring_is_forgotten(tmp_path: Path) -> None:
    remembered = tmp_path / "remembered"
    remembered.write_text("stand_in_keyrings.PlainFileImpostor\n", encoding="utf-8")
    assert keyring_backend.use_remembered(remembered) is False
    assert not remembered.exists()
    assert ENV not in os.environ


@pytest.mark.usefixtures("no_env")
def test_a_backend_that_no_longer_loads_is_forgotten(tmp_path: Path) -> None:
    remembered = tmp_path / "remembered"
    remembered.write_text("keyring.backends.NoSuchDesktop.Keyring\n", encoding="utf-8")
    assert keyring_backend.use_remembered(remembered) is False
    assert not remembered.exists()
    assert ENV not in os.environ


@pytest.mark.usefixtures("no_env")
def test_backends_that_are_not_keyrings_own_are_not_remembered(tmp_path: Path) -> None:
    """A keyring not of keyring's own (the tests' one, set by a fixture) is never written
    down."""
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


class Unviable:
    """A backend that does not work here (keyring's way: its priority raises)."""

    @property
    def priority(self) -> float:
        raise RuntimeError("no D-Bus")


class Zero:
    priority = 0


@pytest.mark.parametrize(
    "backend",
    [PlainFileImpostor(), FailKeyring(), NullKeyring(), Unviable(), Zero()],
    ids=["keyrings.alt plain file", "fail", "null", "not viable", "priority 0"],
)
def test_plain_files_and_stand_ins_count_as_no_keyring(
    backend: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    assert keyring_backend.secure() is None
    assert not keyring_backend.usable()
    assert keyring_backend.describe().startswith("none (")


def test_every_backend_of_keyrings_alt_is_refused_by_its_module() -> None:
    for module in ("keyrings.alt.file", "keyrings.alt.Windows", "keyrings.alt.Gnome"):
        impostor = type("Impostor", (MemoryKeyring,), {"__module__": module})()
        assert not keyring_backend.trusted(impostor), module


def test_a_chainer_stands_for_its_first_trusted_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    trusted = MemoryKeyring()
    plain = PlainFileImpostor()
    previous = keyring.get_keyring()
    keyring.set_keyring(ChainerBackend())
    try:
        monkeypatch.setattr(ChainerBackend, "backends", [plain, FailKeyring()])
        assert keyring_backend.secure() is None  # chains only what counts as no keyring
        monkeypatch.setattr(ChainerBackend, "backends", [plain, trusted])
        assert keyring_backend.secure() is trusted  # writes never fall through to the file
    finally:
        keyring.set_keyring(previous)
