"""Sync protocol v1: handshake, push, pull, and the caller's conflict records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sfa_desktop.core.entities.base import utcnow
from sfa_desktop.core.protocol import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    HandshakeRequest,
    HandshakeResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)
from sync_server.api.deps import AnyDevice, CurrentDevice, CurrentUser, SessionDep, SettingsDep
from sync_server.services import conflicts, pull, sync
from sync_server.services.conflicts import ConflictList

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])


@router.post("/handshake")
def handshake(
    body: HandshakeRequest, principal: AnyDevice, settings: SettingsDep
) -> HandshakeResponse:
    """Agree on the protocol and learn whether this device must wipe its data."""
    return sync.handshake(settings, principal, body, utcnow())


@router.post("/push")
def push(body: PushRequest, principal: CurrentDevice, session: SessionDep) -> PushResponse:
    """Apply this device's outbox mutations in order (idempotent by seq)."""
    return sync.push(session, principal, body, utcnow())


@router.get("/pull")
def pull_changes(
    user: CurrentUser,
    session: SessionDep,
    since: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
) -> PullResponse:
    """Changes in the caller's scope after version `since`, one page at a time."""
    return pull.pull(session, user, since, limit)


@router.get("/conflicts")
def list_conflicts(user: CurrentUser, session: SessionDep) -> ConflictList:
    """Unresolved conflict records on the caller's records or of the caller's lost writes."""
    return conflicts.list_conflicts(session, user)
