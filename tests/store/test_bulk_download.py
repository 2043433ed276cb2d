"""A first download is applied without per-row search indexing, then indexed in one pass.

The pause is stored with the first page, so a crash mid-download leaves it in place for the
next sync to finish; afterwards the triggers keep the index as before.
"""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
from index_check import index_problems
from pydantic import ValidationError
from samples import NOW, sample_records
from sqlalchemy.orm import Session
from store_keys import TEST_KEY, raw
from store_seeding import orm_insert

from sfa_desktop.core.entities import Account, Activity, Contact, Record
from sfa_desktop.core.protocol import Change
from sfa_desktop.store import Store, remote
from sfa_desktop.store.schema import TABLES

OWNER = "user-rep"


def _upsert(record: Record) -> Change:
    data = record.model_dump(mode="json")
    return Change(
        entity=record.entity, entity_id=record.id, op="upsert", version=record.version, data=data
    )


def _page(start: int, count: int) -> list[Change]:
    """Accounts, a contact for each and an activity linking the contact, from `start`."""
    changes = []
    for n in range(start, start + count):
        version = 3 * n
        account = Account(id=f"a{n}", name=f"Harbour {n}", owner_id=OWNER, version=version + 1)
        contact = Contact(
            id=f"c{n}", account_id=account.id, last_name=f"Quayle{n}", version=version + 2
        )
        activity = _activity(f"t{n}", (contact.id,), version + 3)
        changes += [_upsert(account), _upsert(contact), _upsert(activity)]
    return changes


def _activity(activity_id: str, contact_ids: tuple[str, ...], version: int) -> Activity:
    return Activity(
        id=activity_id,
        channel="call",
        subject="Call",
        occurred_at=NOW,
        contact_ids=contact_ids,
        version=version,
    )


def _killed_while_applying(store: Store, changes: list[Change], next_since: int) -> None:
    """The app dies after applying a download page, before its transaction commits."""
    with Session(store._writer_engine) as session, session.begin():
        remote.apply_page(session, changes, next_since, first_download=True)
        raise RuntimeError("killed")


def _titles(store: Store, query: str) -> set[str]:
    return {hit.title for hit in store.search(query, limit=1000)}


def test_first_download_is_indexed_when_it_finishes(signed_in: Store) -> None:
    signed_in.apply_pull(_page(0, 5), next_since=15, first_download=True)
    signed_in.apply_pull(_page(5, 5), next_since=30, first_download=True)
    assert signed_in.download_unfinished()
    assert _titles(signed_in, "harbour") == set()  # paused: searched only once finished
    touched = signed_in.finish_download()
    assert "account" in touched
    assert not signed_in.download_unfinished()
    assert _titles(signed_in, "harbour") == {f"Harbour {n}" for n in range(10)}
    assert _titles(signed_in, "quayle7") == {"Quayle7"}
    assert index_problems(signed_in.path) == []
    assert signed_in.finish_download() == remote.Changes()  # nothing in progress: a no-op


def test_a_crash_mid_download_keeps_the_pause_and_the_next_sync_finishes(
    signed_in: Store,
) -> None:
    signed_in.apply_pull(_page(0, 5), next_since=15, first_download=True)
    with pytest.raises(RuntimeError):
        _killed_while_applying(signed_in, _page(5, 5), 30)
    signed_in.close()
    store = Store.open(signed_in.path, key=TEST_KEY)
    assert store.pull_cursor() == 15
    assert store.download_unfinished()
    assert store.count(Account) == 5
    store.apply_pull(_page(5, 5), next_since=30, first_download=True)
    store.finish_download()
    assert _titles(store, "harbour") == {f"Harbour {n}" for n in range(10)}
    assert index_problems(store.path) == []
    store.close()


def test_a_crash_in_the_first_page_leaves_no_pause(signed_in: Store) -> None:
    with pytest.raises(RuntimeError):
        _killed_while_applying(signed_in, _page(0, 2), 6)
    assert not signed_in.download_unfinished()
    assert signed_in.pull_cursor() == 0


def test_after_a_download_the_triggers_keep_the_index(signed_in: Store) -> None:
    signed_in.apply_pull(_page(0, 3), next_since=9, first_download=True)
    signed_in.finish_download()
    renamed = Account(id="a1", name="Lighthouse", owner_id=OWNER, version=10)
    moved = _activity("t2", ("c0", "c1"), 11)
    new = Contact(id="c9", last_name="Quayle9", version=12)
    signed_in.apply_pull(
        [
            _upsert(renamed),
            _upsert(moved),
            _upsert(new),
            Change(entity="account", entity_id="a0", op="remove", version=13),
        ],
        next_since=13,
    )
    assert _titles(signed_in, "harbour") == {"Harbour 2"}
    assert _titles(signed_in, "lighthouse") == {"Lighthouse"}
    assert _titles(signed_in, "quayle9") == {"Quayle9"}
    assert index_problems(signed_in.path) == []


def test_local_writes_during_a_download_are_indexed_at_its_end(signed_in: Store) -> None:
    signed_in.apply_pull(_page(0, 2), next_since=6, first_download=True)
    mine = signed_in.create(Account, {"name": "Written meanwhile"}).value
    signed_in.update(Account, "a0", {"name": "Renamed meanwhile"})
    signed_in.delete(Activity, "t1")
    signed_in.apply_pull(_page(2, 2), next_since=12, first_download=True)
    signed_in.finish_download()
    assert _titles(signed_in, "meanwhile") == {"Written meanwhile", "Renamed meanwhile"}
    assert mine.id in {hit.id for hit in signed_in.search("written")}
    assert index_problems(signed_in.path) == []


