"""Pulled pages apply atomically with the cursor and never overwrite pending local edits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.core.protocol import Change, ConflictNotice, FieldConflict, MutationResult
from sfa_desktop.store import Store
from sfa_desktop.store.remote import prepare_page


def _upsert(record_id: str, version: int, **fields: Any) -> Change:
    data = Account(id=record_id, name="Server Name", owner_id="user-rep").model_dump(mode="json")
    return Change(
        entity="account", entity_id=record_id, op="upsert", version=version, data=data | fields
    )


def test_pulled_record_is_stored_with_its_version_and_no_outbox(signed_in: Store) -> None:
    changes = signed_in.apply_pull([_upsert("a1", 5, city="Turin")], next_since=5)
    assert "account" in changes
    stored = signed_in.get(Account, "a1")
    assert (stored.name, stored.city, stored.version) == ("Server Name", "Turin", 5)
    assert signed_in.outbox_count() == 0
    assert signed_in.pull_cursor() == 5


def test_pending_local_fields_survive_a_pull(signed_in: Store) -> None:
    signed_in.apply_pull([_upsert("a1", 5)], next_since=5)
    signed_in.update(Account, "a1", {"city": "Local City"})
    signed_in.apply_pull([_upsert("a1", 6, city="Server City", industry="Food")], next_since=6)
    stored = signed_in.get(Account, "a1")
    assert (stored.city, stored.industry, stored.version) == ("Local City", "Food", 6)


def test_server_delete_is_applied_unless_edited_here(signed_in: Store) -> None:
    signed_in.apply_pull([_upsert("a1", 1), _upsert("a2", 2)], next_since=2)
    signed_in.update(Account, "a2", {"city": "Edited offline"})
    signed_in.apply_pull(
        [
            Change(entity="account", entity_id="a1", op="delete", version=3),
            Change(entity="account", entity_id="a2", op="delete", version=4),
        ],
        next_since=4,
    )
    assert signed_in.ids(Account) == ["a2"]  # the offline edit revives a2 on push


def test_remove_drops_a_record_that_left_the_scope(signed_in: Store) -> None:
    signed_in.apply_pull([_upsert("a1", 1)], next_since=1)
    signed_in.apply_pull(
        [Change(entity="account", entity_id="a1", op="remove", version=2)], next_since=2
    )
    assert signed_in.count(Account) == 0


def test_local_delete_pending_ignores_a_pulled_upsert(signed_in: Store) -> None:
    signed_in.apply_pull([_upsert("a1", 1)], next_since=1)
    signed_in.delete(Account, "a1")
    signed_in.apply_pull([_upsert("a1", 2, city="Back?")], next_since=2)
    assert signed_in.count(Account) == 0


def test_a_bad_page_applies_nothing_and_keeps_the_cursor(signed_in: Store) -> None:
    bad = _upsert("a2", 3, currency="euros")
    with pytest.raises(ValidationError):
        signed_in.apply_pull([_upsert("a1", 2), bad], next_since=3)
    assert signed_in.count(Account) == 0
    assert signed_in.pull_cursor() == 0


def _notice(key: str, entity_id: str, field: str, **values: Any) -> ConflictNotice:
    return ConflictNotice(
        id=key,
        entity="account",
        entity_id=entity_id,
        field=field,
        created_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        **values,
    )


def test_push_results_stamp_versions_and_file_nothing(signed_in: Store) -> None:
    """An answer can be lost: what lost or was refused comes through the pull instead."""
    kept = signed_in.create(Account, {"name": "Mine"}).value
    signed_in.create(Contact, {"last_name": "Elsewhere"})
    first, second = signed_in.pending_mutations()
    touched = signed_in.record_push(
        [
            MutationResult(
                seq=first.seq,
                mutation_id=first.mutation_id,
                status="conflict",
                version=11,
                conflicts=[FieldConflict(field="name", winner="Theirs", loser="Mine")],
            ),
            MutationResult(
                seq=second.seq,
                mutation_id=second.mutation_id,
                status="rejected",
                reason="contact is outside your scope",
            ),
        ],
        last_seq=second.seq,
    )
    assert not touched.conflicts
    assert signed_in.outbox_count() == 0
    assert signed_in.get(Account, kept.id).version == 11
    assert signed_in.conflicts() == []


def test_pulled_notices_fill_the_inbox_once(signed_in: Store) -> None:
    lost = _notice("7", "a1", "name", winner="Theirs", loser="Mine", reason="replaced")
    page = prepare_page([_upsert("a1", 4, name="Theirs")], [lost])
    assert signed_in.apply_pull(page, next_since=5).conflicts
    (conflict,) = signed_in.conflicts()
    assert (conflict.field, conflict.kept_value, conflict.lost_value) == ("name", "Theirs", "Mine")
    assert conflict.reason == "replaced"
    # The same notice again (a lost page, a re-download): nothing new, even once dismissed.
    assert not signed_in.apply_pull(prepare_page([], [lost]), next_since=5).conflicts
    signed_in.dismiss_conflict(conflict.id)
    signed_in.apply_pull(prepare_page([], [lost]), next_since=5)
    assert signed_in.conflicts() == []
    assert len(signed_in.conflicts(include_resolved=True)) == 1


def test_restoring_a_lost_value_is_a_new_edit(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Mine"}).value
    (mutation,) = signed_in.pending_mutations()
    signed_in.record_push(
        [MutationResult(seq=mutation.seq, mutation_id=mutation.mutation_id, status="applied")],
        last_seq=mutation.seq,
    )
    lost = _notice("9", account.id, "name", winner="Theirs", loser="Mine")
    signed_in.apply_pull(prepare_page([_upsert(account.id, 3, name="Theirs")], [lost]), 4)
    (conflict,) = signed_in.conflicts()
    signed_in.restore_conflict(conflict.id)
    assert signed_in.get(Account, account.id).name == "Mine"
    (restore,) = signed_in.pending_mutations()
    assert (restore.fields, restore.base_version) == ({"name": "Mine"}, 3)
    assert signed_in.conflicts() == []
    assert len(signed_in.conflicts(include_resolved=True)) == 1


def test_reset_keeps_records_with_pending_edits(signed_in: Store) -> None:
    signed_in.apply_pull([_upsert("a1", 1), _upsert("a2", 2)], next_since=2)
    signed_in.update(Account, "a2", {"city": "Pending"})
    signed_in.reset_for_download()
    assert signed_in.ids(Account) == ["a2"]
    assert signed_in.pull_cursor() == 0
    assert signed_in.outbox_count() == 1


def test_a_pulled_record_meeting_a_pending_edit_keeps_every_server_value(
    signed_in: Store,
) -> None:
    """The page's rows are validated again for the merge: datetimes, JSON columns and
    custom values come back as the server sent them (hand-written), the edited field as
    the rep left it."""
    signed_in.apply_pull([_upsert("a1", 5)], next_since=5)
    signed_in.update(Account, "a1", {"city": "Local City"})
    sent = {
        "city": "Server City",
        "industry": "Ports",
        "created_at": "2026-03-01T08:15:00.000042+01:00",
        "revenue_history": [{"year": 2025, "amount": 1200}],
        "cf_tier": "gold",
    }
    signed_in.apply_pull([_upsert("a1", 6, **sent)], next_since=6)
    stored = signed_in.get(Account, "a1")
    assert stored.city == "Local City"
    assert stored.industry == "Ports"
    assert stored.created_at == datetime(2026, 3, 1, 7, 15, 0, 42, tzinfo=UTC)
    assert [(y.year, y.amount) for y in stored.revenue_history] == [(2025, 1200)]
    assert stored.model_extra == {"cf_tier": "gold"}
    assert stored.version == 6
