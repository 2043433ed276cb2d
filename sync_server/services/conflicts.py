"""Conflict records: filed for the user who lost a value (or whose write was refused),
pulled by that user's devices, and listed for review."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from sfa_desktop.core.protocol import CONFLICT_ENTITY, DELETED_FIELD, Mutation
from sync_server.models import ConflictRecord, Device, Record, User
from sync_server.services.records import next_version
from sync_server.services.text import NUL, unstorable


class ConflictInfo(BaseModel):
    id: int
    entity: str
    entity_id: str
    field: str
    winner: Any
    loser: Any
    winner_user_id: str | None
    loser_user_id: str | None
    version: int
    created_at: datetime


class ConflictList(BaseModel):
    conflicts: list[ConflictInfo]


def list_conflicts(session: Session, user: User, limit: int = 500) -> ConflictList:
    """The newest unresolved conflicts on records the user owns or writes the user lost."""
    rows = session.scalars(
        select(ConflictRecord)
        .where(
            ConflictRecord.org_id == user.org_id,
            ConflictRecord.resolved.is_(False),
            or_(ConflictRecord.owner_id == user.id, ConflictRecord.loser_user_id == user.id),
        )
        .order_by(ConflictRecord.id.desc())
        .limit(limit)
    )
    return ConflictList(
        conflicts=[
            ConflictInfo(
                id=row.id,
                entity=row.entity,
                entity_id=row.entity_id,
                field=row.field,
                winner=row.winner.get("value"),
                loser=row.loser.get("value"),
                winner_user_id=row.winner_user_id,
                loser_user_id=row.loser_user_id,
                version=row.version,
                created_at=row.created_at,
            )
            for row in rows
        ]
    )


def writer_of(row: Record, field: str) -> str | None:
    """The device that last wrote `field` of `row` (None for a server or admin write)."""
    entry = row.field_versions.get(field)
    return str(entry[1]) if entry and entry[1] else None


def user_of_device(session: Session, device_id: str | None) -> str | None:
    if device_id is None:
        return None
    return session.scalar(select(Device.user_id).where(Device.id == device_id))


def _name(session: Session, user_id: str | None) -> str:
    name = session.scalar(select(User.name).where(User.id == user_id)) if user_id else None
    return name or "an administrator"


def file_conflict(
    session: Session,
    row: Record,
    *,
    field: str,
    winner: Any,
    loser: Any,
    version: int,
    now: datetime,
    winner_user: str | None,
    loser_device: str | None,
) -> None:
    """Keep a value that lost to `winner` for the user of `loser_device`, which wrote it,
    under a version of its own so their devices pull it."""
    loser_user = user_of_device(session, loser_device)
    if loser_user is None:
        return  # a value only the server or an administrator wrote: nobody to tell
    who = _who(session, winner_user, loser_user)
    if field == DELETED_FIELD:
        reason = f"not deleted: {who} changed it after your copy"
    else:
        reason = f"replaced by a later change from {who}"
    session.add(
        ConflictRecord(
            org_id=row.org_id,
            entity=row.entity,
            entity_id=row.id,
            owner_id=row.owner_id,
            field=field,
            winner={"value": winner},
            loser={"value": loser},
            winner_user_id=winner_user,
            loser_user_id=loser_user,
            loser_device_id=loser_device,
            reason=reason,
            version=version,
            created_at=now,
            resolved=False,
            delivery_version=next_version(session),
        )
    )


def _who(session: Session, winner_user: str | None, loser_user: str) -> str:
    return "another of your devices" if winner_user == loser_user else _name(session, winner_user)


def file_refusal(
    session: Session,
    org_id: str,
    mutation: Mutation,
    reason: str,
    *,
    now: datetime,
    user_id: str,
    device_id: str,
    current: Record | None,
) -> None:
    """Keep a write the server refused for the device that sent it (pulled like a
    conflict), with the record as the server holds it (`current`, None when the sender
    may not see it) so the device can put its copy back."""
    refused: dict[str, Any] = {"op": mutation.op.value}
    if unstorable(mutation) is None and _plain_json(mutation.fields):
        refused["fields"] = mutation.fields
        if mutation.merged_ids:
            refused["merged_ids"] = mutation.merged_ids
    stands = None if current is None else {"data": current.data, "version": current.version}
    session.add(
        ConflictRecord(
            org_id=org_id,
            entity=mutation.entity.value,
            entity_id=mutation.entity_id.replace(NUL, "\N{REPLACEMENT CHARACTER}"),
            owner_id=user_id,
            field="",
            winner={"value": stands},
            loser={"value": refused},
            winner_user_id=None,
            loser_user_id=user_id,
            loser_device_id=device_id,
            reason=reason[:1000].encode(errors="replace").decode(),
            version=0,
            created_at=now,
            resolved=False,
            delivery_version=next_version(session),
        )
    )


def _plain_json(value: Any) -> bool:
    """Whether `value` is JSON every backend stores (PostgreSQL refuses NaN and Infinity,
    and no UTF-8 holds a lone surrogate such as a JSON body's "\ud800")."""
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode()
    except ValueError:  # UnicodeEncodeError is one
        return False
    return True


def pulled_conflicts(
    session: Session, user: User, device: Device, since: int, limit: int
) -> list[tuple[int, str]]:
    """(delivery version, change JSON) of the user's conflicts after `since`, filed since
    the device signed in (a device starting out does not inherit old reviews): those of
    the device's own writes, and those where another user's write won."""
    rows = session.execute(
        select(
            ConflictRecord.delivery_version,
            ConflictRecord.id,
            ConflictRecord.entity,
            ConflictRecord.entity_id,
            ConflictRecord.field,
            ConflictRecord.winner,
            ConflictRecord.loser,
            ConflictRecord.reason,
            ConflictRecord.winner_user_id,
            ConflictRecord.version,
            ConflictRecord.created_at,
        )
        .where(
            ConflictRecord.loser_user_id == user.id,
            ConflictRecord.org_id == user.org_id,
            ConflictRecord.delivery_version > since,
            ConflictRecord.created_at >= device.created_at,
            # The device that lost, and the user's other devices unless one of them won.
            or_(
                ConflictRecord.loser_device_id == device.id,
                and_(
                    ConflictRecord.winner_user_id.is_not(None),
                    ConflictRecord.winner_user_id != user.id,
                ),
            ),
        )
        .order_by(ConflictRecord.delivery_version)
        .limit(limit)
    )
    found = []
    for delivery, *values in rows:
        key, entity, entity_id, field, winner, loser, reason, winner_user, version, at = values
        data: dict[str, Any] = {
            "id": str(key),
            "entity": entity,
            "entity_id": entity_id,
            "field": field,
            "winner": winner.get("value"),
            "loser": loser.get("value"),
            "reason": reason,
            "winner_user_id": winner_user,
            "write_version": version,
            "created_at": at.isoformat(),
        }
        if not field:  # a refusal: the record as it stands goes as `current`
            stands = data.pop("winner") or {}
            data["current"] = stands.get("data")
            data["current_version"] = stands.get("version")
        change = {
            "entity": CONFLICT_ENTITY,
            "entity_id": str(key),
            "op": "upsert",
            "version": delivery,
            "data": data,
        }
        found.append((int(delivery), json.dumps(change, separators=(",", ":"))))
    return found
