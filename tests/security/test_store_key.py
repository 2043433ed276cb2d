"""The store's key: random in the keyring, or from a passphrase without one; shredded by a
wipe; asked on the terminal (or taken from the environment) by the commands."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest
from fastapi.testclient import TestClient
from sync_fixtures import PASSWORD, SERVER_URL

from sfa_desktop import cli
from sfa_desktop.core.entities import Account
from sfa_desktop.security import store_key
from sfa_desktop.security.store_key import (
    PassphraseNeeded,
    PassphraseRequest,
    StoreKeyLost,
    WrongPassphrase,
    entry,
    salt_file,
)
from sfa_desktop.store import Store
from sfa_desktop.store.encryption import is_plain
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.errors import DeviceWiped
from sync_server.services import admin

ROOT = Path(__file__).resolve().parents[2]
GOOD = "correct horse battery"


class Asker:
    """Answers passphrase requests from a list and keeps the requests."""

    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.requests: list[PassphraseRequest] = []

    def __call__(self, request: PassphraseRequest) -> str | None:
        self.requests.append(request)
        return self.answers.pop(0)


@pytest.fixture
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt at N=2^10 instead of 2^17: the same code, a thousandth of the work."""
    monkeypatch.setattr(store_key, "SCRYPT_N", 2**10)


def test_a_new_store_gets_a_random_key_kept_in_the_keyring(tmp_path: Path) -> None:
    path = tmp_path / "sfa.db"
    first = store_key.load(path, ask=None)
    assert first.source == "keyring"
    assert len(first.key) == 32
    assert keyring.get_password("sfa-desktop", entry(path)) == first.key.hex()
    assert first.key.hex() not in repr(first)
    assert store_key.load(path, ask=None) == first
    assert store_key.load(tmp_path / "other.db", ask=None).key != first.key  # one per file
    assert not salt_file(path).exists()
    Store.open(path, key=first.key).close()
    Store.open(path, key=store_key.load(path, ask=None).key).close()
    assert not is_plain(path)


def test_an_encrypted_store_whose_key_is_gone_says_so(tmp_path: Path) -> None:
    path = tmp_path / "sfa.db"
    Store.open(path, key=store_key.load(path, ask=None).key).close()
    keyring.delete_password("sfa-desktop", entry(path))
    with pytest.raises(StoreKeyLost, match="not in the system keyring"):
        store_key.load(path, ask=None)


@pytest.mark.usefixtures("no_keyring", "cheap_kdf")
def test_without_a_keyring_the_rep_chooses_a_passphrase_then_enters_it(tmp_path: Path) -> None:
    path = tmp_path / "sfa.db"
    choose = Asker("short", GOOD)
    chosen = store_key.load(path, ask=choose)
    assert chosen.source == "passphrase"
    assert [(r.new, r.problem) for r in choose.requests] == [
        (True, ""),
        (True, "Use at least 8 characters."),
    ]
    salt = salt_file(path).read_text()
    assert chosen.key.hex() not in salt
    assert base64.b64encode(chosen.key).decode() not in salt
    Store.open(path, key=chosen.key).close()

    unlock = Asker("not the one", GOOD)
    assert store_key.load(path, ask=unlock) == chosen
    assert [(r.new, r.problem) for r in unlock.requests] == [
        (False, ""),
        (False, "Wrong passphrase. Try again."),
    ]
    with pytest.raises(WrongPassphrase, match="Wrong passphrase"):
        store_key.load(path, ask=Asker("not the one"), attempts=1)
    with pytest.raises(PassphraseNeeded):
        store_key.load(path, ask=Asker(None))  # cancelled
    with pytest.raises(PassphraseNeeded):
        store_key.load(path, ask=None)  # no way to ask
    Store.open(path, key=store_key.unlock(path, GOOD).key).close()


@pytest.mark.usefixtures("no_keyring")
def test_the_passphrase_key_is_scrypt_with_a_random_salt(tmp_path: Path) -> None:
    """The full cost, once: N=2^17, r=8, p=1, a 16-byte salt; the passphrase is taken in
    Unicode NFC, so é typed composed or decomposed is the same passphrase."""
    composed = "caf\u00e9 au lait"
    key = store_key.create_passphrase(tmp_path / "sfa.db", composed).key
    content = json.loads(salt_file(tmp_path / "sfa.db").read_text())
    assert (content["kdf"], content["n"], content["r"], content["p"]) == ("scrypt", 2**17, 8, 1)
    salt = base64.b64decode(content["salt"])
    assert len(salt) == 16
    expected = hashlib.scrypt(
        composed.encode(), salt=salt, n=2**17, r=8, p=1, maxmem=2**28, dklen=32
    )
    assert key == expected
    assert store_key.unlock(tmp_path / "sfa.db", "cafe\u0301 au lait").key == key
    other = store_key.create_passphrase(tmp_path / "other.db", composed).key
    assert other != key  # another salt


