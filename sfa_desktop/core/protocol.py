"""Sync protocol v1 wire models, shared by the client and the server."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from sfa_desktop.core.enums import EntityKind, Role

PROTOCOL_VERSION = 1
PROTOCOL_MIN = 1
MAX_PUSH_MUTATIONS = 500
MAX_PULL_LIMIT = 5_000
MAX_SEQ = 2**63 - 1  # the server keeps a device's last seq in a signed 64-bit column
DEFAULT_PULL_LIMIT = 1_000
# Any device-authenticated call of a revoked device answers this: the client must wipe.
DEVICE_REVOKED_STATUS = 410

# Entities a client may write; users, quotas and the audit trail are server-owned.
SERVER_OWNED: frozenset[EntityKind] = frozenset(
    {EntityKind.USER, EntityKind.QUOTA, EntityKind.AUDIT_ENTRY, EntityKind.FIELD_DEFINITION}
)
CLIENT_WRITABLE: frozenset[EntityKind] = frozenset(EntityKind) - SERVER_OWNED

Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LoginRequest(Wire):
    username: Text
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    device_name: Text
    device_key_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        default=None,
        description="hex SHA-256 of a random secret the device keeps (see device_key_hash());"
        " its refreshes must then present the secret",
    )


Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
MIN_PASSWORD_LENGTH = 8  # the server's rule for a new password; the app checks it first


class PasswordChange(Wire):
    """A signed-in user's new password, given the current one."""

    old_password: Password
    new_password: Password


class PasswordSetUp(Wire):
    """A first password, set with the one-time code the admin handed out."""

    username: Text
    setup_code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    new_password: Password


class RefreshRequest(Wire):
    refresh_token: Annotated[str, StringConstraints(min_length=16, max_length=512)]
    device_secret: Annotated[str, StringConstraints(min_length=32, max_length=256)] | None = Field(
        default=None, description="the secret whose hash the device registered at sign-in"
    )


def device_key_hash(device_secret: str) -> str:
    """What a device registers at sign-in for the secret it presents on every refresh."""
    return hashlib.sha256(device_secret.encode()).hexdigest()


class UserInfo(Wire):
    id: str
    name: str
    email: str
    role: Role
    manager_id: str | None = None


class TokenResponse(Wire):
    access_token: str
    access_expires_in: int = Field(description="seconds")
    refresh_token: str
    device_id: str
    user: UserInfo


class HandshakeRequest(Wire):
    protocol_version: int = PROTOCOL_VERSION
    schema_version: str = ""
    client_time: AwareDatetime  # with its offset: a naive time cannot be compared


class HandshakeResponse(Wire):
    protocol_min: int
    protocol_max: int
    server_time: datetime
    schema_version: str
    wipe: bool = False
    message: str = ""


class MutationOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"
    MERGE = "merge"  # fold `merged_ids` into the record (see Mutation)


MAX_MERGED_IDS = 50


class Mutation(Wire):
    """One local write, in outbox order.

    `fields` holds only the fields the write changed (all fields for a new record);
    `base_version` is the server version the client had when it wrote (None if new).

    A merge is one mutation: `entity_id` is the surviving record, `fields` its changed
    fields and `merged_ids` the records of the same kind folded into it. The server
    re-points every record of the organisation that refers to a merged record, deletes
    the merged records and updates the survivor, all or nothing.
    """

    seq: int = Field(ge=1, le=MAX_SEQ)
    mutation_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    entity: EntityKind
    entity_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    op: MutationOp
    fields: dict[str, Any] = Field(default_factory=dict)
    base_version: int | None = None
    # Left out of the JSON unless set, so a plain mutation reads as it always did.
    merged_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] | None = Field(
        default=None, min_length=1, max_length=MAX_MERGED_IDS, exclude_if=lambda v: v is None
    )

    @model_validator(mode="after")
    def _check_merge(self) -> Self:
        if self.op is MutationOp.MERGE and self.merged_ids is None:
            raise ValueError("a merge names the records it merges (merged_ids)")
        if self.op is not MutationOp.MERGE and self.merged_ids is not None:
            raise ValueError("merged_ids belong to a merge only")
        return self


class PushRequest(Wire):
    device_id: str
    mutations: list[Mutation] = Field(max_length=MAX_PUSH_MUTATIONS)


class MutationStatus(StrEnum):
    APPLIED = "applied"
    CONFLICT = "conflict"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


# The pseudo-field of a conflict between a delete and an edit (a lost delete, or an edit
# that undid one), beside the record's real fields.
DELETED_FIELD = "_deleted"


class FieldConflict(Wire):
    """A field both sides changed: `winner` is now on the server, `loser` was overwritten."""

    field: str
    winner: Any
    loser: Any


class MutationResult(Wire):
    seq: int
    mutation_id: str
    status: MutationStatus
    version: int | None = None
    reason: str = ""
    conflicts: list[FieldConflict] = Field(default_factory=list)


class PushResponse(Wire):
    results: list[MutationResult]
    last_seq: int


class ChangeOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"
    REMOVE = "remove"  # the record left the caller's scope; it still exists elsewhere


class Change(Wire):
    entity: EntityKind
    entity_id: str
    op: ChangeOp
    version: int
    data: dict[str, Any] | None = None  # full record for upserts (meta fields included)


# The entity name of a conflict notice in a pull page (sent only to clients that ask).
CONFLICT_ENTITY = "conflict"


class ConflictNotice(Wire):
    """A value the caller lost to a later write, or a write of theirs the server refused
    (`field` empty, `loser` the refused write). Filed once on the server, pulled by each
    of the losing user's devices like a record, whatever answers were lost on the way."""

    id: str
    entity: str
    entity_id: str
    field: str
    winner: Any = None
    loser: Any = None
    reason: str = ""
    winner_user_id: str | None = None
    write_version: int = 0
    created_at: datetime
    # For a refused write: the record as the server holds it and the caller may see it
    # (None: it does not exist for the caller), so the device drops the refused values.
    current: dict[str, Any] | None = None
    current_version: int | None = None


class ConflictChange(Wire):
    entity: Literal["conflict"]
    entity_id: str
    op: Literal[ChangeOp.UPSERT]
    version: int
    data: ConflictNotice


class PullResponse(Wire):
    """A page of changes. `conflicts` are in it only when the pull asked for them;
    `began` (the version a download started at) only when the pull named one."""

    changes: list[Change | ConflictChange] = Field(default_factory=list)
    next_since: int
    has_more: bool = False
    reset_required: bool = False
    began: int | None = Field(default=None, exclude_if=lambda v: v is None)


class ErrorBody(Wire):
    """What every 4xx/5xx response carries."""

    detail: str
