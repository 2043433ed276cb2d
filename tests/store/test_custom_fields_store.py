"""Custom fields in the local store: pulled definitions, the shared rule offline (same
messages as the server's), values in lists sorted and filtered in SQL by their indexes."""

from __future__ import annotations

from typing import Any

import pytest

from sfa_desktop.core.entities import Account, Contact, FieldDefinition, Record
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.core.protocol import Change
from sfa_desktop.store import Store
from sfa_desktop.store.custom_fields import CustomFilter, index_name
from sfa_desktop.store.schema import TABLES


def _upsert(record: Record, version: int) -> Change:
    data = {**record.model_dump(mode="json"), "version": version}
    return Change(
        entity=record.entity, entity_id=record.id, op="upsert", version=version, data=data
    )


def _field(key: str, field_type: str, **rules: Any) -> FieldDefinition:
    return FieldDefinition.parse(
        {
            "id": f"def-{key}",
            "owner_id": "org",
            "for_entity": rules.pop("for_entity", "contact"),
            "key": key,
            "label": rules.pop("label", key.removeprefix("cf_").title()),
            "field_type": field_type,
            **rules,
        }
    )


SEGMENT = _field("cf_segment", "picklist", choices=("Retail", "Wholesale", "Public"))
SINCE = _field("cf_since", "date", label="Customer since")
SCORE = _field("cf_score", "number", minimum=0, maximum=100)
CODE = _field("cf_code", "text", read_only_for_rep=True, label="Code")
TAGS = _field("cf_tags", "multi-picklist", choices=("A", "B", "C"))


@pytest.fixture
def fields(signed_in: Store) -> Store:
    changes = [_upsert(d, 10 + n) for n, d in enumerate((SEGMENT, SINCE, SCORE, CODE, TAGS))]
    signed_in.apply_pull(changes, next_since=20)
    return signed_in


def _indexes(store: Store) -> set[str]:
    with store._read() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index'"
        )
        return {row[0] for row in rows}


def test_pulled_definitions_are_offered_in_order_and_indexed_when_a_list_needs_it(
    fields: Store,
) -> None:
    keys = [d.key for d in fields.field_definitions(EntityKind.CONTACT)]
    assert keys == ["cf_code", "cf_since", "cf_score", "cf_segment", "cf_tags"]  # by label
    assert fields.field_definitions(EntityKind.ACCOUNT) == []
    assert index_name(EntityKind.CONTACT, "cf_segment") not in _indexes(fields)
    fields.contact_ids(sort="cf_segment", custom=[CustomFilter("cf_since", low="2020-01-01")])
    made = _indexes(fields)
    assert index_name(EntityKind.CONTACT, "cf_segment") in made
    assert index_name(EntityKind.CONTACT, "cf_since") in made
    fields.contact_ids(custom=[CustomFilter("cf_code", contains="x")])
    assert index_name(EntityKind.CONTACT, "cf_code") not in _indexes(fields)  # text: searched


def test_values_are_checked_offline_with_the_servers_messages(fields: Store) -> None:
    with pytest.raises(InvalidRecord) as raised:
        fields.create(Contact, {"last_name": "Ng", "cf_score": 120})
    assert raised.value.errors == {"cf_score": "Score must be at most 100"}
    with pytest.raises(InvalidRecord) as raised:
        fields.create(Contact, {"last_name": "Ng", "cf_code": "X1"})
    assert raised.value.errors == {"cf_code": "Code is read-only for reps"}
    saved = fields.create(
        Contact, {"last_name": "Ng", "cf_segment": "retail", "cf_tags": ["C", "A"]}
    )
    stored = fields.get(Contact, saved.value.id)
    assert stored.custom_values() == {"cf_segment": "Retail", "cf_tags": ["A", "C"]}
    outbox = fields.pending_mutations()
    assert outbox[-1].fields["cf_segment"] == "Retail"


def test_an_edit_sends_only_the_custom_field_it_changed(fields: Store) -> None:
    contact = fields.create(Contact, {"last_name": "Ng", "cf_score": 5}).value
    fields.update(Contact, contact.id, {"cf_score": 7})
    assert fields.pending_mutations()[-1].fields == {"cf_score": 7}
    fields.update(Contact, contact.id, {"cf_score": None})
    assert fields.pending_mutations()[-1].fields == {"cf_score": None}
    assert fields.get(Contact, contact.id).custom_values() == {}


