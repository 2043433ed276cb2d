"""SyncClient's own-password calls against the in-process server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sync_fixtures import PASSWORD, SERVER_URL, Device

from sfa_desktop.sync.client import SyncClient
from sfa_desktop.sync.errors import AuthenticationRequired, ServerRefused
from sfa_desktop.sync.retry import RetryPolicy
from sync_server.models import User
from sync_server.services import passwords

NEW = "a brand new passphrase"


def _client(server: TestClient) -> SyncClient:
    retry = RetryPolicy(sleep=lambda _seconds: None)
    return SyncClient(SERVER_URL, transport=server._transport, retry=retry)


def test_change_password_refused_then_done(server: TestClient, device: Device) -> None:
    client = device("rob").client()
    with pytest.raises(ServerRefused) as refused:
        client.change_password("not my password", NEW)
    assert refused.value.status == 400
    assert refused.value.detail == "the current password is wrong"
    client.change_password(PASSWORD, NEW)
    fresh = _client(server)
    with pytest.raises(AuthenticationRequired):
        fresh.login("rob", PASSWORD, "desk")
    assert fresh.login("rob", NEW, "desk").user.name == "Rob"


def test_set_up_password_with_a_code(server: TestClient) -> None:
    code = passwords.new_setup_code()
    expires = datetime.now(UTC) + timedelta(days=1)
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        rob = session.query(User).filter_by(username="rob").one()
        rob.password_hash = passwords.setup_hash(code, expires, None)
        session.commit()
    client = _client(server)
    with pytest.raises(ServerRefused) as refused:
        client.set_up_password("rob", "AAAA-BBBB-CCCC-DDDD", NEW)
    assert "set-up code" in refused.value.detail
    client.set_up_password("rob", code, NEW)
    assert client.login("rob", NEW, "laptop").user.name == "Rob"
