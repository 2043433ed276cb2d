"""Failed sign-ins counted per account, per account and address, and per address, through
the real app with the caller's address set (an office behind one NAT or proxy)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_kit import PASSWORD, make_settings, seed

from sync_server.app import create_app

OFFICE = "198.51.100.7"


class Addresses:
    """Test clients of one app, each calling from its own address."""

    def __init__(self, app: FastAPI, stack: ExitStack) -> None:
        self.app = app
        self.stack = stack
        self.clients: dict[str, TestClient] = {}

    def at(self, address: str) -> TestClient:
        if address not in self.clients:
            client = TestClient(self.app, client=(address, 50000))
            self.clients[address] = self.stack.enter_context(client)
        return self.clients[address]

    def login(
        self, address: str, username: str, password: str = PASSWORD, **headers: str
    ) -> httpx.Response:
        body = {"username": username, "password": password, "device_name": "pc"}
        return self.at(address).post("/api/v1/auth/login", json=body, headers=headers)


def _addresses(db_url: str, **settings: Any) -> Iterator[Addresses]:
    with ExitStack() as stack:
        addresses = Addresses(create_app(make_settings(db_url, **settings)), stack)
        seed(addresses.at(OFFICE))
        yield addresses


@pytest.fixture
def office(db_url: str) -> Iterator[Addresses]:
    yield from _addresses(db_url)


def _codes(responses: list[httpx.Response]) -> list[int]:
    return [response.status_code for response in responses]


def test_one_reps_typos_do_not_lock_out_the_office(office: Addresses) -> None:
    typos = [office.login(OFFICE, "rob", "wrong-password") for _ in range(6)]
    assert _codes(typos) == [401] * 5 + [429]
    assert "for this user from this address" in typos[-1].json()["detail"]
    assert office.login(OFFICE, "ria").status_code == 200  # a colleague behind the same NAT
    assert office.login(OFFICE, "rob").status_code == 429  # rob waits at this address


def test_account_and_address_lock_leaves_the_account_open_elsewhere(office: Addresses) -> None:
    assert _codes([office.login(OFFICE, "rob", "nope-nope") for _ in range(5)]) == [401] * 5
    assert office.login(OFFICE, "rob").status_code == 429
    assert office.login("203.0.113.20", "rob").status_code == 200  # rob from home
    assert office.login(OFFICE, "rob").status_code == 429  # the office pair is still locked


def test_account_is_locked_after_its_limit_from_any_address(office: Addresses) -> None:
    """Guesses spread over addresses (4 each, under the per-address pair limit of 5) still
    lock the account once its 10 are spent; other accounts are untouched."""
    spread = [
        office.login(f"203.0.113.{n}", "rob", "guess-guess") for n in (1, 2, 3) for _ in range(4)
    ]
    assert _codes(spread) == [401] * 10 + [429] * 2
    limited = office.login("192.0.2.99", "rob")  # right password, a fresh address
    assert limited.status_code == 429
    assert "for this user;" in limited.json()["detail"]
    assert int(limited.headers["Retry-After"]) > 0
    assert office.login("203.0.113.1", "ria").status_code == 200


def test_address_limit_is_configurable(db_url: str) -> None:
    for addresses in _addresses(db_url, login_max_address_failures=8):
        failed = [addresses.login(OFFICE, f"nobody-{n}", "x-wrong-x") for n in range(9)]
        assert _codes(failed) == [401] * 8 + [429]
        assert "for this address;" in failed[-1].json()["detail"]
        assert addresses.login(OFFICE, "ria").status_code == 429
        assert addresses.login("192.0.2.1", "ria").status_code == 200


def test_trusted_proxys_forwarded_address_is_the_client(db_url: str) -> None:
    """Behind a proxy on 10.0.0.0/8 every rep arrives from the proxy; the forwarded
    address tells them apart, its client-written left part does not."""
    for addresses in _addresses(db_url, trusted_proxies="10.0.0.0/8"):
        proxy = "10.1.1.1"
        home = {"X-Forwarded-For": "6.6.6.6, 203.0.113.5, 10.2.2.2"}  # via a second proxy
        typos = [addresses.login(proxy, "rob", "wrong-wrong", **home) for _ in range(5)]
        assert _codes(typos) == [401] * 5
        assert addresses.login(proxy, "rob", **home).status_code == 429
        other = {"X-Forwarded-For": "6.6.6.6, 203.0.113.6"}
        assert addresses.login(proxy, "rob", **other).status_code == 200
