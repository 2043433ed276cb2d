"""A server that cannot be reached: `sfa-desktop login` and `sync` (real processes) say
where they connect at once and fail in one line naming what to check, within ~10 s: a
socket that accepts and never answers, a closed port, a server stopped after sign-in."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sfa_desktop.sync.local_server import ServerProcess, free_port

PASSWORD = "correct horse battery"
CLIENT = (sys.executable, "-m", "sfa_desktop")
LIMIT = 13.0  # seconds for the whole command: ~10 s, with the process start and the KDF


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return os.environ | {
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "SFA_STORE_PASSPHRASE": "a passphrase for the store",
    }


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A socket that accepts connections (the kernel does, from the backlog) and never
    reads or answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def _timed(*args: str, env: dict[str, str], stdin: str = "") -> tuple[float, str, str, int]:
    started = time.monotonic()
    result = subprocess.run(
        [*CLIENT, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )
    took = time.monotonic() - started
    print(f"{args[0]}: failed after {took:.1f} s: {result.stderr.strip()}")  # the figures
    return took, result.stdout, result.stderr, result.returncode


def _one_line_naming_what_to_check(stderr: str, url: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].strip()
    assert "Traceback" not in stderr
    assert f"no answer from {url}" in lines[0]
    assert "check the server address, that the server is running" in lines[0]


@pytest.mark.parametrize("kind", ["never answers", "closed port"])
def test_login_to_an_unreachable_server_fails_within_ten_seconds(
    kind: str, silent_url: str, env: dict[str, str], tmp_path: Path
) -> None:
    url = silent_url if kind == "never answers" else f"http://127.0.0.1:{free_port()}"
    db = str(tmp_path / "rep.db")
    took, out, err, code = _timed(
        "login", "--server", url, "--user", "rob", "--db", db, env=env, stdin=PASSWORD + "\n"
    )
    assert code == 1
    assert out.startswith(f"Connecting to {url}…"), out  # progress, before the wait
    _one_line_naming_what_to_check(err, url)
    assert took < LIMIT


def test_sync_with_a_server_gone_fails_within_ten_seconds(
    env: dict[str, str], tmp_path: Path
) -> None:
    server = ServerProcess(
        {"SFA_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}", "SFA_SECRET_KEY": "k" * 32}
    )
    server.run("migrate")
    server.run("admin", "create-org", "acme")
    user = ("rob", "--org", "acme", "--name", "Rob Rep", "--email", "rob@example.com")
    server.run("admin", "create-user", *user, "--password", PASSWORD)
    db = str(tmp_path / "rep.db")
    with server:
        login = ("login", "--server", server.url, "--user", "rob", "--db", db)
        assert _timed(*login, env=env, stdin=PASSWORD + "\n")[3] == 0
    took, out, err, code = _timed("sync", "--db", db, env=env)
    assert code == 1
    assert out.startswith(f"Syncing with {server.url}…"), out
    _one_line_naming_what_to_check(err, server.url)
    assert took < LIMIT
