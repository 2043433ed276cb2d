"""No command writes a secret to a plain file: `login`, `sync`, `demo --no-gui` and
`--self-test` run as real processes against a real server, with HOME and the XDG folders
in a temp folder and no OS keyring (keyring's `fail` stand-in, or a plain-file keyring
that says it is keyrings.alt's); then every file under the temp folder is searched for the
refresh token, the device secret and the store key, raw, in base64 and in hex."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_kit import CLIENT, PASSPHRASE, PASSWORD, acme_server, rep_env
from stand_in_keyrings import FILE_ENV

from sfa_desktop.security import store_key
from sfa_desktop.store import Store
from sfa_desktop.sync.credentials import VAULT_KEY, SavedSession

NO_KEYRINGS = {
    "fail": "keyring.backends.fail.Keyring",
    "plain file": "stand_in_keyrings.PlainFileImpostor",
}
_BASE64 = re.compile(rb"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX = re.compile(rb"(?:[0-9a-fA-F]{2}){16,}")


@pytest.fixture(params=list(NO_KEYRINGS))
def home(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The environment of a rep's commands: everything under tmp_path/home."""
    home = tmp_path / "home"
    return rep_env(home, NO_KEYRINGS[request.param], **{FILE_ENV: str(home / "plain-keyring.json")})


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    server = acme_server(tmp_path / "server")
    try:
        yield server.url
    finally:
        server.stop()


def _run(*args: str, env: dict[str, str], stdin: str = "") -> str:
    result = subprocess.run(
        [*CLIENT, *args], env=env, input=stdin, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_no_command_writes_a_secret_to_a_plain_file(
    home: dict[str, str], server_url: str, tmp_path: Path
) -> None:
    db = Path(home["HOME"]) / "rep.db"
    out = _run("login", "--server", server_url, "--user", "rob", "--db", str(db), env=home,
               stdin=PASSWORD + "\n")  # fmt: skip
    assert "Your sign-in is kept in the encrypted local database" in out
    for _sync in range(2):  # the second rotates the refresh token again
        assert "Synced:" in _run("sync", "--db", str(db), env=home)
    out = _run("demo", "--no-gui", "--contacts", "300", env=home)
    assert "Synced" in out
    headless = {k: v for k, v in home.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    out = _run("--self-test", "--db", str(db), env=headless | {"QT_QPA_PLATFORM": "offscreen"})
    assert "self-test passed" in out

    key = store_key.unlock(db, PASSPHRASE).key
    store = Store.open(db, key=key)
    sessions = json.loads(store.state(VAULT_KEY) or "{}")
    store.close()
    (saved,) = (SavedSession.decode(value) for value in sessions.values())
    assert saved is not None
    assert saved.device_secret is not None
    secrets = {
        "refresh token": saved.refresh_token.encode(),
        "device secret": saved.device_secret.encode(),
        "store key": key,
        "a session as the app writes it": b'"refresh_token"',  # the demo's too
    }
    assert not Path(home[FILE_ENV]).exists(), "a plain-file keyring was used"
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(files) > 10  # stores, outbox copies, salt files, server and demo databases
    for path in files:
        found = _secrets_in(path.read_bytes(), secrets)
        assert not found, f"{path.relative_to(tmp_path)} holds the {found} in a readable form"


def _secrets_in(content: bytes, secrets: dict[str, bytes]) -> list[str]:
    """The names of the secrets `content` holds raw, in base64 (standard or URL-safe, at
    any offset) or in hex."""
    readable = [content]
    for run in _BASE64.findall(content):
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            for start in range(4):  # a secret inside a longer base64 text
                chunk = run[start:]
                chunk = chunk[: len(chunk) - len(chunk) % 4]
                with contextlib.suppress(binascii.Error, ValueError):
                    readable.append(decode(chunk))
    readable += [binascii.unhexlify(run) for run in _HEX.findall(content) if len(run) % 2 == 0]
    forms = {name: (value, value.hex().encode()) for name, value in secrets.items()}
    return [
        name
        for name, variants in forms.items()
        if any(variant in text for text in readable for variant in variants)
    ]
