"""Refresh with a device key: the device's own retry after a lost answer works at any delay,
a replayed token without the device's secret gets nothing and changes nothing; devices
signed in without a key keep the retry grace window."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from server_kit import PASSWORD, Org
from sqlalchemy import select

from sync_server.api import auth as auth_api
from sync_server.models import Device, RefreshToken

SECRET = "the-laptop-secret-" + "x" * 30
OTHER_SECRET = "a-guessed-secret-" + "y" * 30


def device_key_hash(secret: str) -> str:
    """The protocol's key hash, written out: hex SHA-256 of the secret's UTF-8."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Clock:
    """The server's clock for sign-in and refresh, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(auth_api, "utcnow", clock)
    return clock


def _login(org: Org, secret: str | None = SECRET) -> dict[str, Any]:
    body: dict[str, Any] = {"username": "rob", "password": PASSWORD, "device_name": "laptop"}
    if secret is not None:
        body["device_key_hash"] = device_key_hash(secret)
    response = org.client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def _refresh(org: Org, token: str, secret: str | None = SECRET) -> Any:
    body = {"refresh_token": token}
    if secret is not None:
        body["device_secret"] = secret
    return org.client.post("/api/v1/auth/refresh", json=body)


def _pulls(org: Org, tokens: dict[str, Any]) -> bool:
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    return org.client.get("/api/v1/sync/pull", headers=headers).status_code == 200


def _chain(org: Org, device_id: str) -> tuple[list[tuple[bool, bool]], int]:
    """(rotated, revoked) of each of the device's refresh tokens, and its token epoch."""
    with org.session() as session:
        rows = session.scalars(
            select(RefreshToken)
            .where(RefreshToken.device_id == device_id)
            .order_by(RefreshToken.id)
        )
        chain = [(row.rotated_at is not None, row.revoked) for row in rows]
        return chain, session.get_one(Device, device_id).token_epoch


def test_sign_in_registers_the_hash_of_the_device_secret_only(org: Org, clock: Clock) -> None:
    tokens = _login(org)
    with org.session() as session:
        device = session.get_one(Device, tokens["device_id"])
    assert device.key_hash == device_key_hash(SECRET)
    assert SECRET not in device.key_hash


@pytest.mark.parametrize("later", [timedelta(seconds=30), timedelta(minutes=10), timedelta(days=9)])
def test_a_lost_refresh_answer_is_retried_at_any_delay(
    org: Org, clock: Clock, later: timedelta
) -> None:
    first = _login(org)
    lost = _refresh(org, first["refresh_token"])  # committed; the device never sees it
    assert lost.status_code == 200
    clock.advance(seconds=later.total_seconds())
    retry = _refresh(org, first["refresh_token"])
    assert retry.status_code == 200, retry.text
    fresh = retry.json()
    assert fresh["device_id"] == first["device_id"]
    assert _pulls(org, fresh)
    # The lost successor is discarded, so nobody can use it; the device goes on.
    assert _refresh(org, lost.json()["refresh_token"]).status_code == 401
    clock.advance(minutes=20)
    following = _refresh(org, fresh["refresh_token"])
    assert following.status_code == 200, following.text
    assert _pulls(org, following.json())


def test_several_lost_answers_in_a_row_are_each_retried(org: Org, clock: Clock) -> None:
    first = _login(org)
    for _ in range(3):
        assert _refresh(org, first["refresh_token"]).status_code == 200
        clock.advance(minutes=30)
    kept = _refresh(org, first["refresh_token"]).json()
    assert _pulls(org, kept)
    assert _refresh(org, kept["refresh_token"]).status_code == 200


