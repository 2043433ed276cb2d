"""Token refresh end to end, SyncAccount against the in-process server: a refresh answer
lost on every try does not sign the device out, however late the next sync comes, and a
copied refresh token without the device's secret gets no session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sync_fixtures import SERVER_URL, Device

from sfa_desktop.core.entities import Account
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.client import SyncClient
from sfa_desktop.sync.errors import AuthenticationRequired, Offline
from sfa_desktop.sync.retry import RetryPolicy
from sync_server.api import auth as auth_api

REFRESH = "/api/v1/auth/refresh"


class LoseRefreshAnswers(httpx.BaseTransport):
    """Passes every request to the server; while `losing`, a refresh's answer is lost
    after the server committed it (fault_transport's drop_response, for refreshes only)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.losing = False
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        if self.losing and request.url.path == REFRESH:
            self.lost += 1
            raise httpx.ReadError("injected: refresh answer lost", request=request)
        return response


class Clock:
    """The server's clock for sign-in and refresh, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(auth_api, "utcnow", clock)
    return clock


def _quick_retries(account: SyncAccount) -> None:
    account.client().retry = RetryPolicy(sleep=lambda _seconds: None)


def test_a_refresh_answer_lost_on_every_try_is_harmless_minutes_later(
    device: Device, server: TestClient, clock: Clock
) -> None:
    lossy = LoseRefreshAnswers(server._transport)
    laptop = device("rob", "laptop", transport=lossy)
    laptop.store.create(Account, {"name": "Written on the train"})
    _quick_retries(laptop)  # its first sync refreshes: the signed-in client was closed
    lossy.losing = True
    with pytest.raises(Offline):
        laptop.engine().run_once()
    assert lossy.lost == RetryPolicy().attempts  # each try rotated the token on the server
    lossy.losing = False
    clock.now += timedelta(minutes=10)
    report = laptop.engine().run_once()
    assert report.pushed == 1
    # The app restarts later: the saved refresh token and device secret still work.
    clock.now += timedelta(hours=5)
    laptop.close()
    restarted = SyncAccount(laptop.store, laptop.credentials, transport=lossy)
    laptop.store.create(Account, {"name": "After the restart"})
    assert restarted.engine().run_once().pushed == 1


def test_a_copied_refresh_token_gets_no_session_and_the_device_carries_on(
    device: Device, server: TestClient, clock: Clock
) -> None:
    laptop = device("rob", "laptop")
    stolen = laptop.client().refresh_token  # as saved at sign-in
    laptop.engine().run_once()  # rotates it
    current = laptop.client().refresh_token
    assert stolen is not None
    assert current is not None
    assert current != stolen
    for token, later in [(stolen, 5), (current, 600)]:  # inside, then past the old grace
        clock.now += timedelta(seconds=later)
        thief = SyncClient(SERVER_URL, transport=server._transport)
        thief.refresh_token = token
        with pytest.raises(AuthenticationRequired, match="unknown refresh token"):
            thief.refresh()
    laptop.close()  # the next sync refreshes with the current token
    laptop.store.create(Account, {"name": "Still signed in"})
    assert laptop.engine().run_once().pushed == 1
