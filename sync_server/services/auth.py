"""Sign-in, token refresh and rotation, request authentication, login rate limiting."""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import Role
from sfa_desktop.core.protocol import (
    LoginRequest,
    RefreshRequest,
    TokenResponse,
    UserInfo,
    device_key_hash,
)
from sync_server.config import ServerSettings
from sync_server.db import is_postgres
from sync_server.errors import (
    DeviceRevokedError,
    ForbiddenError,
    RateLimitedError,
    UnauthorizedError,
)
from sync_server.models import Device, LoginFailure, RefreshToken, User
from sync_server.services import tokens
from sync_server.services.text import require_storable

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile: t=3, 64 MiB, p=4
# A refresh with a wrong device secret reads exactly like an unknown token.
UNKNOWN_TOKEN = "unknown refresh token"


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def hash_password(password: str, settings: ServerSettings | None = None) -> str:
    """An argon2id hash with the cost from `settings` (the library defaults without)."""
    if settings is None:
        return _hasher.hash(password)
    return _hasher_for(settings.password_time_cost, settings.password_memory_kib).hash(password)


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    """A hash to check unknown usernames against, at the configured cost (no timing tell)."""
    return _hasher_for(time_cost, memory_kib).hash("not a password")


def _verify(password_hash: str, password: str) -> bool:
    """Check a password against its hash (the hash carries its own parameters)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user and the device the access token was issued to."""

    user: User
    device: Device


def login(
    session: Session, settings: ServerSettings, request: LoginRequest, address: str, now: datetime
) -> TokenResponse:
    """Check the password (rate limited per account, per account and address, and per
    address), register a device, issue tokens."""
    require_storable(username=request.username, device_name=request.device_name)
    keys = _rate_keys(request.username.lower(), address)
    _check_rate(session, settings, keys, now)
    user = session.scalar(select(User).where(User.username == request.username))
    cost = (settings.password_time_cost, settings.password_memory_kib)
    stored = user.password_hash if user else _dummy_hash(*cost)
    if user is not None:
        session.expunge(user)  # keeps its loaded values through the rollback
    # No transaction (nor, on SQLite, the write lock) is held through the slow hash.
    session.rollback()
    ok = _verify(stored, request.password)
    if user is not None and ok and _hasher_for(*cost).check_needs_rehash(stored):
        user.password_hash = hash_password(request.password, settings)
        user = session.merge(user)  # the new cost applies from now on
    if user is None or not ok or not user.active:
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - _window(settings)))
        session.add_all(LoginFailure(key=key, at=now) for key in keys)
        session.commit()
        raise UnauthorizedError("wrong username or password")
    session.execute(delete(LoginFailure).where(LoginFailure.key.in_(keys[:2])))
    device = Device(
        id=new_id(),
        user_id=user.id,
        name=request.device_name,
        created_at=now,
        last_seq=0,
        token_epoch=0,
        key_hash=request.device_key_hash,
    )
    session.add(device)
    session.flush()
    response = _issue(session, settings, user, device, now)
    session.commit()
    return response


def refresh(
    session: Session, settings: ServerSettings, request: RefreshRequest, now: datetime
) -> TokenResponse:
    """Rotate a refresh token.

    A device that registered a key must present its secret, or nothing happens (a copied
    token is worth nothing alone); with it, re-presenting an already rotated token is the
    device's own retry after a lost answer and gets new tokens at any delay. A device
    signed in before device keys gets the retry only within the grace window, and any
    other reuse revokes its whole chain.
    """
    digest = tokens.hash_refresh_token(request.refresh_token)
    row = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest))
    if row is None:
        raise UnauthorizedError(UNKNOWN_TOKEN)
    device = session.get_one(Device, row.device_id)
    if device.key_hash is not None and not _proves_device(device.key_hash, request):
        raise UnauthorizedError(UNKNOWN_TOKEN)  # the same answer: the replayer learns nothing
    if device.revoked_at is not None:
        raise DeviceRevokedError("this device was revoked; erase local data and sign in again")
    if device.key_hash is not None:
        if row.revoked:
            raise UnauthorizedError("refresh token was revoked; sign in again")
        if row.rotated_at is not None:
            _discard_successors(session, row)
    elif (
        row.rotated_at is not None
        and not row.revoked
        and _lost_rotation(session, row, now, settings)
    ):
        _discard_successors(session, row)
    elif row.rotated_at is not None or row.revoked:
        _revoke_chain(session, device)
        session.commit()
        raise UnauthorizedError("refresh token reuse detected; every session of this device ended")
    if row.expires_at <= now:
        raise UnauthorizedError("refresh token expired; sign in again")
    user = session.get_one(User, device.user_id)
    if not user.active:
        raise ForbiddenError("this user is deactivated")
    row.rotated_at = row.rotated_at or now
    response = _issue(session, settings, user, device, now)
    session.commit()
    return response


def sign_out(session: Session, device: Device) -> None:
    """End every session of the calling device (its refresh tokens and access tokens); the
    device stays listed, as signed out. Sign-in again registers a new device."""
    _revoke_chain(session, session.merge(device))
    session.commit()


