"""Sign-in and token refresh."""

from __future__ import annotations

from fastapi import APIRouter, Request

from sfa_desktop.core.entities.base import utcnow
from sfa_desktop.core.protocol import ErrorBody, LoginRequest, RefreshRequest, TokenResponse
from sync_server.api.deps import SessionDep, SettingsDep, client_address
from sync_server.services import auth

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/login",
    responses={503: {"model": ErrorBody, "description": "Too many sign-ins at once; retry later"}},
)
def login(
    body: LoginRequest, request: Request, session: SessionDep, settings: SettingsDep
) -> TokenResponse:
    """Sign in with a password, register this device and get tokens."""
    return auth.login(session, settings, body, client_address(request), utcnow())


@router.post("/refresh")
def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenResponse:
    """Trade a refresh token for new tokens (the old refresh token stops working)."""
    return auth.refresh(session, settings, body, utcnow())
