"""Signed access tokens (HMAC-SHA256, JWT-like) and random refresh tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sync_server.errors import UnauthorizedError

_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    device_id: str
    epoch: int
    expires: int


def issue_access(secret: str, claims: AccessClaims) -> str:
    """A compact token `header.payload.signature` carrying `claims`."""
    payload = {
        "sub": claims.user_id,
        "dev": claims.device_id,
        "ep": claims.epoch,
        "exp": claims.expires,
    }
    signing_input = f"{_b64(json.dumps(_HEADER).encode())}.{_b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{_sign(secret, signing_input)}"


def read_access(secret: str, token: str, now: datetime) -> AccessClaims:
    """The claims of a genuine, unexpired token; UnauthorizedError with the reason otherwise."""
    parts = token.split(".")
    if len(parts) != 3 or not token.isascii():  # compare_digest takes ASCII text only
        raise UnauthorizedError("malformed access token")
    signing_input = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_sign(secret, signing_input), parts[2]):
        raise UnauthorizedError("access token signature is invalid")
    try:
        payload = json.loads(_unb64(parts[1]))
        claims = AccessClaims(
            str(payload["sub"]), str(payload["dev"]), int(payload["ep"]), int(payload["exp"])
        )
    except (ValueError, KeyError, TypeError):
        raise UnauthorizedError("malformed access token") from None
    if claims.expires <= now.timestamp():
        raise UnauthorizedError("access token expired")
    return claims


def _sign(secret: str, signing_input: str) -> str:
    return _b64(hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest())


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
