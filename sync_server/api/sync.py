"""Sync protocol v1: handshake, push, pull, and the caller's conflict records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sfa_desktop.core.entities.base import utcnow
from sfa_desktop.core.protocol import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    MAX_SEQ,
    HandshakeRequest,
    HandshakeResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)
from sync_server.api.deps import (
    Claims,
    CurrentUser,
    SessionDep,
    SettingsDep,
    json_response,
)
from sync_server.services import conflicts, pull, sync
from sync_server.services.auth import principal_of
from sync_server.services.conflicts import ConflictList

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])


# The sync routes return their answer serialised once (FastAPI would validate it again).
# Handshake, push and pull look the caller up in their own worker thread (one pool trip).


@router.post("/handshake", response_model=HandshakeResponse)
def handshake(
    body: HandshakeRequest, claims: Claims, settings: SettingsDep, session: SessionDep
) -> Response:
    """Agree on the protocol and learn whether this device must wipe its data."""
    principal = principal_of(session, claims, allow_revoked=True)  # to be told to wipe
    session.close()  # done with the database
    return json_response(sync.handshake(settings, principal, body, utcnow()))


@router.post("/push", response_model=PushResponse)
def push(body: PushRequest, claims: Claims, session: SessionDep) -> Response:
    """Apply this device's outbox mutations in order (idempotent by seq)."""
    return json_response(sync.push(session, claims, body, utcnow()))


@router.get("/pull", response_model=PullResponse)
def pull_changes(
    claims: Claims,
    session: SessionDep,
    since: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
    audit: Annotated[
        bool, Query(description="also send audit entries (clients before them cannot read them)")
    ] = False,
    conflicts: Annotated[
        bool, Query(description="also send the caller's conflict notices (entity 'conflict')")
    ] = False,
    began: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_SEQ,
            description="the version this download began at (0 on its first page: the "
            "answer says it); a download restarts only for changes made after it",
        ),
    ] = None,
) -> Response:
    """Changes in the caller's scope after version `since`, one page at a time."""
    principal = principal_of(session, claims)
    body = pull.pull(
        session, principal, since, limit, audit=audit, conflicts=conflicts, began=began
    )
    session.close()  # here, in the worker thread, rather than after on the event loop
    return Response(body, media_type="application/json")


@router.get("/conflicts")
def list_conflicts(user: CurrentUser, session: SessionDep) -> ConflictList:
    """Unresolved conflict records on the caller's records or of the caller's lost writes."""
    return conflicts.list_conflicts(session, user)
