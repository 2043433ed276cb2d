"""Every local write appends its outbox row in the same transaction, or nothing lands."""

from __future__ import annotations

from datetime import date

import pytest
from store_seeding import seed_records

from sfa_desktop.core.entities import Account, Contact, Lead, Opportunity
from sfa_desktop.core.errors import BrokenReference, DomainError, InvalidRecord
from sfa_desktop.store import Store


def test_create_update_delete_each_append_one_mutation_in_order(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Acme"}).value
    signed_in.update(Account, account.id, {"city": "Oslo"})
    signed_in.delete(Account, account.id)
    mutations = signed_in.pending_mutations()
    assert [(m.op, m.entity, m.entity_id) for m in mutations] == [
        ("upsert", "account", account.id),
        ("upsert", "account", account.id),
        ("delete", "account", account.id),
    ]
    assert [m.seq for m in mutations] == sorted(m.seq for m in mutations)
    assert mutations[0].fields["name"] == "Acme"
    assert mutations[0].base_version is None
    assert len({m.mutation_id for m in mutations}) == 3


def test_failed_write_leaves_neither_row_nor_outbox_entry(signed_in: Store) -> None:
    before = signed_in.outbox_count()
    with pytest.raises(InvalidRecord):
        signed_in.create(Account, {"name": ""})
    with pytest.raises(BrokenReference):
        signed_in.create(Opportunity, {"account_id": "x", "name": "D", "close_date": date.today()})
    assert signed_in.outbox_count() == before
    assert signed_in.count(Account) == 0
    assert signed_in.count(Opportunity) == 0


def test_multi_record_use_case_is_all_or_nothing(signed_in: Store) -> None:
    """A lead conversion that fails half way leaves no account, contact or outbox row."""
    lead = signed_in.create(Lead, {"last_name": "Lima", "company": "Lima Foods"}).value
    outbox = signed_in.outbox_count()
    with pytest.raises(InvalidRecord, match="amount"):
        signed_in.convert_lead(lead.id, amount=-1)  # the opportunity (third write) fails
    assert signed_in.count(Account) == 0
    assert signed_in.count(Contact) == 0
    assert signed_in.outbox_count() == outbox
    assert signed_in.get(Lead, lead.id).status == "new"


def test_refused_delete_leaves_the_outbox_alone(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Acme"}).value
    signed_in.create(Contact, {"last_name": "Doe", "account_id": account.id})
    outbox = signed_in.outbox_count()
    with pytest.raises(DomainError):
        signed_in.delete(Account, account.id)
    assert signed_in.outbox_count() == outbox


def test_acknowledged_mutations_leave_the_outbox(signed_in: Store) -> None:
    for name in ("A", "B", "C"):
        signed_in.create(Account, {"name": name})
    first, second, _third = signed_in.pending_mutations()
    signed_in.record_push([], second.seq)
    assert [m.seq for m in signed_in.pending_mutations()] == [_third.seq]
    assert first.seq < second.seq


def test_imported_records_write_no_outbox(store: Store) -> None:
    seed_records(store, [Account(name="Synced Co", version=3)])
    assert store.outbox_count() == 0


def test_seq_is_never_reused_after_the_outbox_empties(signed_in: Store) -> None:
    """The server skips a seq it has seen, so a reused seq would silently lose a write."""
    signed_in.create(Account, {"name": "A"})
    (first,) = signed_in.pending_mutations()
    signed_in.record_push([], first.seq)
    signed_in.create(Account, {"name": "B"})
    (second,) = signed_in.pending_mutations()
    assert second.seq > first.seq
