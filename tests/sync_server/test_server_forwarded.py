"""The caller's address: X-Forwarded-For believed from trusted proxies only, checked on
its own and through a real `sfa-server serve` process."""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import sync_server
from sfa_desktop.sync.local_server import ServerProcess
from sync_server.api.addresses import forwarded_client

TRUSTED = (ipaddress.ip_network("127.0.0.1"), ipaddress.ip_network("10.0.0.0/8"))
PASSWORD = "a long enough password"


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # untrusted peer: header ignored
        ("127.0.0.1", [], "127.0.0.1"),  # trusted peer, nothing forwarded
        ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1, 10.0.0.4"], "198.51.100.1"),  # rightmost untrusted
        ("127.0.0.1", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # two headers, one chain
        ("127.0.0.1", ["10.0.0.3, 10.0.0.4"], "10.0.0.3"),  # all trusted: the furthest
        ("127.0.0.1", ["198.51.100.1, junk"], "127.0.0.1"),  # garbled: the proxy itself
        ("127.0.0.1", ["[2001:db8::1]"], "2001:db8::1"),
        ("::ffff:127.0.0.1", ["198.51.100.1"], "198.51.100.1"),  # IPv4 inside IPv6
        ("testclient", ["198.51.100.1"], "testclient"),  # not an address: never trusted
    ],
)
def test_forwarded_client(peer: str, forwarded: list[str], client: str) -> None:
    assert forwarded_client(peer, forwarded, TRUSTED) == client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`sfa-server serve` on 127.0.0.1 trusting 127.0.0.2 as its proxy (so 127.0.0.1 is an
    untrusted peer), an address limit of 8, users rob and ria."""
    folder = tmp_path_factory.mktemp("forwarded")
    code_root = str(Path(sync_server.__file__).parents[1])  # the code under test
    process = ServerProcess(
        {
            "SFA_DATABASE_URL": f"sqlite:///{folder / 'server.db'}",
            "SFA_SECRET_KEY": "forwarded-test-key-0123456789abcdef0123",
            "SFA_TRUSTED_PROXIES": "127.0.0.2",
            "SFA_LOGIN_MAX_ADDRESS_FAILURES": "8",
            "SFA_PASSWORD_TIME_COST": "1",
            "SFA_PASSWORD_MEMORY_KIB": "1024",
            "SFA_SNAPSHOTS_ENABLED": "false",
            "PYTHONPATH": code_root,
        },
        cwd=folder,
    )
    process.run("admin", "create-org", "acme")
    for name in ("rob", "ria"):
        process.run(
            "admin", "create-user", name, "--org", "acme", "--name", name,
            "--email", f"{name}@example.com", "--password", PASSWORD,
        )  # fmt: skip
    with process:
        yield process


def _login(server: ServerProcess, source: str, username: str, password: str, forwarded: str) -> int:
    """The status of a sign-in sent from the local address `source`."""
    transport = httpx.HTTPTransport(local_address=source)
    body = {"username": username, "password": password, "device_name": "pc"}
    headers = {"X-Forwarded-For": forwarded}
    with httpx.Client(transport=transport, trust_env=False, timeout=30) as client:
        response = client.post(f"{server.url}/api/v1/auth/login", json=body, headers=headers)
    return response.status_code


@pytest.mark.skipif(sys.platform != "linux", reason="binds 127.0.0.2 (all of 127/8 is local)")
def test_trusted_proxy_tells_an_offices_reps_apart(server: ServerProcess) -> None:
    office = "6.6.6.6, 203.0.113.5"  # the left part is the client's own say
    typos = [_login(server, "127.0.0.2", "rob", "wrong-wrong", office) for _ in range(6)]
    assert typos == [401] * 5 + [429]
    assert _login(server, "127.0.0.2", "ria", PASSWORD, "7.7.7.7, 203.0.113.5") == 200
    assert _login(server, "127.0.0.2", "rob", PASSWORD, "203.0.113.6") == 200  # rob elsewhere


@pytest.mark.skipif(sys.platform != "linux", reason="binds 127.0.0.2 (all of 127/8 is local)")
def test_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(server: ServerProcess) -> None:
    """127.0.0.1 is not a trusted proxy here: a new X-Forwarded-For per attempt does not
    make it a new address, so its 8 failures lock it."""
    failed = [
        _login(server, "127.0.0.1", f"nobody-{n}", "wrong-wrong", f"198.51.100.{n}")
        for n in range(9)
    ]
    assert failed == [401] * 8 + [429]
    assert _login(server, "127.0.0.1", "ria", PASSWORD, "198.51.100.200") == 429
