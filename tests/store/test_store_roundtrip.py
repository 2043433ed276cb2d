"""Every entity goes into the store and comes back equal, by bulk import and by local writes."""

from __future__ import annotations

from datetime import date

import pytest
from samples import sample_records
from store_seeding import seed_records

from sfa_desktop.core.entities import MODELS, Account, Contact, Opportunity, Record, User
from sfa_desktop.core.enums import CUSTOMISABLE, EntityKind
from sfa_desktop.core.errors import BrokenReference, DomainError, InvalidRecord, NotFound
from sfa_desktop.core.protocol import CLIENT_WRITABLE
from sfa_desktop.store import Store
from sfa_desktop.store.schema import TABLES


def test_schema_has_a_column_for_every_field_of_every_entity() -> None:
    for kind, model in MODELS.items():
        custom = {"custom"} if kind in CUSTOMISABLE else set()
        assert set(TABLES[kind].__table__.columns.keys()) == set(model.model_fields) | custom, kind


def test_sample_covers_every_entity() -> None:
    assert {record.entity for record in sample_records()} == set(EntityKind)


@pytest.mark.parametrize("record", sample_records(), ids=lambda r: r.entity.value)
def test_imported_record_reads_back_equal(store: Store, record: Record) -> None:
    seed_records(store, sample_records())
    assert store.get(type(record), record.id) == record


@pytest.mark.parametrize(
    "record",
    [r for r in sample_records() if r.entity in CLIENT_WRITABLE],
    ids=lambda r: r.entity.value,
)
def test_created_record_reads_back_equal(signed_in: Store, record: Record) -> None:
    """Local creation keeps every data field; the store stamps times and clears the version."""
    for earlier in sample_records():
        if earlier.id == record.id:
            break
        if earlier.entity in CLIENT_WRITABLE:
            signed_in.create(type(earlier), earlier.model_dump())
    created = signed_in.create(type(record), record.model_dump()).value
    stored = signed_in.get(type(record), record.id)
    assert stored == created
    assert stored.data_fields() == record.data_fields()
    assert stored.version is None


def test_update_writes_only_changed_fields(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Acme"}).value
    saved = signed_in.update(Account, account.id, {"city": "Lyon", "name": "Acme"})
    assert saved.value.city == "Lyon"
    assert EntityKind.ACCOUNT in saved.changes
    last = signed_in.pending_mutations()[-1]
    assert (last.op, last.fields) == ("upsert", {"city": "Lyon"})


def test_update_without_a_real_change_writes_nothing(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Acme"}).value
    saved = signed_in.update(Account, account.id, {"name": "Acme"})
    assert not saved.changes
    assert signed_in.outbox_count() == 1


def test_new_records_belong_to_the_signed_in_user(signed_in: Store, rep: User) -> None:
    account = signed_in.create(Account, {"name": "Acme"}).value
    assert account.owner_id == rep.id


def test_invalid_record_names_each_bad_field(signed_in: Store) -> None:
    with pytest.raises(InvalidRecord) as error:
        signed_in.create(Contact, {"last_name": " ", "email": "not-an-email"})
    assert set(error.value.errors) == {"last_name", "email"}
    assert "not an email address" in error.value.errors["email"]
    assert signed_in.count(Contact) == 0
    assert signed_in.outbox_count() == 0


def test_reference_to_a_missing_record_is_refused(signed_in: Store) -> None:
    with pytest.raises(BrokenReference, match="account_id"):
        signed_in.create(Contact, {"last_name": "Doe", "account_id": "nope"})
    assert signed_in.count(Contact) == 0


def test_delete_of_a_record_in_use_is_refused_with_counts(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Acme"}).value
    signed_in.create(Contact, {"last_name": "Doe", "account_id": account.id})
    with pytest.raises(DomainError, match="used by 1 contact"):
        signed_in.delete(Account, account.id)
    assert signed_in.get(Account, account.id) == account


def test_stage_moves_are_recorded_and_closing_stamps_closed_at(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Acme"}).value
    opp = signed_in.create(
        Opportunity, {"account_id": account.id, "name": "Deal", "close_date": date(2026, 12, 1)}
    ).value
    won = signed_in.update(Opportunity, opp.id, {"stage": "closed_won"}).value
    assert (won.probability, won.forecast_category, won.closed_at is not None) == (
        100,
        "closed",
        True,
    )
    history = signed_in.stage_history(opp.id)
    assert [(h.from_stage, h.to_stage) for h in history] == [
        (None, "qualification"),
        ("qualification", "closed_won"),
    ]
    signed_in.delete(Opportunity, opp.id)
    assert signed_in.stage_history(opp.id) == []


def test_lead_conversion_makes_account_contact_and_opportunity(signed_in: Store) -> None:
    from sfa_desktop.core.entities import Lead

    lead = signed_in.create(
        Lead, {"first_name": "Ana", "last_name": "Lima", "company": "Lima Foods"}
    ).value
    result = signed_in.convert_lead(lead.id, amount=5_000_00, close_date=date(2027, 1, 31))
    conversion = result.value
    assert conversion.account.name == "Lima Foods"
    assert conversion.contact.account_id == conversion.account.id
    assert conversion.opportunity.primary_contact_id == conversion.contact.id
    assert conversion.lead.status == "converted"
    assert {EntityKind.ACCOUNT, EntityKind.CONTACT, EntityKind.OPPORTUNITY} <= result.changes.kinds
    with pytest.raises(DomainError, match="converted"):
        signed_in.convert_lead(lead.id)


def test_server_owned_records_cannot_be_written_locally(signed_in: Store) -> None:
    with pytest.raises(DomainError, match="managed on the server"):
        signed_in.create(User, {"name": "X", "email": "x@example.com"})


def test_missing_record_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get(Account, "missing")


def test_ids_sort_and_filter_in_sql(signed_in: Store) -> None:
    for name, city in [("Beta", "Paris"), ("Alpha", "Paris"), ("Gamma", "Rome")]:
        signed_in.create(Account, {"name": name, "city": city})
    ids = signed_in.ids(Account, where={"city": "Paris"}, sort="name")
    assert [a.name for a in signed_in.get_many(Account, ids)] == ["Alpha", "Beta"]
    with pytest.raises(DomainError, match="no field"):
        signed_in.ids(Account, sort="salary")


def test_contact_timeline_uses_the_activity_contact_links(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Acme"}).value
    ann = signed_in.create(Contact, {"last_name": "Ann", "account_id": account.id}).value
    bob = signed_in.create(Contact, {"last_name": "Bob", "account_id": account.id}).value
    call = signed_in.log_activity(
        {"channel": "call", "subject": "Pricing", "contact_ids": [ann.id, bob.id]}
    ).value
    assert call.account_id == account.id  # taken from the contacts' account
    assert [a.id for a in signed_in.activities_for_contact(bob.id)] == [call.id]
    signed_in.update(type(call), call.id, {"contact_ids": [ann.id]})
    assert signed_in.activities_for_contact(bob.id) == []