@pytest.mark.parametrize("later", [timedelta(seconds=5), timedelta(minutes=10)])
@pytest.mark.parametrize("secret", [None, OTHER_SECRET], ids=["no secret", "wrong secret"])
def test_a_replayed_token_without_the_secret_gets_nothing_and_changes_nothing(
    org: Org, clock: Clock, later: timedelta, secret: str | None
) -> None:
    first = _login(org)
    current = _refresh(org, first["refresh_token"]).json()
    chain = _chain(org, first["device_id"])
    clock.advance(seconds=later.total_seconds())
    for stolen in (first["refresh_token"], current["refresh_token"]):  # rotated, and current
        replay = _refresh(org, stolen, secret)
        assert replay.status_code == 401
        assert replay.json() == {"detail": "unknown refresh token"}  # as for a made-up token
    assert _chain(org, first["device_id"]) == chain
    # The real device's session is whole: its access token works, and so does its refresh.
    assert _pulls(org, current)
    renewed = _refresh(org, current["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    assert _pulls(org, renewed.json())


def test_the_secret_of_another_device_does_not_open_this_one(org: Org, clock: Clock) -> None:
    laptop = _login(org, SECRET)
    _login(org, OTHER_SECRET)  # rob's second device
    assert _refresh(org, laptop["refresh_token"], OTHER_SECRET).status_code == 401
    assert _refresh(org, laptop["refresh_token"], SECRET).status_code == 200


def test_a_revoked_device_is_told_to_wipe_only_with_its_secret(org: Org, clock: Clock) -> None:
    tokens = _login(org)
    with org.session() as session:
        session.get_one(Device, tokens["device_id"]).revoked_at = clock.now
        session.commit()
    assert _refresh(org, tokens["refresh_token"], None).status_code == 401
    assert _refresh(org, tokens["refresh_token"]).status_code == 410


def test_an_expired_token_is_refused_even_with_the_secret(org: Org, clock: Clock) -> None:
    tokens = _login(org)
    clock.advance(days=61)
    expired = _refresh(org, tokens["refresh_token"])
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


def test_a_device_without_a_key_keeps_the_grace_window(org: Org, clock: Clock) -> None:
    """Devices signed in before device keys: a retry inside 120 s works, a later one or a
    replay ends the chain, as before."""
    first = _login(org, secret=None)
    _refresh(org, first["refresh_token"], None)
    clock.advance(seconds=60)
    retry = _refresh(org, first["refresh_token"], None)
    assert retry.status_code == 200, retry.text
    clock.advance(minutes=10)
    late = _refresh(org, first["refresh_token"], None)
    assert late.status_code == 401
    assert "reuse" in late.json()["detail"]
    assert _refresh(org, retry.json()["refresh_token"], None).status_code == 401
    assert not _pulls(org, retry.json())


def test_a_secret_sent_for_a_device_without_a_key_is_ignored(org: Org, clock: Clock) -> None:
    first = _login(org, secret=None)
    renewed = _refresh(org, first["refresh_token"], SECRET)
    assert renewed.status_code == 200, renewed.text
    with org.session() as session:
        assert session.get_one(Device, first["device_id"]).key_hash is None
    clock.advance(minutes=10)
    assert _refresh(org, first["refresh_token"], SECRET).status_code == 401  # reuse, as before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("device_key_hash", "A" * 64),
        ("device_key_hash", "0" * 63),
        ("device_key_hash", "0" * 63 + "\n"),
        ("device_key_hash", "0" * 65),
        ("device_key_hash", 7),
    ],
)
def test_a_malformed_key_hash_is_refused(org: Org, field: str, value: object) -> None:
    body = {"username": "rob", "password": PASSWORD, "device_name": "pc", field: value}
    assert org.client.post("/api/v1/auth/login", json=body).status_code == 422


@pytest.mark.parametrize("secret", ["short", "s" * 257, 7])
def test_a_malformed_device_secret_is_refused(org: Org, secret: object) -> None:
    tokens = _login(org)
    body = {"refresh_token": tokens["refresh_token"], "device_secret": secret}
    assert org.client.post("/api/v1/auth/refresh", json=body).status_code == 422