@pytest.mark.usefixtures("cheap_kdf")
def test_forget_shreds_the_keyring_entry_and_the_salt_file(tmp_path: Path) -> None:
    keyed, salted = tmp_path / "keyed.db", tmp_path / "salted.db"
    store_key.load(keyed, ask=None)
    store_key.create_passphrase(salted, GOOD)
    store_key.forget(keyed)
    store_key.forget(salted)
    assert keyring.get_password("sfa-desktop", entry(keyed)) is None
    assert not salt_file(salted).exists()
    store_key.forget(tmp_path / "never.db")  # nothing to forget: no error


def test_console_ask_takes_the_passphrase_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = PassphraseRequest(tmp_path / "sfa.db", new=False)
    monkeypatch.setenv("SFA_STORE_PASSPHRASE", GOOD)
    assert store_key.console_ask(request) == GOOD
    with pytest.raises(WrongPassphrase):  # a wrong variable is not asked for again
        store_key.console_ask(PassphraseRequest(request.path, False, "Wrong passphrase."))
    monkeypatch.delenv("SFA_STORE_PASSPHRASE")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    with pytest.raises(PassphraseNeeded, match="SFA_STORE_PASSPHRASE"):
        store_key.console_ask(request)


def _command(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sfa_desktop", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_commands_without_a_keyring_take_the_passphrase_from_the_environment(
    tmp_path: Path,
) -> None:
    db = tmp_path / "cli.db"
    env = os.environ | {
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "SFA_STORE_PASSPHRASE": GOOD,
    }
    first = _command("sync", "--db", str(db), env=env)
    assert first.returncode == 1
    assert "Sign in to a server to sync." in first.stderr  # the store opened
    assert salt_file(db).exists()
    assert not is_plain(db)
    wrong = _command("sync", "--db", str(db), env=env | {"SFA_STORE_PASSPHRASE": "not it at all"})
    assert wrong.returncode == 1
    assert "The local database cannot be opened: Wrong passphrase." in wrong.stderr
    assert "Traceback" not in wrong.stderr
    unset = {k: v for k, v in env.items() if k != "SFA_STORE_PASSPHRASE"}
    missing = _command("sync", "--db", str(db), env=unset)
    assert missing.returncode == 1
    assert "set SFA_STORE_PASSPHRASE" in missing.stderr


@pytest.mark.usefixtures("no_keyring")
def test_the_demo_without_a_keyring_asks_nothing_and_keeps_its_key_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    client = tmp_path / "data" / "sfa-desktop" / "demo" / "client.db"
    for _run in range(2):  # the second run cannot read the first one's store: made again
        assert cli.main(["demo", "--no-gui", "--contacts", "300"]) == 0
        out = capsys.readouterr().out
        assert "key held only in memory" in out
        assert "Signed in to http://127.0.0.1:" in out
        assert client.exists()
        assert not is_plain(client)
        assert not salt_file(client).exists()


@pytest.fixture(params=["keyring", "passphrase"])
def key_source(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "passphrase":
        request.getfixturevalue("no_keyring")
        monkeypatch.setattr(store_key, "SCRYPT_N", 2**10)
    return str(request.param)


def test_a_revoked_device_shreds_its_store_key_with_its_data(
    server: TestClient, tmp_path: Path, key_source: str
) -> None:
    path = tmp_path / "laptop.db"
    key = store_key.load(path, ask=Asker(GOOD))
    assert key.source == key_source
    laptop = SyncAccount(
        Store.open(path, key=key.key), Credentials(persistent=False), transport=server._transport
    )
    laptop.sign_in(SERVER_URL, "rob", PASSWORD, "laptop")
    laptop.store.create(Account, {"name": "Secret Co"})
    laptop.engine().run_once()
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        admin.revoke_device(session, laptop.store.state("device_id") or "", datetime.now(UTC))
    with pytest.raises(DeviceWiped):
        laptop.engine().run_once()
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("laptop"))
    assert leftovers == []  # the file, its -wal and -shm, the salt file
    assert not salt_file(path).exists()
    if key_source == "keyring":
        assert keyring.get_password("sfa-desktop", entry(path)) is None


def test_the_store_knows_nothing_of_keyrings() -> None:
    """Keys reach the store as bytes; where they are kept is sfa_desktop.security's."""
    probe = (
        "import importlib, pkgutil, sys, sfa_desktop.store as store\n"
        "for info in pkgutil.walk_packages(store.__path__, 'sfa_desktop.store.'):\n"
        "    if '.migrations' not in info.name:\n"
        "        importlib.import_module(info.name)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'keyring'))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "[]"
