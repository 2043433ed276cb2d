"""The sync client's retries: backoff, and the wait a busy server asks for (Retry-After)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sync_fixtures import PASSWORD, SERVER_URL, HeldSignIn, acme_server

from sfa_desktop.sync.client import SyncClient
from sfa_desktop.sync.errors import AuthenticationRequired, ServerRefused
from sfa_desktop.sync.retry import RetryPolicy, TransientFailure, parse_retry_after


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Mon, 23 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 23 Nov 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.fixture
def gated_server(tmp_path: Path) -> Iterator[TestClient]:
    """A real server app that checks one password at a time and turns the rest away."""
    with acme_server(
        tmp_path,
        password_time_cost=1,
        password_memory_kib=1024,
        login_concurrency=1,
        login_queue_seconds=0,
    ) as client:
        yield client


def test_a_turned_away_sign_in_waits_as_told_and_then_succeeds(
    gated_server: TestClient, held_sign_in: HeldSignIn
) -> None:
    held_sign_in.hold()
    hashing, finish = held_sign_in.hashing, held_sign_in.finish
    first = SyncClient(SERVER_URL, transport=gated_server._transport)
    signed_in: list[str] = []
    thread = threading.Thread(
        target=lambda: signed_in.append(first.login("ria", PASSWORD, "desk").device_id)
    )
    thread.start()
    assert hashing.wait(30)

    waits: list[float] = []

    def sleep(seconds: float) -> None:  # what the client waits; the first sign-in ends now
        waits.append(seconds)
        finish.set()
        thread.join(30)

    second = SyncClient(
        SERVER_URL, transport=gated_server._transport, retry=RetryPolicy(sleep=sleep)
    )
    tokens = second.login("rob", PASSWORD, "laptop")
    assert tokens.device_id
    assert len(signed_in) == 1
    assert len(waits) == 1
    assert waits[0] >= 1.0  # the server's Retry-After, not the 0.5 s backoff


def test_a_wait_longer_than_the_budget_is_refused_with_the_servers_reason(
    gated_server: TestClient,
) -> None:
    calls: list[httpx.Request] = []

    def busy(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, headers={"Retry-After": "600"}, json={"detail": "busy"})

    waits: list[float] = []
    client = SyncClient(
        SERVER_URL, transport=httpx.MockTransport(busy), retry=RetryPolicy(sleep=waits.append)
    )
    with pytest.raises(ServerRefused, match=r"busy \(try again in 600 s\)"):
        client.login("rob", PASSWORD, "laptop")
    assert len(calls) == 1
    assert waits == []


def test_calls_give_up_after_their_attempts_and_refusals_are_not_retried(
    gated_server: TestClient,
) -> None:
    answers = iter([503, 502, 503, 503, 503])
    calls: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(next(answers), json={"detail": "down"})

    waits: list[float] = []
    client = SyncClient(SERVER_URL, transport=httpx.MockTransport(flaky))
    client.retry = RetryPolicy(attempts=3, sleep=waits.append)
    client.access_token = "x"
    with pytest.raises(TransientFailure):
        client.pull(0, 10)
    assert len(calls) == 3
    assert len(waits) == 2

    waits.clear()
    real = SyncClient(
        SERVER_URL, transport=gated_server._transport, retry=RetryPolicy(sleep=waits.append)
    )
    with pytest.raises(AuthenticationRequired, match="wrong username or password"):
        real.login("rob", "wrong password", "laptop")
    assert waits == []  # a refusal is final
