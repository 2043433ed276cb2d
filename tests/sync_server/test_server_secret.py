"""`sfa-server serve` and its token key: a placeholder, a short key, or none off loopback
is refused in one line before anything is served; none on loopback (the demo) starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import sync_server
from sfa_desktop.sync.local_server import ServerProcess, free_port
from sync_server.cli_checks import loopback_only

MAKE_ONE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def _environment(tmp_path: Path, key: str | None) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "SFA_SECRET_KEY"}
    env |= {
        "SFA_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "PYTHONPATH": str(Path(sync_server.__file__).parents[1]),  # the code under test
        "SFA_SNAPSHOTS_ENABLED": "false",
    }
    if key is not None:
        env["SFA_SECRET_KEY"] = key
    return env


@pytest.mark.parametrize(
    ("key", "host", "says"),
    [
        ("CHANGE-ME", "127.0.0.1", "SFA_SECRET_KEY is still the example's placeholder"),
        ("change-me-" + "x" * 40, "0.0.0.0", "SFA_SECRET_KEY is still the example's placeholder"),
        ("k" * 31, "127.0.0.1", "SFA_SECRET_KEY has 31 characters, 32 or more are needed"),
        (None, "0.0.0.0", "SFA_SECRET_KEY is not set (allowed only when serving on loopback"),
        (None, "::", "SFA_SECRET_KEY is not set (allowed only when serving on loopback"),
    ],
    ids=["placeholder", "long-placeholder", "short", "none-everywhere", "none-ipv6-everywhere"],
)
def test_serve_refuses_a_bad_or_missing_key(
    key: str | None, host: str, says: str, tmp_path: Path
) -> None:
    """A server that started would run into the timeout: the test fails, nothing hangs."""
    result = subprocess.run(
        [sys.executable, "-m", "sync_server", "serve", "--host", host, "--port", str(free_port())],
        env=_environment(tmp_path, key),
        cwd=tmp_path,  # no stray .env
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"sfa-server: error: {says}")
    assert MAKE_ONE in lines[0]
    if key is not None:
        assert key not in lines[0]  # the key itself is never printed


def test_serve_without_a_key_on_loopback_starts_and_signs_in(tmp_path: Path) -> None:
    """The demo's convenience: a key made up for the run, and its tokens work."""
    server = ServerProcess(_environment(tmp_path, None), cwd=tmp_path)
    server.env.pop("SFA_SECRET_KEY", None)
    server.env |= {"SFA_PASSWORD_TIME_COST": "1", "SFA_PASSWORD_MEMORY_KIB": "1024"}
    server.run("admin", "create-org", "acme")
    server.run(
        "admin", "create-user", "rob", "--org", "acme", "--name", "Rob",
        "--email", "rob@example.com", "--password", "a long enough password",
    )  # fmt: skip
    with server:
        body = {"username": "rob", "password": "a long enough password", "device_name": "pc"}
        login = httpx.post(f"{server.url}/api/v1/auth/login", json=body, trust_env=False)
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        pull = httpx.get(f"{server.url}/api/v1/sync/pull", headers=headers, trust_env=False)
        assert pull.status_code == 200, pull.text


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False), ("::", False)],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert loopback_only(host) is loopback