def test_a_re_download_keeps_the_index_of_rows_with_pending_edits(signed_in: Store) -> None:
    signed_in.apply_pull(_page(0, 2), next_since=6)
    signed_in.update(Account, "a1", {"city": "Pending"})
    signed_in.reset_for_download()
    signed_in.apply_pull(_page(0, 3), next_since=9, first_download=True)
    signed_in.finish_download()
    assert _titles(signed_in, "harbour") == {"Harbour 0", "Harbour 1", "Harbour 2"}
    assert index_problems(signed_in.path) == []


def _rows(store: Store, record: Record) -> tuple[Any, ...]:
    table = TABLES[record.entity].__table__
    json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
    with raw(store.path) as db:
        cursor = db.execute(f'SELECT * FROM "{table.name}" WHERE id = ?', (record.id,))
        names = [column[0] for column in cursor.description]
        values = {
            name: json.loads(value) if name in json_columns and value is not None else value
            for name, value in zip(names, cursor.fetchone(), strict=True)
        }
    return tuple(sorted(values.items()))


def test_pulled_rows_are_stored_exactly_as_local_writes_store_them(
    store: Store, tmp_path: Any
) -> None:
    records = [r for r in sample_records() if r.entity.value != "user"]
    orm_insert(store, records)  # the ORM's way
    pulled = Store.open(tmp_path / "pulled.db", key=TEST_KEY)
    pulled.apply_pull([_upsert(r) for r in records], next_since=7, first_download=True)
    pulled.finish_download()
    for record in records:
        assert _rows(pulled, record) == _rows(store, record), record.entity
        assert pulled.get(type(record), record.id) == record
    assert index_problems(pulled.path) == []
    pulled.close()


def test_awkward_values_are_stored_exactly_as_local_writes_store_them(
    store: Store, tmp_path: Any
) -> None:
    """Pulled rows reach SQLite as one JSON array: quotes, escapes, non-ASCII text, large
    amounts, empty and missing values come out as the ORM stores them."""
    records: list[Record] = [
        Account(
            id="a-odd",
            name='Quote " back\\slash \u00fcml\u00e4ut \U0001f680 \u65e5\u672c',
            notes="two\nlines\tand a tab, 'single' quotes, {\"json\": [1]}",
            potential_revenue=10**15,
            domain="",
            phone=None,
            revenue_history=({"year": 2025, "amount": 0}, {"year": 2026, "amount": 10**15}),
            owner_id=OWNER,
            created_at=NOW.replace(microsecond=1),
            updated_at=NOW,
            version=3,
        ),
        _activity("t-odd", (), 4),
    ]
    orm_insert(store, records)
    pulled = Store.open(tmp_path / "pulled.db", key=TEST_KEY)
    pulled.apply_pull([_upsert(r) for r in records], next_since=4, first_download=True)
    pulled.finish_download()
    for record in records:
        assert _rows(pulled, record) == _rows(store, record), record.entity
        assert pulled.get(type(record), record.id) == record
    pulled.close()


def test_a_page_is_validated_before_anything_is_written() -> None:
    good = Account(id="a1", name="Fine", owner_id=OWNER, version=1)
    bad = _upsert(Account(id="a2", name="Bad", owner_id=OWNER, version=2))
    bad = bad.model_copy(update={"data": {**(bad.data or {}), "currency": "euros"}})
    with pytest.raises(ValidationError):
        remote.prepare_page([_upsert(good), bad])
    page = remote.prepare_page([_upsert(good), _upsert(good.with_changes({"name": "Later"}))])
    assert len(page) == 1  # only the last change of a record counts


def test_pulled_datetimes_in_any_offset_are_stored_as_utc_text(tmp_path: Any) -> None:
    """The server may write a time in any offset, with or without a fraction: the row
    holds the UTC text the ORM writes (hand-written expectations, not the ORM's)."""
    pulled = Store.open(tmp_path / "pulled.db", key=TEST_KEY)
    sent = {
        "t1": ("2026-05-01T11:30:00+02:00", "2026-05-01 09:30:00.000000"),
        "t2": ("2026-05-01T09:30:00.5Z", "2026-05-01 09:30:00.500000"),
        "t3": ("2026-12-31T23:59:59.000001-01:00", "2027-01-01 00:59:59.000001"),
        "t4": ("2026-05-01T09:30:00.123456Z", "2026-05-01 09:30:00.123456"),
    }
    changes = []
    for n, (activity_id, (wire, _stored)) in enumerate(sent.items(), start=1):
        data = _activity(activity_id, (), n).model_dump(mode="json") | {"occurred_at": wire}
        changes.append(
            Change(entity="activity", entity_id=activity_id, op="upsert", version=n, data=data)
        )
    pulled.apply_pull(changes, next_since=4, first_download=True)
    with raw(pulled.path) as db:
        stored = dict(db.execute("SELECT id, occurred_at FROM activities").fetchall())
    assert stored == {activity_id: text for activity_id, (_wire, text) in sent.items()}
    pulled.close()


def test_every_model_datetime_is_converted_to_utc() -> None:
    """The bulk upsert turns to_json's 'Z' text into the stored text: a datetime field
    without the UTC validator would be stored with its offset."""
    from sfa_desktop.core.entities import MODELS
    from sfa_desktop.core.entities.base import UtcDateTime
    from sfa_desktop.sql.types import UTCDateTime

    for kind, model in MODELS.items():
        for column in TABLES[kind].__table__.columns:
            if isinstance(column.type, UTCDateTime):
                field = model.model_fields[column.name]
                converted = UtcDateTime.__metadata__[0] in field.metadata  # type: ignore[attr-defined]
                optional = UtcDateTime in get_args(field.annotation)
                assert converted or optional, f"{kind.value}.{column.name}"
