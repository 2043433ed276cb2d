"""Sign-in, refresh rotation and reuse detection, rate limiting, revocation, bad tokens."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from server_kit import PASSWORD, SECRET, Org
from sqlalchemy import func, select

from sync_server.models import LoginFailure
from sync_server.services import admin, tokens


def _login(org: Org, username: str, password: str = PASSWORD) -> object:
    body = {"username": username, "password": password, "device_name": "pc"}
    return org.client.post("/api/v1/auth/login", json=body)


def _refresh(org: Org, token: str) -> object:
    return org.client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def test_login_returns_tokens_and_registers_a_device(org: Org) -> None:
    body = org.login("rob")
    assert body["user"]["id"] == org.ids["rob"]
    assert body["user"]["manager_id"] == org.ids["mia"]
    assert body["access_expires_in"] > 0
    with org.session() as session:
        devices = admin.list_devices(session, "rob")
    assert [d.id for d in devices] == [body["device_id"]]


def test_wrong_password_is_401(org: Org) -> None:
    response = _login(org, "rob", "nope-nope")
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response.json() == {"detail": "wrong username or password"}  # type: ignore[attr-defined]


def test_refresh_rotates_and_reuse_revokes_the_chain(org: Org) -> None:
    first = org.login("rob")
    before = _refresh(org, first["refresh_token"]).json()  # type: ignore[attr-defined]
    assert before["refresh_token"] != first["refresh_token"]
    assert before["device_id"] == first["device_id"]
    second = _refresh(org, before["refresh_token"]).json()  # type: ignore[attr-defined]
    reuse = _refresh(org, first["refresh_token"])  # its successor was used: a stolen token
    assert reuse.status_code == 401  # type: ignore[attr-defined]
    assert "reuse" in reuse.json()["detail"]  # type: ignore[attr-defined]
    # The chain is dead: the newest refresh token and the access token both stop working.
    assert _refresh(org, second["refresh_token"]).status_code == 401  # type: ignore[attr-defined]
    headers = {"Authorization": f"Bearer {second['access_token']}"}
    response = org.client.get("/api/v1/sync/pull", headers=headers)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_retry_of_a_rotation_whose_answer_was_lost_is_honoured(org: Org) -> None:
    """The client never saw the rotated token: the retry gets a fresh pair, not a lockout."""
    first = org.login("rob")
    lost = _refresh(org, first["refresh_token"]).json()  # type: ignore[attr-defined]
    retry = _refresh(org, first["refresh_token"])
    assert retry.status_code == 200  # type: ignore[attr-defined]
    fresh = retry.json()  # type: ignore[attr-defined]
    assert fresh["refresh_token"] not in (first["refresh_token"], lost["refresh_token"])
    assert _refresh(org, fresh["refresh_token"]).status_code == 200  # type: ignore[attr-defined]


def test_rate_limit_per_user_at_an_address(org: Org) -> None:
    for _ in range(5):
        assert _login(org, "rob", "wrong-password").status_code == 401  # type: ignore[attr-defined]
    limited = _login(org, "rob")  # even the right password waits
    assert limited.status_code == 429  # type: ignore[attr-defined]
    assert int(limited.headers["Retry-After"]) > 0  # type: ignore[attr-defined]
    assert "this user from this address" in limited.json()["detail"]  # type: ignore[attr-defined]
    # Another user from the same address (an office behind one NAT) is not held back.
    assert _login(org, "ria").status_code == 200  # type: ignore[attr-defined]
    with org.session() as session:
        stored = session.scalar(select(func.count()).select_from(LoginFailure))
    assert stored == 15  # account, account+address, address; shared by every server process


def test_revoked_device_is_told_to_wipe_and_refused(org: Org) -> None:
    body = org.login("rob")
    with org.session() as session:
        admin.revoke_device(session, body["device_id"], datetime.now(UTC))
    headers = org.headers("rob")
    shake = org.client.post(
        "/api/v1/sync/handshake",
        json={"client_time": datetime.now(UTC).isoformat()},
        headers=headers,
    )
    assert shake.status_code == 200
    assert shake.json()["wipe"] is True
    pull = org.client.get("/api/v1/sync/pull", headers=headers)
    assert pull.status_code == 410  # Gone: the protocol's "wipe this device"
    assert "revoked" in pull.json()["detail"]
    push = org.push_raw("rob", [])
    assert push.status_code == 410
    refresh = _refresh(org, body["refresh_token"])
    assert refresh.status_code == 410  # type: ignore[attr-defined]


def test_expired_tampered_and_missing_tokens_are_401(org: Org) -> None:
    body = org.login("rob")
    expired = tokens.issue_access(
        SECRET, tokens.AccessClaims(org.ids["rob"], body["device_id"], 0, int(time.time()) - 5)
    )
    forged = tokens.issue_access(
        "not-the-key", tokens.AccessClaims(org.ids["rob"], body["device_id"], 0, 2**40)
    )
    head, payload, signature = body["access_token"].split(".")
    tampered = f"{head}.{payload[:-2]}xx.{signature}"
    cases = {
        expired: "access token expired",
        forged: "access token signature is invalid",
        tampered: "access token signature is invalid",
        "garbage": "malformed access token",
    }
    for token, reason in cases.items():
        response = org.client.get("/api/v1/sync/pull", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.json()["detail"] == reason
    missing = org.client.get("/api/v1/sync/pull")
    assert missing.status_code == 401
    assert missing.json()["detail"] == "missing bearer access token"


def test_clock_skew_is_reported(org: Org) -> None:
    response = org.client.post(
        "/api/v1/sync/handshake",
        json={"client_time": "2001-01-01T00:00:00Z"},
        headers=org.headers("rob"),
    )
    assert "clock is off" in response.json()["message"]
