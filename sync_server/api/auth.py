"""Sign-in and token refresh."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from sfa_desktop.core.entities.base import utcnow
from sfa_desktop.core.protocol import (
    ErrorBody,
    LoginRequest,
    PasswordChange,
    PasswordSetUp,
    RefreshRequest,
    TokenResponse,
)
from sync_server.api.deps import CurrentDevice, CurrentUser, SessionDep, SettingsDep, client_address
from sync_server.services import auth, passwords

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


@router.post("/password", status_code=204)
def change_password(
    body: PasswordChange, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Change your own password, giving the current one."""
    passwords.change(session, settings, user.id, body.old_password, body.new_password, utcnow())
    return Response(status_code=204)


@router.post("/setup", status_code=204)
def set_up_password(body: PasswordSetUp, session: SessionDep, settings: SettingsDep) -> Response:
    """Set your first password with the one-time set-up code from your admin."""
    passwords.set_up(session, settings, body.username, body.setup_code, body.new_password, utcnow())
    return Response(status_code=204)


@router.post("/sign-out", status_code=204)
def sign_out(device: CurrentDevice, session: SessionDep) -> Response:
    """End this device's session (File ▸ Sign out, a reset, a sign-in the app gave up)."""
    auth.sign_out(session, device.device)
    return Response(status_code=204)
