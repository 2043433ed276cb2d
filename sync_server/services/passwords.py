"""A user's own password: the rules, one-time set-up codes, changing it.

A user created by `admin import-users` has no password: their `password_hash` holds
`setup:<expiry>:<argon2 hash of the code>`, which no sign-in matches (it is no argon2
hash). The code sets the first password once (`set_up`); a signed-in user changes theirs
with the old one (`change`)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.protocol import MIN_PASSWORD_LENGTH
from sync_server.config import ServerSettings
from sync_server.errors import BadRequestError, RateLimitedError
from sync_server.models import LoginFailure, User
from sync_server.services.auth import hash_password
from sync_server.services.text import require_storable

SETUP_PREFIX = "setup:"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 letters, none mistaken for another
_checker = PasswordHasher()  # verifying reads the cost from the hash itself
WRONG_CODE = "wrong username or set-up code, or the code was used or has expired"


def check_new_password(password: str) -> None:
    """The one rule for every new password (admin reset, import, change)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequestError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    require_storable(password=password)


def new_setup_code() -> str:
    """16 random letters (80 bits) in groups of four: XXXX-XXXX-XXXX-XXXX."""
    letters = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(letters[i : i + 4] for i in range(0, 16, 4))


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def setup_hash(code: str, expires: datetime, settings: ServerSettings | None) -> str:
    """What `password_hash` holds until the code is used."""
    return f"{SETUP_PREFIX}{int(expires.timestamp())}:{hash_password(_normal(code), settings)}"


def new_code_for(
    session: Session, settings: ServerSettings | None, user: User, now: datetime, days: int
) -> str:
    """Replace the user's password (or unused code) with a new set-up code."""
    code = new_setup_code()
    user.password_hash = setup_hash(code, now + timedelta(days=days), settings)
    session.commit()
    return code


def awaits_setup(user: User) -> bool:
    return user.password_hash.startswith(SETUP_PREFIX)


def _code_matches(stored: str, code: str, now: datetime) -> bool:
    expiry, _, digest = stored.removeprefix(SETUP_PREFIX).partition(":")
    if not expiry.isdigit() or now.timestamp() > int(expiry):
        return False
    return _matches(digest, _normal(code))


def _matches(digest: str, secret: str) -> bool:
    try:
        return _checker.verify(digest, secret)
    except (VerificationError, InvalidHashError):
        return False


def _throttle(session: Session, settings: ServerSettings, key: str, now: datetime) -> None:
    """At most `login_max_failures` wrong old passwords or codes per user in the window."""
    since = now - timedelta(seconds=settings.login_window_seconds)
    count = session.scalar(
        select(func.count()).where(LoginFailure.key == key, LoginFailure.at > since)
    )
    if (count or 0) >= settings.login_max_failures:
        raise RateLimitedError(
            "too many wrong attempts for this user; retry later", settings.login_window_seconds
        )


def _refuse(session: Session, key: str, now: datetime, reason: str) -> BadRequestError:
    session.add(LoginFailure(key=key, at=now))
    session.commit()
    return BadRequestError(reason)


def set_up(
    session: Session,
    settings: ServerSettings,
    username: str,
    code: str,
    new_password: str,
    now: datetime,
) -> None:
    """Set the first password with a one-time set-up code (the code then stops working)."""
    require_storable(username=username, setup_code=code)
    check_new_password(new_password)
    key = f"setup:{username.lower()}"[:200]
    _throttle(session, settings, key, now)
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not awaits_setup(user) or not _code_matches(user.password_hash, code, now):
        raise _refuse(session, key, now, WRONG_CODE)
    user.password_hash = hash_password(new_password, settings)
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
    session.commit()


def change(
    session: Session,
    settings: ServerSettings,
    user_id: str,
    old_password: str,
    new_password: str,
    now: datetime,
) -> None:
    """A signed-in user's new password, given the current one."""
    require_storable(old_password=old_password)
    check_new_password(new_password)
    key = f"passwd:{user_id}"
    _throttle(session, settings, key, now)
    user = session.get_one(User, user_id)
    if not _matches(user.password_hash, old_password):
        raise _refuse(session, key, now, "the current password is wrong")
    if old_password == new_password:
        raise BadRequestError("the new password is the same as the current one")
    user.password_hash = hash_password(new_password, settings)
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
    session.commit()
