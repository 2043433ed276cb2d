"""Record ids that several devices make alike: a name-based UUID (version 5) of what the
record stands for, where every other id is random (version 4). Two devices that capture
the same email make the same record id, so the server keeps one record: the first create
of a name-based id stands, a later create of it from another device changes nothing."""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f0d3c52-8a51-4a4e-9d0e-5b7c1f0e2a93")  # this app's, fixed forever


def name_based_id(*parts: str) -> str:
    """The id of the record named by `parts` (the same parts give the same id anywhere)."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def is_name_based(record_id: str) -> bool:
    """Whether `record_id` was made by `name_based_id` (a UUID of version 5)."""
    try:
        return uuid.UUID(record_id).version == 5
    except ValueError:
        return False
