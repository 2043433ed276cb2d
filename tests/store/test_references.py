"""One reference check for every write path: a single create and a batch refuse the same
broken reference, write the same outbox row, and "in use" holds during a first download."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sfa_desktop.core.entities import Account, Activity, Contact
from sfa_desktop.core.errors import BrokenReference, InUse
from sfa_desktop.core.protocol import Change, ChangeOp
from sfa_desktop.store import Store
from sfa_desktop.store.batch import Create

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _batch_refusal(store: Store, model: type[Activity], fields: dict[str, object]) -> str:
    with pytest.raises(BrokenReference) as refused:
        store.write_batch([Create(model, fields)])
    return str(refused.value)


def test_a_create_and_a_batch_name_the_same_first_broken_reference(signed_in: Store) -> None:
    kept = signed_in.create(Contact, {"first_name": "Kim", "last_name": "Kept"}).value
    fields: dict[str, object] = {
        "channel": "call",
        "subject": "Call",
        "occurred_at": NOW,
        "contact_ids": [kept.id, "gone-b", "gone-a"],
    }
    with pytest.raises(BrokenReference) as single:
        signed_in.create(Activity, fields)
    assert "contact_ids" in str(single.value)
    assert "gone-b" in str(single.value)  # the first missing id as written, not the smallest
    assert _batch_refusal(signed_in, Activity, fields) == str(single.value)
    assert signed_in.count(Activity) == 0


def test_a_create_and_a_batch_write_the_same_outbox_row(signed_in: Store) -> None:
    signed_in.create(Account, {"id": "acct-one", "name": "One"})
    signed_in.write_batch([Create(Account, {"id": "acct-two", "name": "Two"})])
    one, two = signed_in.pending_mutations()
    for mutation, name in ((one, "One"), (two, "Two")):
        assert (mutation.op, mutation.entity, mutation.base_version) == ("upsert", "account", None)
        assert mutation.merged_ids is None
        assert mutation.fields["name"] == name
    assert one.fields.keys() == two.fields.keys()


def test_a_contact_named_by_an_activity_is_in_use_even_mid_download(signed_in: Store) -> None:
    contact = Contact(id="c-1", first_name="Ann", last_name="Used", owner_id="user-rep")
    call = Activity(id="a-1", channel="call", subject="Call", occurred_at=NOW, contact_ids=("c-1",))
    # A first download that has not finished: the contact link tables are not filled yet.
    page = [
        Change(
            entity=r.entity,
            entity_id=r.id,
            op=ChangeOp.UPSERT,
            version=1,
            data={**r.model_dump(mode="json"), "version": 1},
        )
        for r in (contact, call)
    ]
    signed_in.apply_pull(page, 1, first_download=True)
    assert signed_in.download_unfinished()
    with pytest.raises(InUse, match="1 activity"):
        signed_in.delete(Contact, contact.id)
    signed_in.finish_download()
    with pytest.raises(InUse, match="1 activity"):
        signed_in.delete(Contact, contact.id)
