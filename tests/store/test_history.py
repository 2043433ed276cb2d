"""A record's history: pulled audit entries plus this device's writes not yet synced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sfa_desktop.core.entities import Account, AuditEntry, FieldChange
from sfa_desktop.core.enums import AuditAction, EntityKind
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.protocol import Change, MutationResult
from sfa_desktop.store import Store
from sfa_desktop.store.history import YOU

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _account(record_id: str, version: int) -> Change:
    data = Account(id=record_id, name="Acme", owner_id="user-rep").model_dump(mode="json")
    return Change(entity="account", entity_id=record_id, op="upsert", version=version, data=data)


def _entry(entry_id: str, record_id: str, version: int, at: datetime, **values: Any) -> Change:
    entry = AuditEntry(
        id=entry_id,
        owner_id="user-rep",
        record_entity=EntityKind.ACCOUNT,
        record_id=record_id,
        action=values.pop("action", AuditAction.UPDATED),
        actor_id="user-other",
        actor_name="Olga",
        device_name="Olga's desktop",
        at=at,
        **values,
    )
    return Change(
        entity="audit_entry",
        entity_id=entry_id,
        op="upsert",
        version=version,
        data=entry.model_dump(mode="json"),
    )


def test_pulled_entries_come_newest_first_under_this_devices_pending_writes(
    signed_in: Store,
) -> None:
    changed = signed_in.apply_pull(
        [
            _account("a1", 1),
            _entry("e1", "a1", 2, T0, action=AuditAction.CREATED),
            _entry(
                "e2",
                "a1",
                3,
                T0 + timedelta(hours=1),
                changes=(FieldChange(field="city", old="", new="Lyon"),),
            ),
            _entry("e-other", "a2", 4, T0),  # another record's trail
        ],
        next_since=4,
    )
    assert EntityKind.AUDIT_ENTRY in changed
    signed_in.update(Account, "a1", {"city": "Turin", "industry": "Food"})
    signed_in.update(Account, "a1", {"name": "Acme Foods"})
    history = signed_in.history(EntityKind.ACCOUNT, "a1")
    assert [(h.action, h.actor_name, h.pending) for h in history] == [
        (AuditAction.UPDATED, YOU, True),
        (AuditAction.UPDATED, YOU, True),
        (AuditAction.UPDATED, "Olga", False),
        (AuditAction.CREATED, "Olga", False),
    ]
    newest, older = history[0], history[1]
    assert [(c.field, c.old, c.new) for c in newest.changes] == [("name", None, "Acme Foods")]
    assert [c.field for c in older.changes] == ["industry", "city"]  # the model's field order
    assert newest.at >= older.at
    server = history[2]
    assert (server.device_name, server.at) == ("Olga's desktop", T0 + timedelta(hours=1))
    assert server.changes == (FieldChange(field="city", old="", new="Lyon"),)


def test_a_record_made_here_starts_its_history_as_created(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Fjordline"}).value
    assert [(h.action, h.pending) for h in signed_in.history(EntityKind.ACCOUNT, account.id)] == [
        (AuditAction.CREATED, True)
    ]
    signed_in.update(Account, account.id, {"city": "Bergen"})
    history = signed_in.history(EntityKind.ACCOUNT, account.id)
    assert [h.action for h in history] == [AuditAction.UPDATED, AuditAction.CREATED]
    assert history[1].changes == ()  # a creation lists no fields


def test_acknowledged_writes_leave_the_pending_part(signed_in: Store) -> None:
    signed_in.apply_pull([_account("a1", 1)], next_since=1)
    signed_in.update(Account, "a1", {"city": "Turin"})
    (mutation,) = signed_in.pending_mutations()
    result = MutationResult(
        seq=mutation.seq, mutation_id=mutation.mutation_id, status="applied", version=2
    )
    signed_in.record_push([result], mutation.seq)
    assert signed_in.history(EntityKind.ACCOUNT, "a1") == []
    signed_in.apply_pull([_entry("e1", "a1", 3, T0)], next_since=3)
    assert [h.pending for h in signed_in.history(EntityKind.ACCOUNT, "a1")] == [False]


def test_audit_entries_cannot_be_written_here(signed_in: Store) -> None:
    with pytest.raises(DomainError, match="managed on the server"):
        signed_in.create(
            AuditEntry,
            {
                "record_entity": "account",
                "record_id": "a1",
                "action": "updated",
                "at": T0,
            },
        )


def test_a_first_download_stores_the_trail(signed_in: Store) -> None:
    page = [_account("a1", 1), _entry("e1", "a1", 2, T0, action=AuditAction.CREATED)]
    signed_in.apply_pull(page, next_since=2, first_download=True)
    signed_in.finish_download()
    assert signed_in.count(AuditEntry) == 1
    (entry,) = signed_in.history(EntityKind.ACCOUNT, "a1")
    assert (entry.action, entry.actor_name, entry.pending) == (AuditAction.CREATED, "Olga", False)
