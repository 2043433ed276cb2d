"""FastAPI dependencies as Annotated aliases: settings, session, caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from sfa_desktop.core.entities.base import utcnow
from sync_server.api import addresses
from sync_server.config import ServerSettings
from sync_server.errors import UnauthorizedError
from sync_server.models import User
from sync_server.services.auth import Principal, principal_of
from sync_server.services.tokens import AccessClaims, read_access

# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in the
# thread pool, and every hop there costs the event loop more than the work itself.


async def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for the request, made and closed without a trip to the thread pool.

    Making a session does no I/O; closing one costs a round trip only while it still holds
    a connection (a route that commits or closes it in its own thread leaves none)."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    session = sessions()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise UnauthorizedError("missing bearer access token")
    return token.strip()


async def get_claims(request: Request, settings: SettingsDep) -> AccessClaims:
    """The verified claims of the bearer token (HMAC only, no database)."""
    return read_access(settings.secret_key, _bearer(request), utcnow())


Claims = Annotated[AccessClaims, Depends(get_claims)]


def get_device(session: SessionDep, claims: Claims) -> Principal:
    """The calling device and user (a route that reads the database anyway can call
    `principal_of` itself with `Claims`, saving this dependency's trip to the pool)."""
    return principal_of(session, claims)


CurrentDevice = Annotated[Principal, Depends(get_device)]


async def get_user(principal: CurrentDevice) -> User:
    return principal.user


CurrentUser = Annotated[User, Depends(get_user)]


def client_address(request: Request) -> str:
    """The caller's address (X-Forwarded-For believed from trusted proxies only)."""
    return addresses.client_address(request)


def json_response(model: BaseModel) -> Response:
    """`model` as a JSON response, serialised once and not validated again."""
    return Response(model.model_dump_json(), media_type="application/json")