def test_a_form_asks_for_a_required_field_an_old_record_lacks(fields: Store) -> None:
    old = fields.create(Contact, {"last_name": "Old"}).value
    required = SINCE.model_copy(update={"required": True})
    fields.apply_pull([_upsert(required, 30)], next_since=31)
    fields.update(Contact, old.id, {"title": "Buyer"})  # a quick edit is not blocked
    with pytest.raises(InvalidRecord) as raised:
        fields.update(Contact, old.id, {"title": "Chief buyer"}, from_form=True)
    assert raised.value.errors == {"cf_since": "Customer since is required"}


def test_lists_sort_and_filter_by_custom_values_in_sql(fields: Store) -> None:
    rows = [
        ("Ann", "Wholesale", "2021-05-01", 40, ["A"]),
        ("Bob", "Retail", "2019-01-31", 90, ["B", "C"]),
        ("Cy", "Retail", None, 10, None),
        ("Di", None, "2024-12-24", None, ["C"]),
    ]
    ids = {}
    for name, segment, since, score, tags in rows:
        values = {"cf_segment": segment, "cf_since": since, "cf_score": score, "cf_tags": tags}
        ids[name] = fields.create(Contact, {"last_name": name, **values}).value.id
    names = {value: key for key, value in ids.items()}

    def listed(**options: Any) -> list[str]:
        return [names[i] for i in fields.contact_ids(**options)]

    assert listed(sort="cf_since") == ["Cy", "Bob", "Ann", "Di"]  # empty first, then by day
    assert listed(sort="cf_score", descending=True) == ["Bob", "Ann", "Cy", "Di"]
    assert listed(custom=[CustomFilter("cf_segment", one_of=("Retail",))]) == ["Bob", "Cy"]
    window = CustomFilter("cf_since", low="2020-01-01", high="2024-12-31")
    assert listed(custom=[window]) == ["Ann", "Di"]
    assert listed(custom=[CustomFilter("cf_score", low=20)], sort="cf_score") == ["Ann", "Bob"]
    assert listed(custom=[CustomFilter("cf_tags", one_of=("C",), multi=True)]) == ["Bob", "Di"]


def test_sorting_by_a_custom_picklist_uses_its_index(fields: Store) -> None:
    fields.contact_ids(sort="cf_segment")
    table = TABLES[EntityKind.CONTACT].__tablename__
    with fields._read() as session:
        plan = (
            session.connection()
            .exec_driver_sql(
                f"EXPLAIN QUERY PLAN SELECT id FROM {table} "
                f"ORDER BY json_extract({table}.custom, '$.cf_segment')"
            )
            .all()
        )
    assert index_name(EntityKind.CONTACT, "cf_segment") in str(plan)


def test_a_value_the_server_sends_for_a_retired_field_is_kept(fields: Store) -> None:
    retired = SCORE.model_copy(update={"retired": True})
    contact = Contact.parse(
        {"id": "c-late", "last_name": "Late", "owner_id": "user-rep", "cf_score": 3}
    )
    fields.apply_pull([_upsert(retired, 40), _upsert(contact, 41)], next_since=42)
    assert fields.get(Contact, "c-late").custom_values() == {"cf_score": 3}
    assert "cf_score" not in [d.key for d in fields.field_definitions(EntityKind.CONTACT)]
    account = Account.parse({"id": "a1", "name": "Acme", "owner_id": "user-rep"})
    fields.apply_pull([_upsert(account, 43)], next_since=44)


def test_search_finds_the_values_of_custom_text_fields(fields: Store) -> None:
    name = _field("cf_nickname", "text", label="Nickname")
    fields.apply_pull([_upsert(name, 50)], next_since=51)
    found = fields.create(Contact, {"last_name": "Ng", "cf_nickname": "Bumblebee"}).value
    fields.create(Contact, {"last_name": "Li", "cf_score": 40, "cf_segment": "Wholesale"})
    assert [hit.id for hit in fields.search("bumblebee")] == [found.id]
    fields.update(Contact, found.id, {"cf_nickname": "Hornet"})
    assert fields.search("bumblebee") == []
    assert [hit.id for hit in fields.search("hornet")] == [found.id]
    assert fields.search("40") == []  # numbers and choices are filtered in lists instead
    assert fields.search("wholesale") == []