def _proves_device(key_hash: str, request: RefreshRequest) -> bool:
    """Whether the request carries the secret whose hash the device registered."""
    if request.device_secret is None:
        return False
    return hmac.compare_digest(device_key_hash(request.device_secret), key_hash)


def _successors(session: Session, row: RefreshToken) -> list[RefreshToken]:
    return list(
        session.scalars(
            select(RefreshToken).where(
                RefreshToken.device_id == row.device_id, RefreshToken.id > row.id
            )
        )
    )


def _lost_rotation(
    session: Session, row: RefreshToken, now: datetime, settings: ServerSettings
) -> bool:
    """For a device without a key: a retry of a rotation whose answer never arrived, recent
    and with its successor unused.

    Without this, one response lost on a train's Wi-Fi would end the device's session.
    """
    assert row.rotated_at is not None
    recent = now - row.rotated_at <= timedelta(seconds=settings.refresh_retry_grace_seconds)
    return recent and all(
        later.rotated_at is None and not later.revoked for later in _successors(session, row)
    )


def _discard_successors(session: Session, row: RefreshToken) -> None:
    for later in _successors(session, row):
        later.revoked = True


def _revoke_chain(session: Session, device: Device) -> None:
    session.execute(
        update(RefreshToken).where(RefreshToken.device_id == device.id).values(revoked=True)
    )
    device.token_epoch += 1  # access tokens already issued stop working too


def _issue(
    session: Session, settings: ServerSettings, user: User, device: Device, now: datetime
) -> TokenResponse:
    token = tokens.new_refresh_token()
    session.add(
        RefreshToken(
            device_id=device.id,
            token_hash=tokens.hash_refresh_token(token),
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_days),
            revoked=False,
        )
    )
    expires = int(now.timestamp()) + settings.access_token_seconds
    claims = tokens.AccessClaims(user.id, device.id, device.token_epoch, expires)
    return TokenResponse(
        access_token=tokens.issue_access(settings.secret_key, claims),
        access_expires_in=settings.access_token_seconds,
        refresh_token=token,
        device_id=device.id,
        user=user_info(user),
    )


def user_info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        name=user.name,
        email=user.email,
        role=Role(user.role),
        manager_id=user.manager_id,
    )


def principal_of(
    session: Session,
    claims: tokens.AccessClaims,
    *,
    allow_revoked: bool = False,
    lock_device: bool = False,
) -> Principal:
    """The device and user named by verified `claims`, in one indexed lookup; with
    `lock_device` the device row stays locked to the end of the transaction (a push)."""
    statement = (
        select(Device, User)
        .join(User, User.id == Device.user_id)
        .where(Device.id == claims.device_id, Device.user_id == claims.user_id)
    )
    if lock_device:
        statement = statement.execution_options(populate_existing=True)
        if is_postgres(session):
            statement = statement.with_for_update(of=Device)
    found = session.execute(statement).one_or_none()
    if found is None:
        raise UnauthorizedError("access token names an unknown device")
    device, user = found
    if device.revoked_at is not None and not allow_revoked:
        raise DeviceRevokedError("this device was revoked; erase local data and sign in again")
    if device.token_epoch != claims.epoch:
        raise UnauthorizedError("access token was revoked; sign in again")
    if not user.active:
        raise ForbiddenError("this user is deactivated")
    return Principal(user, device)


def _rate_key(kind: str, value: str) -> str:
    """The key failed sign-ins are counted under; a long value by its digest (the column
    holds 200 characters, a username alone may have 200)."""
    key = f"{kind}:{value}"
    if len(key) <= 100:
        return key
    return f"{kind}#{hashlib.sha256(value.encode()).hexdigest()}"


def _window(settings: ServerSettings) -> timedelta:
    return timedelta(seconds=settings.login_window_seconds)


def _rate_keys(username: str, address: str) -> tuple[str, str, str]:
    """The keys a failed sign-in counts under: the account, the account from this address,
    the address (the first two are cleared by a successful sign-in)."""
    return (
        _rate_key("user", username),
        _rate_key("pair", f"{address} {username}"),  # an address holds no space
        _rate_key("addr", address),
    )


_LIMITED = ("this user", "this user from this address", "this address")


def _check_rate(
    session: Session, settings: ServerSettings, keys: tuple[str, str, str], now: datetime
) -> None:
    """RateLimitedError when one of `keys` has reached its limit within the window: one
    rep's typos lock that rep at that address, not the office behind the same address."""
    limits = (
        settings.login_max_account_failures,
        settings.login_max_failures,
        settings.login_max_address_failures,
    )
    rows = session.execute(
        select(LoginFailure.key, LoginFailure.at)
        .where(LoginFailure.key.in_(keys), LoginFailure.at > now - _window(settings))
        .order_by(LoginFailure.at)
    ).all()
    for key, limit, what in zip(keys, limits, _LIMITED, strict=True):
        times = [at for row_key, at in rows if row_key == key]
        if len(times) >= limit:
            free_at = times[len(times) - limit] + _window(settings)
            retry = max(1, math.ceil((free_at - now).total_seconds()))
            raise RateLimitedError(
                f"too many failed sign-ins for {what}; retry in {retry} s", retry
            )
